package dev.gatehouse.server.keys;

import dev.gatehouse.core.jwt.KeyRepository;
import dev.gatehouse.core.jwt.KeyState;
import dev.gatehouse.core.jwt.StoredKey;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A {@link KeyRepository} in the database, safe for several nodes sharing it. {@link #replace} is a compare-and-set:
 * inside one transaction it bumps {@code gh_key_ring.version} only if it still holds the expected value (the
 * {@code UPDATE} takes the row lock, so concurrent writers serialise) and only then rewrites the keys. The loser of
 * a race sees zero updated rows, rolls back, and the key ring reloads and finds the rotation done.
 */
public final class JdbcKeyRepository implements KeyRepository {

    private static final int MAX_READ_ATTEMPTS = 5;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    /**
     * Creates the repository.
     *
     * @param jdbc the JDBC template
     * @param tx transactions on the same data source
     */
    public JdbcKeyRepository(JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.tx = Objects.requireNonNull(tx, "tx must not be null");
    }

    @Override
    public Snapshot load() {
        // Keys and version are read in separate statements; re-reading the version detects a writer in between.
        for (int attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
            // Empty when a writer came in between: the callback returns no null, which NullAway cannot type here.
            Optional<Snapshot> s = tx.execute(status -> {
                long before = version();
                List<StoredKey> keys =
                        jdbc.query("SELECT * FROM gh_signing_key ORDER BY position", JdbcKeyRepository::row);
                long after = version();
                return before == after ? Optional.of(new Snapshot(after, keys)) : Optional.empty();
            });
            if (s.isPresent()) {
                return s.get();
            }
        }
        throw new IllegalStateException("key ring is changing too fast to read a consistent snapshot");
    }

    @Override
    public boolean replace(long expectedVersion, List<StoredKey> keys) {
        Objects.requireNonNull(keys, "keys must not be null");
        Boolean written = tx.execute(status -> {
            int updated = jdbc.update(
                    "UPDATE gh_key_ring SET version = version + 1 WHERE id = 1 AND version = ?", expectedVersion);
            if (updated != 1) {
                status.setRollbackOnly();
                return false;
            }
            jdbc.update("DELETE FROM gh_signing_key");
            // The ring compares key lists by position, so they are read back in the order written.
            for (int i = 0; i < keys.size(); i++) {
                StoredKey k = keys.get(i);
                jdbc.update(
                        "INSERT INTO gh_signing_key (kid, position, algorithm, state, created_at, activated_at,"
                                + " retiring_at, public_jwk, sealed_private_jwk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        k.kid(),
                        i,
                        k.algorithm(),
                        k.state().name(),
                        ts(k.createdAt()),
                        ts(k.activatedAt()),
                        ts(k.retiringAt()),
                        k.publicJwk(),
                        k.sealedPrivateJwk());
            }
            return true;
        });
        return Boolean.TRUE.equals(written);
    }

    /** One primary-key read, so every node can poll it each second ({@link dev.gatehouse.core.jwt.KeyRing#refreshIfChanged()}). */
    @Override
    public long version() {
        Long v = jdbc.queryForObject("SELECT version FROM gh_key_ring WHERE id = 1", Long.class);
        return v == null ? 0 : v;
    }

    private static StoredKey row(ResultSet rs, int n) throws SQLException {
        return new StoredKey(
                rs.getString("kid"),
                rs.getString("algorithm"),
                KeyState.valueOf(rs.getString("state")),
                Objects.requireNonNull(instant(rs.getTimestamp("created_at"))),
                instant(rs.getTimestamp("activated_at")),
                instant(rs.getTimestamp("retiring_at")),
                rs.getString("public_jwk"),
                rs.getString("sealed_private_jwk"));
    }

    private static @Nullable Timestamp ts(@Nullable Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static @Nullable Instant instant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
