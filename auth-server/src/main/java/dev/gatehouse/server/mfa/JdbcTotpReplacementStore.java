package dev.gatehouse.server.mfa;

import dev.gatehouse.core.mfa.TotpFactor;
import dev.gatehouse.core.mfa.TotpFactorStore;
import dev.gatehouse.spring.jdbc.TotpFactorRows;
import java.util.Objects;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@link TotpFactorStore} of replacement keys ({@code gh_totp_replacement}): the same rows as the starter's factor
 * store, one per user, compare-and-set on {@code version}, so a code of the new app confirms it once, on any node.
 */
final class JdbcTotpReplacementStore implements TotpFactorStore {

    private static final String TABLE = "gh_totp_replacement";

    private final JdbcTemplate jdbc;

    JdbcTotpReplacementStore(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
    }

    @Override
    public Optional<TotpFactor> find(String userId) {
        return TotpFactorRows.find(jdbc, TABLE, userId);
    }

    @Override
    public boolean savePending(TotpFactor factor) {
        jdbc.update("DELETE FROM gh_totp_replacement WHERE user_id = ? AND confirmed = FALSE", factor.userId());
        try {
            TotpFactorRows.insert(jdbc, TABLE, factor);
            return true;
        } catch (DuplicateKeyException e) {
            return false; // a confirmed replacement (about to be moved over) or a concurrent start is there
        }
    }

    @Override
    public boolean compareAndSet(TotpFactor current, TotpFactor next) {
        return TotpFactorRows.compareAndSet(jdbc, TABLE, current, next);
    }

    @Override
    public boolean delete(String userId) {
        return jdbc.update("DELETE FROM gh_totp_replacement WHERE user_id = ?", userId) > 0;
    }
}
