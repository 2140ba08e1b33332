package dev.gatehouse.server.users;

import dev.gatehouse.core.throttle.AttemptCounter;
import dev.gatehouse.core.throttle.AttemptStore;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * auth-core's {@link AttemptStore} in the database, so login limits hold across all nodes. {@link #update} is an
 * optimistic compare-and-set: it reads the counter, applies the change, and writes only if the row still holds
 * what was read (an {@code INSERT} for a new key, whose primary key makes concurrent creators collide); a writer
 * that loses retries with the fresh value. Works the same on H2 and PostgreSQL, without row locks.
 */
public final class JdbcAttemptStore implements AttemptStore {

    private static final int MAX_ATTEMPTS = 10;

    private final JdbcTemplate jdbc;

    /**
     * Creates the store.
     *
     * @param jdbc the JDBC template
     */
    public JdbcAttemptStore(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
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
