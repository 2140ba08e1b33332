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
 * auth-core's {@link TotpFactorStore} in the server's database (table {@code gatehouse_totp_factor}, keyed by username).
 * Secrets are stored sealed, as {@code TotpService} hands them over. Updates are a compare-and-set on {@code
 * version}, so two nodes accepting the same code at once cannot both succeed (RFC 6238 §5.2 across nodes).
 */
public final class JdbcTotpFactorStore implements TotpFactorStore {

    private static final String COLUMNS = "user_id, sealed_secret, algorithm, digits, period_seconds, time_window,"
            + " confirmed, last_step, version, created_at";

    private final JdbcTemplate jdbc;

    /**
     * Creates the store.
     *
     * @param jdbc the JDBC template
     */
    public JdbcTotpFactorStore(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
    }

    @Override
    public Optional<TotpFactor> find(String userId) {
        List<TotpFactor> rows = jdbc.query(
                "SELECT " + COLUMNS + " FROM gatehouse_totp_factor WHERE user_id = ?",
                JdbcTotpFactorStore::map,
                userId);
        return rows.stream().findFirst();
    }

    @Override
    public boolean savePending(TotpFactor factor) {
        jdbc.update("DELETE FROM gatehouse_totp_factor WHERE user_id = ? AND confirmed = FALSE", factor.userId());
        try {
            jdbc.update(
                    "INSERT INTO gatehouse_totp_factor (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            return false; // a confirmed factor (or a concurrent enrolment) is already there
        }
    }

    @Override
    public boolean compareAndSet(TotpFactor current, TotpFactor next) {
        return jdbc.update(
                        "UPDATE gatehouse_totp_factor SET sealed_secret = ?, confirmed = ?, last_step = ?, version = ?"
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
        return jdbc.update("DELETE FROM gatehouse_totp_factor WHERE user_id = ?", userId) > 0;
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
