package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.KeyState;
import dev.gatehouse.core.jwt.ManagedKey;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Actuator health for the key ring: UP with the active key id and how many keys are published; DOWN if there
 * is no active key. Only key ids and states are shown, never key material. An application's own {@code
 * keyRingHealthIndicator} (such as the authorization server's) replaces it.
 */
@AutoConfiguration(after = GatehouseTokenAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(KeyRing.class)
public final class GatehouseHealthAutoConfiguration {

    /** Backs off when the application reports on the ring itself, under this name or as {@code keyRing}. */
    @Bean
    @ConditionalOnMissingBean(name = {"gatehouseKeyRingHealthIndicator", "keyRingHealthIndicator"})
    HealthIndicator gatehouseKeyRingHealthIndicator(KeyRing ring) {
        return () -> {
            try {
                ManagedKey active = ring.activeKey();
                long next = ring.keys().stream()
                        .filter(k -> k.state() == KeyState.NEXT)
                        .count();
                return Health.up()
                        .withDetail("activeKid", active.kid())
                        .withDetail("algorithm", active.algorithm().joseName())
                        .withDetail("publishedKeys", ring.keys().size())
                        .withDetail("nextKeyPublished", next > 0)
                        .build();
            } catch (RuntimeException e) {
                return Health.down()
                        .withDetail("error", e.getClass().getSimpleName())
                        .build();
            }
        };
    }
}
