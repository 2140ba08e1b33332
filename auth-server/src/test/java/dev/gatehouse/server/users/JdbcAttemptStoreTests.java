package dev.gatehouse.server.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.core.throttle.AttemptStore;
import dev.gatehouse.core.throttle.ThrottlePolicy;
import dev.gatehouse.server.Migrations;
import dev.gatehouse.server.PostgresTestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link JdbcAttemptStore} on a real PostgreSQL shared by three "nodes": each its own connection pool, store and
 * {@link AttemptLimiter} (so its own JVM-level account locks), as three server processes would have, on one database.
 */
class JdbcAttemptStoreTests {

    private static final int NODES = 3;
    private static final int GUESSES = 24;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("attemptlock");
    private static final List<HikariDataSource> POOLS = new ArrayList<>();
    private static HikariDataSource monitor;

    @BeforeAll
    static void migrate() {
        monitor = pool("monitor", 4);
        Flyway.configure()
                .dataSource(monitor)
                .locations(Migrations.locations("postgresql"))
                .load()
                .migrate();
        for (int i = 0; i < NODES; i++) {
            POOLS.add(pool("node" + i, 8));
        }
    }

    @AfterAll
    static void close() {
        POOLS.forEach(HikariDataSource::close);
        monitor.close();
    }

    /**
     * The scenario: 24 parallel wrong guesses for one account, spread round robin over three nodes, each from
     * an address of its own. Serialised across nodes, the account is checked as on one node: the free attempts, then
     * the failure that starts the delay, and nothing more. Without the shared lock each node had a guess in flight
     * at once: the test then counted 6 (every run).
     *
     * <p>So that the unserialised case is actually exercised (not hidden by scheduling), a guess being verified waits
     * until every node still guessing either has a guess in its verifier too, or is waiting for the account's lock in
     * PostgreSQL ({@code pg_locks}); both are states a node reaches by itself, so the wait always ends.
     */
    @ParameterizedTest
    @ValueSource(strings = {"password", "mfa"})
    void attemptWhenParallelWrongGuessesSpreadOverNodesThenOnlyFreeAttemptsPlusOneVerified(String scope)
            throws Exception {
        String account = "spread-" + scope;
        List<AttemptLimiter> nodes = new ArrayList<>();
        for (HikariDataSource pool : POOLS) {
            nodes.add(limiter(pool, scope));
        }
        AtomicInteger verified = new AtomicInteger();
        AtomicInteger inVerifier = new AtomicInteger();
        AtomicIntegerArray remaining = new AtomicIntegerArray(NODES);
        AtomicIntegerArray maxActiveDuringHash = new AtomicIntegerArray(NODES);
        AtomicInteger maxActiveAllNodes = new AtomicInteger();
        for (int n = 0; n < NODES; n++) {
            remaining.set(n, GUESSES / NODES);
        }
        JdbcTemplate pgLocks = new JdbcTemplate(monitor);
        ExecutorService threads = Executors.newFixedThreadPool(GUESSES);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<AttemptLimiter.Attempt<Boolean>>> all = new ArrayList<>();
            for (int i = 0; i < GUESSES; i++) {
                int node = i % NODES;
                String address = "198.51.100." + (i + 1);
                all.add(threads.submit(() -> {
                    start.await();
                    try {
                        return nodes.get(node)
                                .attempt(
                                        account,
                                        address,
                                        () -> {
                                            verified.incrementAndGet();
                                            inVerifier.incrementAndGet();
                                            try {
                                                int active = POOLS.get(node)
                                                        .getHikariPoolMXBean()
                                                        .getActiveConnections();
                                                maxActiveDuringHash.accumulateAndGet(node, active, Math::max);
                                                maxActiveAllNodes.accumulateAndGet(totalActive(), Math::max);
                                                awaitOtherNodes(pgLocks, inVerifier, remaining);
                                            } finally {
                                                inVerifier.decrementAndGet();
                                            }
                                            return false; // a wrong password
                                        },
                                        ok -> ok);
                    } finally {
                        remaining.decrementAndGet(node);
                    }
                }));
            }
            start.countDown();
            int throttled = 0;
            for (Future<AttemptLimiter.Attempt<Boolean>> f : all) {
                throttled += f.get(60, TimeUnit.SECONDS) instanceof AttemptLimiter.Attempt.Throttled ? 1 : 0;
            }

            int freePlusOne = ThrottlePolicy.defaults().freeAttempts() + 1;
            assertThat(verified.get()).as("guesses verified").isLessThanOrEqualTo(freePlusOne);
            assertThat(throttled).isEqualTo(GUESSES - verified.get());
            // Every node now refuses the account, without verifying, from any address.
            for (AttemptLimiter node : nodes) {
                assertThat(node.check(account, "203.0.113.99").allowed()).isFalse();
                assertThat(node.attempt(account, "203.0.113.99", () -> true, ok -> ok))
                        .isInstanceOf(AttemptLimiter.Attempt.Throttled.class);
            }
            // The cost: during a hash its node holds exactly one connection for the account (its lock's transaction),
            // however many of its guesses for that account are queued (they wait on the node's own lock).
            for (int n = 0; n < NODES; n++) {
                assertThat(maxActiveDuringHash.get(n))
                        .as("node %d connections during a hash", n)
                        .isOne();
            }
            // And across the cluster: the holder plus at most one waiter per other node.
            assertThat(maxActiveAllNodes.get()).isLessThanOrEqualTo(NODES);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void exclusivelyWhenLockHeldElsewhereBeyondTheWaitThenMissedAndBodyNotRun() throws Exception {
        JdbcAttemptStore store = new JdbcAttemptStore(new JdbcTemplate(POOLS.get(0)));
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            // Another node holds the account's turn until told to let go.
            Future<AttemptStore.Turn<Boolean>> holder =
                    other.submit(() -> new JdbcAttemptStore(new JdbcTemplate(POOLS.get(1)))
                            .exclusively("password|a|5:held", Duration.ofSeconds(5), () -> {
                                held.countDown();
                                await(release);
                                return true;
                            }));
            held.await();
            AtomicInteger ran = new AtomicInteger();

            AttemptStore.Turn<Boolean> turn =
                    store.exclusively("password|a|5:held", Duration.ofMillis(50), () -> ran.incrementAndGet() > 0);

            assertThat(turn).isInstanceOf(AttemptStore.Turn.Missed.class);
            assertThat(ran).hasValue(0);
            release.countDown();
            assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo(new AttemptStore.Turn.Ran<>(true));
            // The refusal left nothing behind: the key is free again, and the connection went back to its pool.
            assertThat(store.exclusively("password|a|5:held", Duration.ofSeconds(5), () -> true))
                    .isEqualTo(new AttemptStore.Turn.Ran<>(true));
            assertThat(POOLS.get(0).getHikariPoolMXBean().getActiveConnections())
                    .isZero();
        } finally {
            release.countDown();
            other.shutdownNow();
        }
    }

