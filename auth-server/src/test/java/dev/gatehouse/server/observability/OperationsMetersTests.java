package dev.gatehouse.server.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.server.testsupport.H2Database;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class OperationsMetersTests {

    private static final Instant T0 = Instant.parse("2026-12-08T01:00:00Z");
    private static final Duration PERIOD = Duration.ofDays(30);

    private final KeyRing ring = KeyRing.builder()
            .algorithm(JwsAlgorithm.ES256)
            .clock(Clock.fixed(T0, ZoneOffset.UTC))
            .build();
    private final DataSource database = H2Database.migrated("operations-meters").dataSource();

    /** Gauges hold their source weakly: kept here for the test's length (the server's is a bean). */
    private OperationsMeters bound;

    @Test
    void gaugesWhenActiveKeyAnHourOldThenAgeAndPeriodInSeconds() {
        ring.activeKey();
        SimpleMeterRegistry registry = bind(T0.plus(Duration.ofHours(1)), database);

        assertThat(registry.get(OperationsMeters.KEY_AGE).timeGauge().value()).isEqualTo(3600);
        assertThat(registry.get(OperationsMeters.ROTATION_PERIOD).timeGauge().value())
                .isEqualTo(PERIOD.toSeconds());
        assertThat(registry.get(OperationsMeters.DATABASE_UP).gauge().value()).isEqualTo(1);
    }

    @Test
    void keyAgeWhenNoActiveKeyThenNaNAndNoKeyCreated() {
        SimpleMeterRegistry registry = bind(T0, database);

        assertThat(registry.get(OperationsMeters.KEY_AGE).timeGauge().value()).isNaN();
        assertThat(ring.hasActiveKey()).isFalse();
    }

    @Test
    void databaseUpWhenNoConnectionThenZero() {
        // Nothing listens on port 1: the connection fails at once.
        SimpleMeterRegistry registry = bind(T0, new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none"));

        assertThat(registry.get(OperationsMeters.DATABASE_UP).gauge().value()).isZero();
    }

    private SimpleMeterRegistry bind(Instant now, DataSource dataSource) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        bound = new OperationsMeters(ring, Clock.fixed(now, ZoneOffset.UTC), PERIOD, dataSource);
        bound.bindTo(registry);
        return registry;
    }
}
