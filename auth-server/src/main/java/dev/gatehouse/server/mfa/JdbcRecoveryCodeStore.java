package dev.gatehouse.server.mfa;

import dev.gatehouse.core.mfa.RecoveryCodeStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionOperations;

/**
 * auth-core's {@link RecoveryCodeStore} in the server's database (table {@code gatehouse_recovery_code}). Only keyed
 * hashes are stored. Using a code is one {@code DELETE} of exactly that row, so of two concurrent uses exactly one
 * succeeds on any number of nodes; a new set replaces the old one in one transaction.
 */
public final class JdbcRecoveryCodeStore implements RecoveryCodeStore {

    private final JdbcTemplate jdbc;
    private final TransactionOperations transactions;

    /**
     * Creates the store.
     *
     * @param jdbc the JDBC template
     * @param transactions runs {@link #replaceAll} atomically
     */
    public JdbcRecoveryCodeStore(JdbcTemplate jdbc, TransactionOperations transactions) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.transactions = Objects.requireNonNull(transactions, "transactions must not be null");
    }

    @Override
    public void replaceAll(String userId, Set<String> hashes) {
        transactions.executeWithoutResult(status -> {
            jdbc.update("DELETE FROM gatehouse_recovery_code WHERE user_id = ?", userId);
            List<Object[]> rows = new ArrayList<>();
            for (String hash : hashes) {
                rows.add(new Object[] {userId, hash});
            }
            jdbc.batchUpdate("INSERT INTO gatehouse_recovery_code (user_id, code_hash) VALUES (?, ?)", rows);
        });
    }

    @Override
    public boolean consume(String userId, String hash) {
        return jdbc.update("DELETE FROM gatehouse_recovery_code WHERE user_id = ? AND code_hash = ?", userId, hash)
                == 1;
    }

    @Override
    public int remaining(String userId) {
        Integer n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM gatehouse_recovery_code WHERE user_id = ?", Integer.class, userId);
        return n == null ? 0 : n;
    }

    @Override
    public boolean deleteAll(String userId) {
        return jdbc.update("DELETE FROM gatehouse_recovery_code WHERE user_id = ?", userId) > 0;
    }
}
