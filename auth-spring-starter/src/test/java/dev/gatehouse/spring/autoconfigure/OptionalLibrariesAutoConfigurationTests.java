package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.TokenIssuer;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.policy.Decision;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Issue 22: an application with the starter, passwords and {@code @authz} (RBAC) needs none of the capability
 * libraries the starter declares optional. Their conditions see the libraries hidden; a capability configured
 * without its library stops the start-up with a message naming the dependency.
 */
class OptionalLibrariesAutoConfigurationTests {

    private static final String RBAC = "src/test/resources/policy/rbac.yaml";

    /** CEL (with Guava, protobuf, ANTLR), OPA clients, Wasm runtime, Jackson 2, ZXing, googleauth, Tink, Nimbus. */
    private static final FilteredClassLoader WITHOUT_OPTIONAL_LIBRARIES = new FilteredClassLoader(
            "dev.cel.",
            "com.google.common.",
            "com.google.protobuf.",
            "org.antlr.",
            "com.bisnode.opa.",
            "com.styra.opa.",
            "com.dylibso.chicory.",
            "com.fasterxml.jackson.databind.",
            "com.google.zxing.",
            "com.warrenstrange.",
            "com.google.crypto.tink.",
            "com.nimbusds.");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withClassLoader(WITHOUT_OPTIONAL_LIBRARIES)
            .withConfiguration(AutoConfigurations.of(
                    GatehousePasswordAutoConfiguration.class,
                    GatehouseTokenAutoConfiguration.class,
                    GatehouseResourceServerAutoConfiguration.class,
                    GatehouseMfaAutoConfiguration.class,
                    GatehouseHealthAutoConfiguration.class,
                    GatehousePolicyAutoConfiguration.class,
                    GatehouseMetricsAutoConfiguration.class,
                    GatehousePropertyCheckAutoConfiguration.class));

    @Test
    void contextWhenOptionalLibrariesHiddenThenPasswordEncoderAndAuthzFromRbac() {
        runner.withPropertyValues("gatehouse.policy.rbac-file=" + RBAC).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(PasswordHasher.class);
            PasswordEncoder encoder = context.getBean(PasswordEncoder.class);
            String hash = encoder.encode("lantern quarry velvet orbit");
            assertThat(encoder.matches("lantern quarry velvet orbit", hash)).isTrue();

            GatehouseAuthz authz = context.getBean("authz", GatehouseAuthz.class);
            Authentication viewer = new TestingAuthenticationToken("bob", "n/a", List.of(() -> "ROLE_viewer"));
            assertThat(authz.decide(viewer, "document:read", "7")).isInstanceOf(Decision.Permit.class);
            assertThat(authz.decide(viewer, "document:delete", "7")).isInstanceOf(Decision.Deny.class);

            assertThat(context)
                    .doesNotHaveBean(KeyRing.class)
                    .doesNotHaveBean(TokenIssuer.class)
                    .doesNotHaveBean(TotpService.class);
        });
    }

    @Test
    void contextWhenMfaEnabledWithoutGoogleauthThenStartupFailsNamingTheDependency() {
        runner.withPropertyValues("gatehouse.mfa.enabled=true")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("GatehouseConfigurationException")
                        .hasStackTraceContaining("com.warrenstrange:googleauth"));
    }

    @Test
    void contextWhenTokenIssuerSetWithoutNimbusThenStartupFailsNamingTheDependency() {
        runner.withPropertyValues("gatehouse.token.issuer=https://login.example.test", "gatehouse.dev-mode=true")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("GatehouseConfigurationException")
                        .hasStackTraceContaining("com.nimbusds:nimbus-jose-jwt"));
    }
}
