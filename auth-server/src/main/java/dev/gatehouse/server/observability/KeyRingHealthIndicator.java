package dev.gatehouse.server.observability;

import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.KeyState;
import dev.gatehouse.core.jwt.ManagedKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the signing key ring: UP with the active key's id, algorithm and age, the number of published keys and
 * whether the next key is already published; DOWN when there is no active key (the server cannot sign). Only key
 * ids, states and times are shown, never key material. Reads the ring's state in memory; never creates a key.
 */
public final class KeyRingHealthIndicator implements HealthIndicator {

    private final KeyRing ring;
    private final Clock clock;

    /**
     * Creates the indicator.
     *
     * @param ring the key ring
     * @param clock for the active key's age
     */
    public KeyRingHealthIndicator(KeyRing ring, Clock clock) {
        this.ring = Objects.requireNonNull(ring, "ring must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    @Override
    public Health health() {
        try {
            if (!ring.hasActiveKey()) {
                return Health.down()
                        .withDetail("reason", "no active signing key")
                        .build();
            }
            ManagedKey active = ring.activeKey();
            List<ManagedKey> published = ring.keys();
            Duration age = Duration.between(active.activatedAt().orElse(active.createdAt()), clock.instant());
            return Health.up()
                    .withDetail("activeKid", active.kid())
                    .withDetail("algorithm", active.algorithm().joseName())
                    .withDetail(
                            "activeSince",
                            active.activatedAt().orElse(active.createdAt()).toString())
                    .withDetail("activeAgeSeconds", Math.max(0, age.toSeconds()))
                    .withDetail("publishedKeys", published.size())
                    .withDetail("nextKeyPublished", published.stream().anyMatch(k -> k.state() == KeyState.NEXT))
                    .build();
        } catch (RuntimeException e) {
            return Health.down()
                    .withDetail("error", e.getClass().getSimpleName())
                    .build();
        }
    }
}
