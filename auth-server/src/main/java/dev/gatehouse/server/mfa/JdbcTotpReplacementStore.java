package dev.gatehouse.server.mfa;

import dev.gatehouse.core.mfa.TotpAlgorithm;
import dev.gatehouse.core.mfa.TotpFactor;
import dev.gatehouse.core.mfa.TotpFactorStore;
import dev.gatehouse.core.mfa.TotpParameters;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@link TotpFactorStore} of replacement keys ({@code gh_totp_replacement}): the same rows as the starter's factor
 * store, one per user, compare-and-set on {@code version}, so a code of the new app confirms it once, on any node.
 */
final class JdbcTotpReplacementStore implements TotpFactorStore {

    private static final String COLUMNS =
            "user_id, sealed_secret, algorithm, digits, period_seconds, time_window, confirmed, last_step, version, created_at";

    private final JdbcTemplate jdbc;

    JdbcTotpReplacementStore(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
    }

    @Override
    public Optional<TotpFactor> find(String userId) {
        List<TotpFactor> rows = jdbc.query(
                "SELECT " + COLUMNS + " FROM gh_totp_replacement WHERE user_id = ?",
                JdbcTotpReplacementStore::map,
                userId);
        return rows.stream().findFirst();
    }

    @Override
    public boolean savePending(TotpFactor factor) {
        jdbc.update("DELETE FROM gh_totp_replacement WHERE user_id = ? AND confirmed = FALSE", factor.userId());
        try {
            jdbc.update(
                    "INSERT INTO gh_totp_replacement (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    factor.userId(),
                    factor.sealedSecret(),
                    factor.parameters().algorithm().name(),
                    factor.parameters().digits(),
                    (int) factor.parameters().period().toSeconds(),
                    factor.parameters().window(),
                    factor.confirmed(),
                    factor.lastAcceptedStep(),
                    factor.version(),
                    Timestamp.from(factor.createdAt()));
            return true;
        } catch (DuplicateKeyException e) {
            return false; // a confirmed replacement (about to be moved over) or a concurrent start is there
        }
    }

    @Override
    public boolean compareAndSet(TotpFactor current, TotpFactor next) {
        return jdbc.update(
                        "UPDATE gh_totp_replacement SET sealed_secret = ?, confirmed = ?, last_step = ?, version = ?"
                                + " WHERE user_id = ? AND version = ?",
                        next.sealedSecret(),
                        next.confirmed(),
                        next.lastAcceptedStep(),
                        next.version(),
                        current.userId(),
                        current.version())
                == 1;
    }

    @Override
    public boolean delete(String userId) {
        return jdbc.update("DELETE FROM gh_totp_replacement WHERE user_id = ?", userId) > 0;
    }

    private static TotpFactor map(ResultSet rs, int row) throws SQLException {
        return new TotpFactor(
                rs.getString("user_id"),
                rs.getString("sealed_secret"),
                new TotpParameters(
                        TotpAlgorithm.valueOf(rs.getString("algorithm")),
                        rs.getInt("digits"),
                        Duration.ofSeconds(rs.getInt("period_seconds")),
                        rs.getInt("time_window")),
                rs.getBoolean("confirmed"),
                rs.getLong("last_step"),
                rs.getLong("version"),
                rs.getTimestamp("created_at").toInstant());
    }
}