    /**
     * The per-node bound on attempts holding a connection: with one permit held by an attempt in its body (held there
     * by a latch, as a long hash would), an attempt for another account is refused at once (its body never runs),
     * and the limiter answers it as throttled; once the first ends, the next runs.
     */
    @Test
    void exclusivelyWhenConnectionBoundReachedThenMissedAtOnceAndThrottled() throws Exception {
        JdbcAttemptStore store = new JdbcAttemptStore(new JdbcTemplate(POOLS.get(1)), 1);
        CountDownLatch inBody = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService holder = Executors.newSingleThreadExecutor();
        try {
            Future<AttemptStore.Turn<Boolean>> held =
                    holder.submit(() -> store.exclusively("password|a|1:holder", Duration.ofSeconds(5), () -> {
                        inBody.countDown();
                        await(release);
                        return true;
                    }));
            assertThat(inBody.await(10, TimeUnit.SECONDS)).isTrue();

            AtomicInteger ran = new AtomicInteger();
            assertThat(store.exclusively("password|a|2:other", Duration.ofSeconds(5), ran::incrementAndGet))
                    .isEqualTo(new AttemptStore.Turn.Missed<>());
            AttemptLimiter limiter = AttemptLimiter.builder()
                    .scope("password")
                    .policy(ThrottlePolicy.defaults())
                    .store(store)
                    .clock(CLOCK)
                    .build();
            assertThat(limiter.attempt("other", "10.0.0.2", ran::incrementAndGet, n -> true))
                    .isInstanceOf(AttemptLimiter.Attempt.Throttled.class);
            assertThat(ran).hasValue(0);

            release.countDown();
            assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo(new AttemptStore.Turn.Ran<>(true));
            assertThat(store.exclusively("password|a|2:other", Duration.ofSeconds(5), ran::incrementAndGet))
                    .isEqualTo(new AttemptStore.Turn.Ran<>(1));
        } finally {
            release.countDown();
            holder.shutdownNow();
        }
    }

