package dev.gatehouse.server.users;

import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.core.throttle.AttemptCounter;
import dev.gatehouse.core.throttle.AttemptStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * auth-core's {@link AttemptStore} in the database, so login limits hold across all nodes. {@link #update} is an
 * optimistic compare-and-set: it reads the counter, applies the change, and writes only if the row still holds
 * what was read (an {@code INSERT} for a new key, whose primary key makes concurrent creators collide); a writer
 * that loses retries with the fresh value. Works the same on H2 and PostgreSQL, without row locks.
 *
 * <p>On PostgreSQL, {@link #exclusively} serialises one account's attempts across every node sharing the database: a
 * transaction takes a transaction-scoped advisory lock ({@code pg_advisory_xact_lock(namespace, hashtext(key))},
 * waiting at most the limiter's bound through {@code SET LOCAL lock_timeout}) and runs the limiter's check, credential
 * check and record in it; the counter SQL joins that transaction, since it runs through the same {@link DataSource}
 * (the transaction manager is built on this template's). The lock needs no row (a first attempt on an account has
 * none), is never left behind (released at commit, rollback or a dropped connection) and works through transaction
 * pooling. The cost is one pooled connection held per account in flight during its hash; see the README. So that a
 * burst of sign-ins for many accounts cannot take every connection from the token endpoint, at most {@code
 * maxConnections} attempts per store (per node) hold one at once: one more is refused at once, without waiting, as
 * {@link Turn.Missed} (the limiter answers it as throttled: fail closed). On H2 (the embedded, single-node database)
 * there is no other node: the limiter's own lock is enough, no lock is taken and no connection held.
 */
public final class JdbcAttemptStore implements AttemptStore {

    private static final int MAX_ATTEMPTS = 10;

    /** The advisory-lock namespace of attempt serialisation ("GHAT"); other users of advisory locks pick others. */
    static final int LOCK_NAMESPACE = 0x47484154;

    /** PostgreSQL's {@code lock_not_available}: the {@code lock_timeout} ran out. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final JdbcTemplate jdbc;
    private final boolean postgres;
    private final TransactionTemplate transactions;
    private final Semaphore connections;

    /**
     * Creates the store with the default bound on attempts holding a connection ({@link
     * #defaultMaxConnections(DataSource)}), telling once (with one connection) whether the database is PostgreSQL.
     *
     * @param jdbc the JDBC template; its data source is the one the lock's transactions run on
     */
    public JdbcAttemptStore(JdbcTemplate jdbc) {
        this(
                jdbc,
                defaultMaxConnections(
                        Objects.requireNonNull(jdbc, "jdbc must not be null").getDataSource()));
    }

    /**
     * Creates the store, telling once (with one connection) whether the database is PostgreSQL.
     *
     * @param jdbc the JDBC template; its data source is the one the lock's transactions run on
     * @param maxConnections the most attempts of this store that hold a connection at once, on PostgreSQL; at least 1
     */
    public JdbcAttemptStore(JdbcTemplate jdbc, int maxConnections) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
        }
        this.connections = new Semaphore(maxConnections);
        DataSource dataSource = Objects.requireNonNull(jdbc.getDataSource(), "jdbc must have a data source");
        this.postgres = isPostgres(dataSource);
        // A manager of our own on the template's data source: the counter SQL then joins the lock's transaction by
        // construction, whatever other managers the application has (Spring binds the connection per data source).
        this.transactions = new TransactionTemplate(new JdbcTransactionManager(dataSource));
    }

    /**
     * The default bound on attempts holding a connection: half of a Hikari pool's {@code maximum-pool-size} (at least
     * 1), leaving the other half to the token endpoint and everything else; unbounded for a data source that is not a
     * Hikari pool (nothing to drain).
     *
     * @param dataSource the store's data source
     * @return the bound
     */
    public static int defaultMaxConnections(@Nullable DataSource dataSource) {
        if (dataSource == null) {
            return Integer.MAX_VALUE;
        }
        try {
            // unwrap also sees through a proxy around the pool.
            if (dataSource.isWrapperFor(HikariDataSource.class)) {
                return Math.max(1, dataSource.unwrap(HikariDataSource.class).getMaximumPoolSize() / 2);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell the connection pool's size", e);
        }
        return Integer.MAX_VALUE;
    }

    /**
     * Runs {@code body} holding this account's advisory lock on PostgreSQL, in one transaction with the counter
     * reads and writes it makes; on H2, runs it directly. A lock not had within {@code wait} is {@link Turn.Missed};
     * so is an attempt over this store's bound on connections held (refused at once). If a transaction is already
     * open on this thread the lock joins it and is held until it ends.
     */
    @Override
    public <R> Turn<R> exclusively(String lockKey, Duration wait, Supplier<R> body) {
        Objects.requireNonNull(lockKey, "lockKey must not be null");
        Objects.requireNonNull(wait, "wait must not be null");
        Objects.requireNonNull(body, "body must not be null");
        if (!postgres) {
            return AttemptStore.super.exclusively(lockKey, wait, body);
        }
        // Fail closed and at once: waiting here would hold the request thread while holders hash.
        if (!connections.tryAcquire()) {
            return new Turn.Missed<>();
        }
        try {
            return underLock(lockKey, wait, body);
        } finally {
            connections.release();
        }
    }

    private <R> Turn<R> underLock(String lockKey, Duration wait, Supplier<R> body) {
        // lock_timeout 0 would mean "wait for ever": never pass less than a millisecond.
        String timeout = Math.max(1, wait.toMillis()) + "ms";
        Turn<R> turn = transactions.execute(status -> {
            jdbc.queryForObject("SELECT set_config('lock_timeout', ?, true)", String.class, timeout);
            try {
                jdbc.queryForObject(
                        "SELECT pg_advisory_xact_lock(?, hashtext(?))::text", String.class, LOCK_NAMESPACE, lockKey);
            } catch (DataAccessException e) {
                if (LOCK_NOT_AVAILABLE.equals(sqlState(e))) {
                    status.setRollbackOnly();
                    return new Turn.Missed<>();
                }
                throw e;
            }
            // The bound was for the turn; the record that follows must not fail on a short wait for a counter row
            // another account's attempt from the same address is writing.
            jdbc.execute("SET LOCAL lock_timeout TO DEFAULT");
            return new Turn.Ran<>(body.get());
        });
        return Objects.requireNonNull(turn, "transaction returned nothing");
    }

    @Override
    public Optional<AttemptCounter> find(String key, Instant now) {
        return read(key).filter(c -> !c.expiredAt(now));
    }

    @Override
    public AttemptCounter update(String key, Instant now, UnaryOperator<AttemptCounter> change) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<AttemptCounter> stored = read(key);
            AttemptCounter current = stored.filter(c -> !c.expiredAt(now)).orElse(AttemptCounter.NONE);
            AttemptCounter next = Objects.requireNonNull(change.apply(current), "change must not return null");
            if (stored.isEmpty() && postgres) {
                // No exception for a lost race: on PostgreSQL a failed statement would abort the transaction that
                // exclusively() may have open.
                int inserted = jdbc.update(
                        "INSERT INTO gh_attempt_counter (counter_key, failures, blocked_until, expires_at)"
                                + " VALUES (?, ?, ?, ?) ON CONFLICT (counter_key) DO NOTHING",
                        key,
                        next.failures(),
                        Timestamp.from(next.blockedUntil()),
                        Timestamp.from(next.expiresAt()));
                if (inserted == 1) {
                    return next;
                }
                continue; // another node created it first
            }
            if (stored.isEmpty()) {
                try {
                    jdbc.update(
                            "INSERT INTO gh_attempt_counter (counter_key, failures, blocked_until, expires_at)"
                                    + " VALUES (?, ?, ?, ?)",
                            key,
                            next.failures(),
                            Timestamp.from(next.blockedUntil()),
                            Timestamp.from(next.expiresAt()));
                    return next;
                } catch (DuplicateKeyException e) {
                    continue; // another node created it first
                }
            }
            AttemptCounter old = stored.get();
            int updated = jdbc.update(
                    "UPDATE gh_attempt_counter SET failures = ?, blocked_until = ?, expires_at = ?"
                            + " WHERE counter_key = ? AND failures = ? AND blocked_until = ? AND expires_at = ?",
                    next.failures(),
                    Timestamp.from(next.blockedUntil()),
                    Timestamp.from(next.expiresAt()),
                    key,
                    old.failures(),
                    Timestamp.from(old.blockedUntil()),
                    Timestamp.from(old.expiresAt()));
            if (updated == 1) {
                return next;
            }
        }
        throw new IllegalStateException("attempt counter is contended; giving up after " + MAX_ATTEMPTS + " tries");
    }

    /**
     * Deletes counters that expired before {@code now} (a counter is kept only while it can still delay or lock).
     *
     * @param now the current time
     * @return how many were deleted
     */
    public int purgeExpired(Instant now) {
        return jdbc.update("DELETE FROM gh_attempt_counter WHERE expires_at < ?", Timestamp.from(now));
    }

    @Override
    public void delete(String key) {
        jdbc.update("DELETE FROM gh_attempt_counter WHERE counter_key = ?", key);
    }

    private static boolean isPostgres(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which database the attempt counters are in", e);
        }
    }

    private static @Nullable String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    private Optional<AttemptCounter> read(String key) {
        List<AttemptCounter> rows = jdbc.query(
                "SELECT failures, blocked_until, expires_at FROM gh_attempt_counter WHERE counter_key = ?",
                (rs, n) -> new AttemptCounter(
                        rs.getInt(1),
                        rs.getTimestamp(2).toInstant(),
                        rs.getTimestamp(3).toInstant()),
                key);
        return rows.stream().findFirst();
    }
}
