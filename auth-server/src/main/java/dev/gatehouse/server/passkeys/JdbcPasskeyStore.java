package dev.gatehouse.server.passkeys;

import dev.gatehouse.server.passkeys.PasskeyCeremonyException.Reason;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.security.web.webauthn.api.AuthenticatorTransport;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.CredentialRecord;
import org.springframework.security.web.webauthn.api.ImmutableCredentialRecord;
import org.springframework.security.web.webauthn.api.ImmutablePublicKeyCose;
import org.springframework.security.web.webauthn.api.ImmutablePublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialType;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.management.PublicKeyCredentialUserEntityRepository;
import org.springframework.security.web.webauthn.management.UserCredentialRepository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The passkey tables ({@code gh_passkey_user}, {@code gh_passkey}) for Spring's relying party (its user-entity and
 * credential repositories) and for the rest of the server ({@link Passkeys}). Shared by every node through the
 * database; times from the injected clock.
 *
 * <p>{@link #save(CredentialRecord)} of an id already stored is Spring's update after a verified assertion. It is one
 * conditional {@code UPDATE} that succeeds only if the new signature counter is greater than the stored one, or both
 * are zero (WebAuthn Level 3 §6.1.1, §7.2 step 21), so two nodes verifying the same counter value cannot both win;
 * otherwise it throws {@link SignatureCounterRegression} and changes nothing.
 */
final class JdbcPasskeyStore implements Passkeys, PublicKeyCredentialUserEntityRepository, UserCredentialRepository {

    /** Bounds of the columns (V19), checked before writing so a refusal has a clear message. */
    static final int MAX_USER_HANDLE_BYTES = 64;

    static final int MAX_NAME_CHARS = 200;
    static final int MAX_LABEL_CHARS = 64;
    static final int MAX_PUBLIC_KEY_BYTES = 2048;
    static final int MAX_ATTESTATION_OBJECT_BYTES = 16384;
    static final int MAX_CLIENT_DATA_BYTES = 4096;
    private static final int MAX_TRANSPORTS_CHARS = 200;
    private static final Pattern TRANSPORT = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private static final String PASSKEY_COLUMNS = "p.credential_id, p.user_handle, p.label, p.credential_type,"
            + " p.public_key, p.signature_count, p.uv_initialized, p.backup_eligible, p.backup_state, p.transports,"
            + " p.attestation_object, p.attestation_client_data, p.created_at, p.last_used_at";

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final TransactionTemplate transactions;

    JdbcPasskeyStore(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(
                Objects.requireNonNull(jdbc.getDataSource(), "jdbc must have a data source")));
    }

    // ---- Passkeys (read API for other packages)

    @Override
    public List<Passkey> list(String username) {
        return jdbc.query(
                "SELECT p.credential_id, p.label, p.created_at, p.last_used_at, p.backup_eligible, p.backup_state,"
                        + " p.transports FROM gh_passkey p JOIN gh_passkey_user u ON u.user_handle = p.user_handle"
                        + " WHERE u.username = ? ORDER BY p.created_at, p.credential_id",
                (rs, n) -> new Passkey(
                        PasskeyIds.encode(rs.getBytes(1)),
                        rs.getString(2),
                        rs.getTimestamp(3).toInstant(),
                        instantOrNull(rs.getTimestamp(4)),
                        rs.getBoolean(5),
                        rs.getBoolean(6),
                        transportList(rs.getString(7))),
                username);
    }

    @Override
    public boolean hasAny(String username) {
        Integer count = jdbc.queryForObject(
                "SELECT COUNT(*) FROM gh_passkey p JOIN gh_passkey_user u ON u.user_handle = p.user_handle"
                        + " WHERE u.username = ?",
                Integer.class,
                username);
        return count != null && count > 0;
    }

    @Override
    public boolean remove(String username, String credentialId) {
        byte[] raw = PasskeyIds.decode(credentialId);
        if (raw == null) {
            return false;
        }
        return jdbc.update(
                        "DELETE FROM gh_passkey WHERE credential_id = ? AND user_handle IN"
                                + " (SELECT user_handle FROM gh_passkey_user WHERE username = ?)",
                        raw,
                        username)
                > 0;
    }

    @Override
    public Removal removeUnlessLast(String username, String credentialId) {
        byte[] raw = PasskeyIds.decode(credentialId);
        if (raw == null) {
            return Removal.UNKNOWN;
        }
        Removal removal = transactions.execute(status -> {
            // The user's entity row locked (FOR UPDATE) for the transaction: a concurrent removal of another of the
            // user's passkeys waits, and its count below then sees this one gone (READ COMMITTED reads each statement
            // afresh). The count and the delete are one statement.
            List<byte[]> handles = jdbc.query(
                    "SELECT user_handle FROM gh_passkey_user WHERE username = ? FOR UPDATE",
                    (rs, n) -> rs.getBytes(1),
                    username);
            if (handles.size() != 1) {
                return Removal.UNKNOWN;
            }
            byte[] handle = handles.get(0);
            int deleted = jdbc.update(
                    "DELETE FROM gh_passkey WHERE credential_id = ? AND user_handle = ?"
                            + " AND (SELECT COUNT(*) FROM gh_passkey o WHERE o.user_handle = ?) > 1",
                    raw,
                    handle,
                    handle);
            if (deleted > 0) {
                return Removal.REMOVED;
            }
            Integer own = jdbc.queryForObject(
                    "SELECT COUNT(*) FROM gh_passkey WHERE credential_id = ? AND user_handle = ?",
                    Integer.class,
                    raw,
                    handle);
            return own != null && own > 0 ? Removal.LAST : Removal.UNKNOWN;
        });
        return removal == null ? Removal.UNKNOWN : removal;
    }

    @Override
    public int removeAll(String username) {
        return jdbc.update(
                "DELETE FROM gh_passkey WHERE user_handle IN"
                        + " (SELECT user_handle FROM gh_passkey_user WHERE username = ?)",
                username);
    }

    // ---- PublicKeyCredentialUserEntityRepository

    @Override
    public @Nullable PublicKeyCredentialUserEntity findById(Bytes id) {
        return jdbc
                .query(
                        "SELECT user_handle, username, display_name FROM gh_passkey_user WHERE user_handle = ?",
                        JdbcPasskeyStore::userEntity,
                        id.getBytes())
                .stream()
                .findFirst()
                .orElse(null);
    }

    @Override
    public @Nullable PublicKeyCredentialUserEntity findByUsername(String username) {
        return jdbc
                .query(
                        "SELECT user_handle, username, display_name FROM gh_passkey_user WHERE username = ?",
                        JdbcPasskeyStore::userEntity,
                        username)
                .stream()
                .findFirst()
                .orElse(null);
    }

    /**
     * Stores a user entity (Spring's relying party makes one, with a random 32-byte handle, when the user first asks
     * for creation options); an existing handle gets the new display name.
     */
    @Override
    public void save(PublicKeyCredentialUserEntity userEntity) {
        byte[] handle = userEntity.getId().getBytes();
        if (handle.length == 0 || handle.length > MAX_USER_HANDLE_BYTES) {
            throw new IllegalArgumentException("a user handle is 1 to 64 bytes (WebAuthn Level 3 §5.4.3)");
        }
        String name = userEntity.getName();
        String displayName = Objects.requireNonNullElse(userEntity.getDisplayName(), name);
        if (name.isEmpty() || name.length() > MAX_NAME_CHARS) {
            throw new IllegalArgumentException("a passkey user's name is 1 to 200 characters");
        }
        if (displayName.length() > MAX_NAME_CHARS) {
            displayName = displayName.substring(0, MAX_NAME_CHARS);
        }
        int updated = jdbc.update(
                "UPDATE gh_passkey_user SET display_name = ? WHERE user_handle = ? AND username = ?",
                displayName,
                handle,
                name);
        if (updated == 0) {
            jdbc.update(
                    "INSERT INTO gh_passkey_user (user_handle, username, display_name) VALUES (?, ?, ?)",
                    handle,
                    name,
                    displayName);
        }
    }

    /**
     * Spring's {@code UserCredentialRepository.delete(Bytes)} (a credential id) and {@code
     * PublicKeyCredentialUserEntityRepository.delete(Bytes)} (a user handle) share one erasure. A credential with this
     * id goes first, and only that; otherwise the user entity with this handle goes, and with it (ON DELETE CASCADE)
     * its passkeys. Credential ids are chosen by authenticators, so the credential is tried first: an id made equal to
     * someone's user handle can then only ever delete that credential itself.
     */
    @Override
    public void delete(Bytes id) {
        if (jdbc.update("DELETE FROM gh_passkey WHERE credential_id = ?", id.getBytes()) == 0) {
            jdbc.update("DELETE FROM gh_passkey_user WHERE user_handle = ?", id.getBytes());
        }
    }

    // ---- UserCredentialRepository

    /**
     * Registers a new credential, or records a verified assertion on a stored one.
     *
     * @throws PasskeyCeremonyException ({@link Reason#LABEL}) for a label that is empty, longer than 64 characters or
     *     has control characters; ({@link Reason#MALFORMED}) for values beyond the columns' bounds; ({@link
     *     Reason#ALREADY_REGISTERED}) for an id stored for another user or key
     * @throws SignatureCounterRegression when the stored credential's counter would not increase
     */
    @Override
    public void save(CredentialRecord credentialRecord) {
        byte[] id = credentialRecord.getCredentialId().getBytes();
        byte[] handle = credentialRecord.getUserEntityUserId().getBytes();
        byte[] publicKey = credentialRecord.getPublicKey().getBytes();
        long count = credentialRecord.getSignatureCount();
        if (id.length == 0 || id.length > PasskeyIds.MAX_CREDENTIAL_ID_BYTES) {
            throw new PasskeyCeremonyException(
                    Reason.MALFORMED, "A credential id is 1 to 1023 bytes (WebAuthn Level 3 §5.1)");
        }
        if (count < 0 || count > 0xFFFFFFFFL) {
            throw new PasskeyCeremonyException(
                    Reason.MALFORMED, "A signature counter is an unsigned 32-bit number (WebAuthn Level 3 §6.1)");
        }
        // A verified assertion (WebAuthn Level 3 §7.2 step 21): one statement, so the counter check and the write are
        // atomic across nodes. The same user handle and key are required, so that nothing but the owner's own
        // credential is ever touched.
        int updated = jdbc.update(
                "UPDATE gh_passkey SET signature_count = ?, last_used_at = ? WHERE credential_id = ? AND user_handle = ?"
                        + " AND public_key = ? AND (signature_count < ? OR (signature_count = 0 AND ? = 0))",
                count,
                Timestamp.from(clock.instant()),
                id,
                handle,
                publicKey,
                count,
                count);
        if (updated == 1) {
            return;
        }
        CredentialRecord stored = findByCredentialId(credentialRecord.getCredentialId());
        if (stored != null) {
            if (Arrays.equals(stored.getUserEntityUserId().getBytes(), handle)
                    && Arrays.equals(stored.getPublicKey().getBytes(), publicKey)) {
                PublicKeyCredentialUserEntity owner = findById(stored.getUserEntityUserId());
                throw new SignatureCounterRegression(PasskeyIds.ref(id), owner == null ? null : owner.getName());
            }
            throw new PasskeyCeremonyException(
                    Reason.ALREADY_REGISTERED,
                    "This passkey is already registered (credential " + PasskeyIds.ref(id) + ")");
        }
        insert(credentialRecord, id, handle, publicKey, count);
    }

    private void insert(CredentialRecord record, byte[] id, byte[] handle, byte[] publicKey, long count) {
        String label = validLabel(record.getLabel());
        if (handle.length == 0 || handle.length > MAX_USER_HANDLE_BYTES) {
            throw new PasskeyCeremonyException(
                    Reason.MALFORMED, "A user handle is 1 to 64 bytes (WebAuthn Level 3 §5.4.3)");
        }
        if (publicKey.length == 0 || publicKey.length > MAX_PUBLIC_KEY_BYTES) {
            throw new PasskeyCeremonyException(Reason.MALFORMED, "The passkey's public key is empty or too long");
        }
        byte[] attestationObject = bytesOrNull(record.getAttestationObject());
        byte[] clientData = bytesOrNull(record.getAttestationClientDataJSON());
        if (attestationObject != null && attestationObject.length > MAX_ATTESTATION_OBJECT_BYTES) {
            throw new PasskeyCeremonyException(Reason.MALFORMED, "The attestation object is too long");
        }
        if (clientData != null && clientData.length > MAX_CLIENT_DATA_BYTES) {
            throw new PasskeyCeremonyException(Reason.MALFORMED, "The clientDataJSON is too long");
        }
        PublicKeyCredentialType type = record.getCredentialType();
        String typeValue = type == null ? PublicKeyCredentialType.PUBLIC_KEY.getValue() : type.getValue();
        if (!"public-key".equals(typeValue)) {
            throw new PasskeyCeremonyException(
                    Reason.MALFORMED, "Only public-key credentials are supported (WebAuthn Level 3 §5.8.2)");
        }
        jdbc.update(
                "INSERT INTO gh_passkey (credential_id, user_handle, label, credential_type, public_key,"
                        + " signature_count, uv_initialized, backup_eligible, backup_state, transports,"
                        + " attestation_object, attestation_client_data, created_at, last_used_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                id,
                handle,
                label,
                typeValue,
                publicKey,
                count,
                record.isUvInitialized(),
                record.isBackupEligible(),
                record.isBackupState(),
                transportText(record.getTransports()),
                attestationObject,
                clientData,
                Timestamp.from(clock.instant()));
    }

    /**
     * Records the backup state (BS flag) an accepted assertion reported: it can change over a credential's life
     * (WebAuthn Level 3 §6.1.3), and Spring's update after an assertion carries only the counter.
     *
     * @param credentialId the raw credential id
     * @param backedUp the BS flag of the assertion
     */
    void recordBackupState(byte[] credentialId, boolean backedUp) {
        jdbc.update(
                "UPDATE gh_passkey SET backup_state = ? WHERE credential_id = ? AND backup_state <> ?",
                backedUp,
                credentialId,
                backedUp);
    }

    @Override
    public @Nullable CredentialRecord findByCredentialId(Bytes credentialId) {
        return jdbc
                .query(
                        "SELECT " + PASSKEY_COLUMNS + " FROM gh_passkey p WHERE p.credential_id = ?",
                        CREDENTIAL,
                        credentialId.getBytes())
                .stream()
                .findFirst()
                .orElse(null);
    }

    @Override
    public List<CredentialRecord> findByUserId(Bytes userId) {
        return jdbc.query(
                "SELECT " + PASSKEY_COLUMNS
                        + " FROM gh_passkey p WHERE p.user_handle = ? ORDER BY p.created_at, p.credential_id",
                CREDENTIAL,
                userId.getBytes());
    }

    // ---- helpers

    /**
     * A passkey label as stored: trimmed, 1 to 64 characters, no control characters.
     *
     * @param label the label the user gave
     * @return it, trimmed
     * @throws PasskeyCeremonyException ({@link Reason#LABEL}) otherwise
     */
    static String validLabel(@Nullable String label) {
        String trimmed = label == null ? "" : label.strip();
        if (trimmed.isEmpty()) {
            throw new PasskeyCeremonyException(Reason.LABEL, "A passkey needs a label (1 to 64 characters)");
        }
        if (trimmed.length() > MAX_LABEL_CHARS) {
            throw new PasskeyCeremonyException(Reason.LABEL, "A passkey label is at most 64 characters");
        }
        if (trimmed.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
            throw new PasskeyCeremonyException(Reason.LABEL, "A passkey label cannot contain control characters");
        }
        return trimmed;
    }

    private static final RowMapper<CredentialRecord> CREDENTIAL = (rs, n) -> {
        Instant created = rs.getTimestamp("created_at").toInstant();
        Instant lastUsed = instantOrNull(rs.getTimestamp("last_used_at"));
        byte[] attestationObject = rs.getBytes("attestation_object");
        byte[] clientData = rs.getBytes("attestation_client_data");
        Set<AuthenticatorTransport> transports = new LinkedHashSet<>();
        for (String t : transportList(rs.getString("transports"))) {
            transports.add(AuthenticatorTransport.valueOf(t));
        }
        return ImmutableCredentialRecord.builder()
                .credentialId(new Bytes(rs.getBytes("credential_id")))
                .userEntityUserId(new Bytes(rs.getBytes("user_handle")))
                .label(rs.getString("label"))
                .credentialType(PublicKeyCredentialType.valueOf(rs.getString("credential_type")))
                .publicKey(new ImmutablePublicKeyCose(rs.getBytes("public_key")))
                .signatureCount(rs.getLong("signature_count"))
                .uvInitialized(rs.getBoolean("uv_initialized"))
                .backupEligible(rs.getBoolean("backup_eligible"))
                .backupState(rs.getBoolean("backup_state"))
                .transports(transports)
                .attestationObject(attestationObject == null ? null : new Bytes(attestationObject))
                .attestationClientDataJSON(clientData == null ? null : new Bytes(clientData))
                .created(created)
                // CredentialRecord.getLastUsed() is not nullable: a passkey never used reports its creation.
                .lastUsed(lastUsed != null ? lastUsed : created)
                .build();
    };

    private static PublicKeyCredentialUserEntity userEntity(ResultSet rs, int n) throws SQLException {
        return ImmutablePublicKeyCredentialUserEntity.builder()
                .id(new Bytes(rs.getBytes(1)))
                .name(rs.getString(2))
                .displayName(rs.getString(3))
                .build();
    }

    private static @Nullable Instant instantOrNull(@Nullable Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static byte @Nullable [] bytesOrNull(@Nullable Bytes bytes) {
        return bytes == null ? null : bytes.getBytes();
    }

    /** The transports as stored: known-shaped values only, comma-separated, within the column's 200 characters. */
    static String transportText(@Nullable Set<AuthenticatorTransport> transports) {
        StringBuilder text = new StringBuilder();
        if (transports != null) {
            for (String value : transports.stream()
                    .map(AuthenticatorTransport::getValue)
                    .filter(v -> v != null && TRANSPORT.matcher(v).matches())
                    .sorted()
                    .distinct()
                    .toList()) {
                if (text.length() + value.length() + 1 > MAX_TRANSPORTS_CHARS) {
                    break;
                }
                if (!text.isEmpty()) {
                    text.append(',');
                }
                text.append(value);
            }
        }
        return text.toString();
    }

    private static List<String> transportList(@Nullable String text) {
        List<String> list = new ArrayList<>();
        if (text != null && !text.isEmpty()) {
            for (String value : text.split(",")) {
                if (!value.isEmpty()) {
                    list.add(value);
                }
            }
        }
        return list;
    }
}