    @Test
    void defaultMaxConnectionsWhenHikariPoolThenHalfOfItsSizeAtLeastOne() {
        assertThat(JdbcAttemptStore.defaultMaxConnections(POOLS.get(0))).isEqualTo(4);
        assertThat(JdbcAttemptStore.defaultMaxConnections(monitor)).isEqualTo(2);
        assertThat(JdbcAttemptStore.defaultMaxConnections(null)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void exclusivelyWhenBodyThrowsThenRolledBackAndLockReleased() {
        JdbcAttemptStore store = new JdbcAttemptStore(new JdbcTemplate(POOLS.get(2)));
        String key = "password|a|9:rollback";

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.exclusively(key, Duration.ofSeconds(5), () -> {
                    store.update(key, CLOCK.instant(), c -> c);
                    throw new IllegalStateException("hasher busy");
                }))
                .isInstanceOf(IllegalStateException.class);

        // The write made under the lock went with the transaction; the lock went with it too.
        assertThat(store.find(key, CLOCK.instant())).isEmpty();
        assertThat(new JdbcAttemptStore(new JdbcTemplate(POOLS.get(0)))
                        .exclusively(key, Duration.ofMillis(50), () -> true))
                .isEqualTo(new AttemptStore.Turn.Ran<>(true));
    }

    /**
     * Returns once every node still guessing has a guess in its verifier or waiting for an attempt lock in PostgreSQL.
     * Polls pg_locks (nothing tells when a backend starts waiting); bounded so a broken run fails instead of hanging.
     */
    private static void awaitOtherNodes(JdbcTemplate pgLocks, AtomicInteger inVerifier, AtomicIntegerArray remaining) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            int active = 0;
            for (int n = 0; n < NODES; n++) {
                active += remaining.get(n) > 0 ? 1 : 0;
            }
            Integer waiting = pgLocks.queryForObject(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = ?"
                            + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                    Integer.class,
                    JdbcAttemptStore.LOCK_NAMESPACE);
            if (inVerifier.get() + (waiting == null ? 0 : waiting) >= active) {
                return;
            }
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("the other nodes never reached the verifier or the lock");
            }
            Thread.onSpinWait();
        }
    }

    private static int totalActive() {
        int sum = 0;
        for (HikariDataSource pool : POOLS) {
            sum += pool.getHikariPoolMXBean().getActiveConnections();
        }
        return sum;
    }

    private static AttemptLimiter limiter(HikariDataSource pool, String scope) {
        return AttemptLimiter.builder()
                .scope(scope)
                .clock(CLOCK)
                .store(new JdbcAttemptStore(new JdbcTemplate(pool)))
                .build();
    }

    private static HikariDataSource pool(String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("attempts-" + name);
        config.setJdbcUrl(DATABASE.jdbcUrl());
        config.setUsername("postgres");
        config.setPassword("");
        config.setMaximumPoolSize(size);
        return new HikariDataSource(config);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
