package dev.gatehouse.server.maintenance;

import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.tokens.StoredAuthorizations;
import dev.gatehouse.server.tokens.UsedProofIds;
import dev.gatehouse.server.users.JdbcAttemptStore;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The maintenance package wires itself: the scheduled purge of expired state and the key ring's rotation. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class MaintenanceConfiguration {

    @Bean
    ExpiredStatePurger expiredStatePurger(
            StoredAuthorizations authorizations,
            JdbcAttemptStore attempts,
            UsedProofIds usedProofs,
            Clock clock,
            GatehouseProperties properties) {
        return new ExpiredStatePurger(
                authorizations, attempts, usedProofs, clock, properties.server().purgeGrace());
    }

    @Bean
    KeyRotation keyRotation(KeyRing ring) {
        return new KeyRotation(ring);
    }
}
