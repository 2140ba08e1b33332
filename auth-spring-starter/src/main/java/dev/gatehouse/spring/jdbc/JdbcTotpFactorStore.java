package dev.gatehouse.spring.jdbc;

import dev.gatehouse.core.mfa.TotpFactor;
import dev.gatehouse.core.mfa.TotpFactorStore;
import java.util.Objects;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link TotpFactorStore} on a relational database (table {@code gatehouse_totp_factor}, see {@code
 * dev/gatehouse/spring/jdbc/schema.sql}). Secrets are stored sealed, as the service hands them over. Updates
 * are compare-and-set on the {@code version} column, so two nodes accepting the same code at once cannot
 * both succeed (RFC 6238 §5.2 replay protection holds across nodes).
 */
public final class JdbcTotpFactorStore implements TotpFactorStore {

    private static final String TABLE = "gatehouse_totp_factor";

    private final JdbcTemplate jdbc;

    /**
     * A store on the given template.
     *
     * @param jdbc the JDBC template
     */
    public JdbcTotpFactorStore(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
    }

    @Override
    public Optional<TotpFactor> find(String userId) {
        return TotpFactorRows.find(jdbc, TABLE, userId);
    }

    @Override
    public boolean savePending(TotpFactor factor) {
        jdbc.update("DELETE FROM gatehouse_totp_factor WHERE user_id = ? AND confirmed = FALSE", factor.userId());
        try {
            TotpFactorRows.insert(jdbc, TABLE, factor);
            return true;
        } catch (DuplicateKeyException e) {
            return false; // a confirmed factor (or a concurrent enrolment) is already there
        }
    }

    @Override
    public boolean compareAndSet(TotpFactor current, TotpFactor next) {
        return TotpFactorRows.compareAndSet(jdbc, TABLE, current, next);
    }

    @Override
    public boolean delete(String userId) {
        return jdbc.update("DELETE FROM gatehouse_totp_factor WHERE user_id = ?", userId) > 0;
    }
}
