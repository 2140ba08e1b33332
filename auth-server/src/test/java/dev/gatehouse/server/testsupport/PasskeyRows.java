package dev.gatehouse.server.testsupport;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Passkeys written straight into the passkeys package's tables, for tests of what reads and removes them (the account
 * page, the admin API) without a registration ceremony. The key material is random bytes: such a passkey lists and
 * removes like any other but never signs anyone in.
 */
public final class PasskeyRows {

    private static final SecureRandom RANDOM = new SecureRandom();

    private PasskeyRows() {}

    /**
     * Adds a passkey to a user (and the user's WebAuthn user handle, if the user has none yet).
     *
     * @param jdbc the server's database
     * @param username the owner
     * @param label its label
     * @param backupEligible whether it is a synced passkey
     * @param transports its transports
     * @param created when it was registered
     * @return its base64url credential id
     */
    public static String add(
            JdbcTemplate jdbc,
            String username,
            String label,
            boolean backupEligible,
            List<String> transports,
            Instant created) {
        List<byte[]> handles = jdbc.query(
                "SELECT user_handle FROM gh_passkey_user WHERE username = ?", (rs, n) -> rs.getBytes(1), username);
        byte[] handle;
        if (handles.isEmpty()) {
            handle = bytes(32);
            jdbc.update(
                    "INSERT INTO gh_passkey_user (user_handle, username, display_name) VALUES (?, ?, ?)",
                    handle,
                    username,
                    username);
        } else {
            handle = handles.get(0);
        }
        byte[] id = bytes(16);
        jdbc.update(
                "INSERT INTO gh_passkey (credential_id, user_handle, label, credential_type, public_key,"
                        + " signature_count, uv_initialized, backup_eligible, backup_state, transports, created_at)"
                        + " VALUES (?, ?, ?, 'public-key', ?, 0, TRUE, ?, FALSE, ?, ?)",
                id,
                handle,
                label,
                bytes(77),
                backupEligible,
                String.join(",", transports),
                Timestamp.from(created));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
