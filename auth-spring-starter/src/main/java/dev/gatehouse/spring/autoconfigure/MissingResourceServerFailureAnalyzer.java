package dev.gatehouse.spring.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start-up that failed because Spring Security's resource server classes are missing, typically
 * {@code NoClassDefFoundError: .../BearerTokenAccessDeniedHandler} from {@code http.oauth2ResourceServer(...)}
 * in an application that has the starter but not {@code spring-boot-starter-security-oauth2-resource-server}.
 */
final class MissingResourceServerFailureAnalyzer extends AbstractFailureAnalyzer<NoClassDefFoundError> {

    private static final String PACKAGE = "org/springframework/security/oauth2/server/resource/";

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, NoClassDefFoundError cause) {
        String missing = cause.getMessage();
        if (missing == null || !missing.replace('.', '/').contains(PACKAGE)) {
            return null;
        }
        return new FailureAnalysis(
                "The application uses Spring Security's OAuth 2.0 resource server (for example "
                        + "http.oauth2ResourceServer(...), or Gatehouse's gatehouse.resource-server.*) but that library "
                        + "is not on the classpath: " + missing.replace('/', '.') + " could not be loaded.",
                "Add the dependency " + GatehouseResourceServerAutoConfiguration.RESOURCE_SERVER_STARTER
                        + " (its version comes from the Spring Boot BOM). The Gatehouse starter declares it optional"
                        + " so that applications without bearer tokens do not carry it.",
                cause);
    }
}
