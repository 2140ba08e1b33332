package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

class MissingResourceServerFailureAnalyzerTests {

    private final MissingResourceServerFailureAnalyzer analyzer = new MissingResourceServerFailureAnalyzer();

    @Test
    void analyzeWhenBearerTokenAccessDeniedHandlerMissingThenNamesTheStarterToAdd() {
        Throwable failure = new BeanCreationException(
                "securityFilterChain",
                new NoClassDefFoundError(
                        "org/springframework/security/oauth2/server/resource/web/access/BearerTokenAccessDeniedHandler"));

        FailureAnalysis analysis = analyzer.analyze(failure);

        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription())
                .contains(
                        "org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler");
        assertThat(analysis.getAction())
                .contains("org.springframework.boot:spring-boot-starter-security-oauth2-resource-server");
    }

    @Test
    void analyzeWhenAnotherClassMissingThenLeavesItToOthers() {
        assertThat(analyzer.analyze(new NoClassDefFoundError("com/example/Missing")))
                .isNull();
    }
}
