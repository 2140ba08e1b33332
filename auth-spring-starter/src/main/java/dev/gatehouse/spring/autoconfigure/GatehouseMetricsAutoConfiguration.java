package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.KeyState;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters when Micrometer is present: {@code gatehouse.policy.decisions} (tagged {@code
 * outcome=permit|deny|failure}) from the policy decision point, and {@code gatehouse.keys.published} (tagged by
 * state) from the key ring. Counts only: no subject, resource or key material is ever a tag.
 */
@AutoConfiguration(after = {GatehousePolicyAutoConfiguration.class, GatehouseTokenAutoConfiguration.class})
@ConditionalOnClass(MeterRegistry.class)
public final class GatehouseMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "gatehouseMeterBinder")
    MeterBinder gatehouseMeterBinder(ObjectProvider<PolicyDecisionPoint> pdp, ObjectProvider<KeyRing> ring) {
        return registry -> {
            pdp.ifAvailable(p -> {
                FunctionCounter.builder(
                                "gatehouse.policy.decisions", p, d -> d.stats().permits())
                        .tag("outcome", "permit")
                        .description("Policy decisions")
                        .register(registry);
                FunctionCounter.builder(
                                "gatehouse.policy.decisions", p, d -> d.stats().denies())
                        .tag("outcome", "deny")
                        .register(registry);
                FunctionCounter.builder(
                                "gatehouse.policy.decisions", p, d -> d.stats().failures())
                        .tag("outcome", "failure")
                        .register(registry);
            });
            ring.ifAvailable(r -> {
                for (KeyState state : new KeyState[] {KeyState.NEXT, KeyState.ACTIVE, KeyState.RETIRING}) {
                    Gauge.builder(
                                    "gatehouse.keys.published",
                                    r,
                                    k -> k.keys().stream()
                                            .filter(key -> key.state() == state)
                                            .count())
                            .tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
                            .description("Signing keys in the key ring")
                            .register(registry);
                }
            });
        };
    }
}
