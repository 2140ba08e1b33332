package dev.gatehouse.server.observability;

import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.ManagedKey;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The gauges the alert rules need (ops/prometheus/gatehouse-alerts.yml), read when Prometheus scrapes:
 *
 * <ul>
 *   <li>{@value #KEY_AGE} (Prometheus {@code gatehouse_keys_active_age_seconds}): how long the active signing key has
 *       signed, from its activation (its creation for the first key); {@code NaN} while there is no active key.
 *   <li>{@value #ROTATION_PERIOD} ({@code gatehouse_keys_rotation_period_seconds}): {@code gatehouse.token.rotate-every},
 *       so an alert compares the age with this node's own setting instead of a number copied into the rule.
 *   <li>{@value #DATABASE_UP} ({@code gatehouse_database_up}): 1 when a pooled connection answers a validity check
 *       within {@value #VALIDATION_SECONDS} s, else 0. Bounded by the pool's connection timeout (2 s in
 *       application.yml) plus that check, so a scrape during an outage waits at most about 3 s for it.
 * </ul>
 *
 * Only the ring's in-memory state is read (never a key created, never key material); a failure reads as 0 (or
 * {@code NaN} for the age), never as a scrape error.
 */
final class OperationsMeters implements MeterBinder {

    static final String KEY_AGE = "gatehouse.keys.active.age";
    static final String ROTATION_PERIOD = "gatehouse.keys.rotation.period";
    static final String DATABASE_UP = "gatehouse.database.up";
    static final int VALIDATION_SECONDS = 1;

    private final KeyRing ring;
    private final Clock clock;
    private final Duration rotateEvery;
    private final DataSource dataSource;

    /**
     * Creates the gauges' sources.
     *
     * @param ring the signing key ring
     * @param clock for the active key's age
     * @param rotateEvery how long a key signs before it is rotated ({@code gatehouse.token.rotate-every})
     * @param dataSource the server's database
     */
    OperationsMeters(KeyRing ring, Clock clock, Duration rotateEvery, DataSource dataSource) {
        this.ring = Objects.requireNonNull(ring, "ring must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.rotateEvery = Objects.requireNonNull(rotateEvery, "rotateEvery must not be null");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        TimeGauge.builder(KEY_AGE, this, TimeUnit.SECONDS, OperationsMeters::activeKeyAgeSeconds)
                .description("How long the active signing key has signed (NaN while there is none)")
                .register(registry);
        TimeGauge.builder(ROTATION_PERIOD, this, TimeUnit.SECONDS, m -> m.rotateEvery.toSeconds())
                .description("How long a signing key signs before it is rotated (gatehouse.token.rotate-every)")
                .register(registry);
        Gauge.builder(DATABASE_UP, this, OperationsMeters::databaseUp)
                .description("1 when the database answers a connection check, else 0")
                .register(registry);
    }

    /** The active key's age in seconds, or {@code NaN} when there is no active key (or the ring cannot say). */
    double activeKeyAgeSeconds() {
        try {
            if (!ring.hasActiveKey()) {
                return Double.NaN;
            }
            ManagedKey active = ring.activeKey();
            Duration age = Duration.between(active.activatedAt().orElse(active.createdAt()), clock.instant());
            return Math.max(0, age.toMillis() / 1000.0);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** 1 when a connection from the pool answers {@link Connection#isValid} in time, else 0. */
    double databaseUp() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(VALIDATION_SECONDS) ? 1 : 0;
        } catch (SQLException | RuntimeException e) {
            return 0;
        }
    }
}
