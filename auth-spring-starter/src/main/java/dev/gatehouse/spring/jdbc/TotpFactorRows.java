package dev.gatehouse.spring.jdbc;

import dev.gatehouse.core.mfa.TotpAlgorithm;
import dev.gatehouse.core.mfa.TotpFactor;
import dev.gatehouse.core.mfa.TotpParameters;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * How a {@link TotpFactor} is kept in a row, for {@link JdbcTotpFactorStore} and for other tables with the same
 * columns (auth-server keeps replacement keys in one): the key as the service sealed it (stored and read back
 * as it is, never unsealed here), its RFC 6238 parameters, whether it is confirmed, the last accepted time step
 * (RFC 6238 §5.2 replay protection) and the row's {@code version} for compare-and-set.
 */
public final class TotpFactorRows {

    private static final Pattern TABLE = Pattern.compile("[a-z][a-z0-9_]*");
    private static final String COLUMNS =
            "user_id, sealed_secret, algorithm, digits, period_seconds, time_window, confirmed, last_step, version, created_at";

    private TotpFactorRows() {}

    /**
     * The factor of a user.
     *
     * @param jdbc the JDBC template
     * @param table the table, a plain lower-case SQL name of the caller's own (never an outside input)
     * @param userId the user
     * @return the factor, or empty when the user has none in {@code table}
     */
    public static Optional<TotpFactor> find(JdbcTemplate jdbc, String table, String userId) {
        return jdbc
                .query(
                        "SELECT " + COLUMNS + " FROM " + checked(table) + " WHERE user_id = ?",
                        TotpFactorRows::map,
                        userId)
                .stream()
                .findFirst();
    }

    /**
     * Inserts a factor.
     *
     * @param jdbc the JDBC template
     * @param table the table, a plain lower-case SQL name of the caller's own
     * @param factor the factor, its key sealed
     * @throws DuplicateKeyException when the user has a row in {@code table} already
     */
    public static void insert(JdbcTemplate jdbc, String table, TotpFactor factor) {
        jdbc.update(
                "INSERT INTO " + checked(table) + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    }

    /**
     * Replaces the sealed key, the confirmation, the last accepted step and the version of {@code current}'s row,
     * only if its version is still {@code current}'s: of two nodes accepting the same code at once, one succeeds.
     *
     * @param jdbc the JDBC template
     * @param table the table, a plain lower-case SQL name of the caller's own
     * @param current the factor as read
     * @param next the factor to store
     * @return whether the row was replaced
     */
    public static boolean compareAndSet(JdbcTemplate jdbc, String table, TotpFactor current, TotpFactor next) {
        return jdbc.update(
                        "UPDATE " + checked(table) + " SET sealed_secret = ?, confirmed = ?, last_step = ?, version = ?"
                                + " WHERE user_id = ? AND version = ?",
                        next.sealedSecret(),
                        next.confirmed(),
                        next.lastAcceptedStep(),
                        next.version(),
                        current.userId(),
                        current.version())
                == 1;
    }

    private static String checked(String table) {
        Objects.requireNonNull(table, "table must not be null");
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("table must be a plain lower-case SQL name, got " + table);
        }
        return table;
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
