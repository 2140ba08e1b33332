package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.PolicyEngine;
import dev.gatehouse.core.policy.Resource;
import dev.gatehouse.core.policy.Subject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;

class GatehousePolicyAutoConfigurationTests {

    private static final String RBAC = "src/test/resources/policy/rbac.yaml";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GatehousePolicyAutoConfiguration.class));

    @Test
    void contextWhenNoPolicyConfiguredThenNoBeans() {
        runner.run(context ->
                assertThat(context).doesNotHaveBean(PolicyDecisionPoint.class).doesNotHaveBean("authz"));
    }

    @Test
    void contextWhenRbacFileThenDecisionPointAndAuthzBean() {
        runner.withPropertyValues("gatehouse.policy.rbac-file=" + RBAC).run(context -> {
            PolicyDecisionPoint pdp = context.getBean(PolicyDecisionPoint.class);
            AccessRequest editorWrites = AccessRequest.builder()
                    .subject(Subject.of("alice", "editor"))
                    .action("write")
                    .resource(Resource.of("document", "7"))
                    .build();
            AccessRequest viewerWrites = AccessRequest.builder()
                    .subject(Subject.of("bob", "viewer"))
                    .action("write")
                    .resource(Resource.of("document", "7"))
                    .build();

            assertThat(pdp.decide(editorWrites)).isInstanceOf(Decision.Permit.class);
            assertThat(pdp.decide(viewerWrites)).isInstanceOf(Decision.Deny.class);
            GatehouseAuthz authz = context.getBean("authz", GatehouseAuthz.class);
            Authentication viewer = new TestingAuthenticationToken("bob", "n/a", List.of(() -> "ROLE_viewer"));
            assertThat(authz.decide(viewer, "document:read", "7")).isInstanceOf(Decision.Permit.class);
            assertThat(authz.decide(viewer, "document:delete", "7")).isInstanceOf(Decision.Deny.class);
            assertThat(authz.decide(null, "document:read", "7")).isInstanceOf(Decision.Deny.class);
            assertThat(authz.decide(viewer, "document:shred", "7")).isInstanceOf(Decision.Deny.class);
        });
    }

    @Test
    void authzWhenUnauthenticatedOrTheRequestCannotBeAssembledThenTheDecisionPointDenies() {
        runner.withPropertyValues("gatehouse.policy.rbac-file=" + RBAC).run(context -> {
            PolicyDecisionPoint pdp = context.getBean(PolicyDecisionPoint.class);
            GatehouseAuthz authz = context.getBean("authz", GatehouseAuthz.class);
            // A null attribute value, which AccessRequest refuses: the request cannot be
            // built from this input, and the answer must still be a counted deny, not an exception.
            Authentication viewer = new TestingAuthenticationToken("bob", "n/a", List.of(() -> "ROLE_viewer"));
            java.util.Map<String, Object> hostile = new java.util.HashMap<>();
            hostile.put("id", "7");
            hostile.put("owner", null);

            Decision anonymous = authz.decide(null, "document:read", "7");
            Decision broken = authz.decide(viewer, "document:read", hostile);

            assertThat(anonymous.reason()).isEqualTo("not authenticated");
            assertThat(anonymous.policy()).isEqualTo(PolicyDecisionPoint.ID);
            assertThat(broken).isInstanceOf(Decision.Deny.class);
            assertThat(broken.reason()).isEqualTo("indeterminate: request could not be evaluated");
            assertThat(pdp.stats()).isEqualTo(new PolicyDecisionPoint.Stats(0, 2, 1));
        });
    }

    @Test
    void contextWhenOpaRestNamedWithUrlAndNoBearerTokenThenStarts() {
        // An OPA without --authentication=token needs no token; an unset token must not be sent as an empty one.
        runner.withPropertyValues("gatehouse.policy.engines=opa-rest", "gatehouse.policy.opa-url=http://127.0.0.1:8181")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(PolicyEngine.class));
    }

    @Test
    void contextWhenEngineNamedWithoutSourceThenStartupFails() {
        runner.withPropertyValues("gatehouse.policy.engines=opa-rest")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("names opa-rest but gatehouse.policy.opa-url is not set"));
        runner.withPropertyValues("gatehouse.policy.engines=opa-wasm")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("gatehouse.policy.opa-wasm-bundle is not set"));
        runner.withPropertyValues("gatehouse.policy.engines=magic")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("unknown engine"));
    }

    @Test
    void contextWhenPolicyFileInvalidThenStartupFailsNamingTheProblem(@TempDir Path dir) throws Exception {
        Path cyclic = dir.resolve("cyclic.yaml");
        Files.writeString(
                cyclic, "id: cyclic\nactions: [read]\nroles:\n  a: { inherits: [b] }\n  b: { inherits: [a] }\n");

        runner.withPropertyValues("gatehouse.policy.rbac-file=" + cyclic)
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("cycle"));
    }

    @Test
    void contextWhenSpringSecurityAbsentThenDecisionPointWithoutAuthz() {
        runner.withPropertyValues("gatehouse.policy.rbac-file=" + RBAC)
                .withClassLoader(new FilteredClassLoader(Authentication.class))
                .run(context -> assertThat(context)
                        .hasSingleBean(PolicyDecisionPoint.class)
                        .doesNotHaveBean("authz"));
    }

    @Test
    void contextWhenApplicationDefinesItsOwnEngineThenBacksOff() {
        dev.gatehouse.core.policy.PolicyEngine own =
                dev.gatehouse.core.policy.rbac.RbacEngine.of(dev.gatehouse.core.policy.rbac.RbacModel.builder("own")
                        .action("read")
                        .build());
        runner.withPropertyValues("gatehouse.policy.rbac-file=" + RBAC)
                .withBean(dev.gatehouse.core.policy.PolicyEngine.class, () -> own)
                .run(context -> assertThat(context.getBean(dev.gatehouse.core.policy.PolicyEngine.class))
                        .isSameAs(own));
    }
}
