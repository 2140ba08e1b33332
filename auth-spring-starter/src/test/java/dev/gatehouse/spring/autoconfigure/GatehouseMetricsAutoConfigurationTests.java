package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.Resource;
import dev.gatehouse.core.policy.Subject;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class GatehouseMetricsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    GatehousePolicyAutoConfiguration.class,
                    GatehouseTokenAutoConfiguration.class,
                    GatehouseMetricsAutoConfiguration.class))
            .withPropertyValues(
                    "gatehouse.policy.rbac-file=src/test/resources/policy/rbac.yaml",
                    "gatehouse.token.issuer=http://localhost:9000",
                    "gatehouse.dev-mode=true");

    @Test
    void metricsWhenDecisionsMadeThenCountedByOutcomeAndKeysByState() {
        runner.run(context -> {
            MeterRegistry registry = new SimpleMeterRegistry();
            context.getBean("gatehouseMeterBinder", MeterBinder.class).bindTo(registry);
            PolicyDecisionPoint pdp = context.getBean(PolicyDecisionPoint.class);
            pdp.decide(AccessRequest.builder()
                    .subject(Subject.of("a", "viewer"))
                    .action("read")
                    .resource(Resource.of("document", "1"))
                    .build());
            pdp.decide(AccessRequest.builder()
                    .subject(Subject.of("a", "viewer"))
                    .action("delete")
                    .resource(Resource.of("document", "1"))
                    .build());

            assertThat(registry.get("gatehouse.policy.decisions")
                            .tag("outcome", "permit")
                            .functionCounter()
                            .count())
                    .isEqualTo(1.0);
            assertThat(registry.get("gatehouse.policy.decisions")
                            .tag("outcome", "deny")
                            .functionCounter()
                            .count())
                    .isEqualTo(1.0);
            assertThat(registry.get("gatehouse.keys.published")
                            .tag("state", "active")
                            .gauge()
                            .value())
                    .isEqualTo(1.0);
        });
    }

    @Test
    void metricsWhenMicrometerAbsentThenNoBinder() {
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run(context -> assertThat(context).doesNotHaveBean("gatehouseMeterBinder"));
    }
}
