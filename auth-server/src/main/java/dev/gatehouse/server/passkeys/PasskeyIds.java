package dev.gatehouse.server.passkeys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/** Credential ids as other packages see them (base64url without padding) and as audit names them. */
public final class PasskeyIds {

    /** WebAuthn Level 3 §5.1 (rawId) and §7.1 step 25: a credential id is at most 1023 bytes. */
    public static final int MAX_CREDENTIAL_ID_BYTES = 1023;

    private PasskeyIds() {}

    /**
     * The credential as audit details name it: the first 16 hex characters of the SHA-256 of the raw id, never the
     * id.
     *
     * @param rawId the raw credential id
     * @return 16 lower-case hex characters
     */
    public static String ref(byte[] rawId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(rawId);
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * {@link #ref(byte[])} of a base64url credential id, or of its text when it is not base64url.
     *
     * @param credentialId the base64url credential id
     * @return 16 lower-case hex characters
     */
    public static String ref(String credentialId) {
        byte[] raw = decode(credentialId);
        return ref(raw != null ? raw : credentialId.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The base64url (no padding) form of a raw credential id.
     *
     * @param rawId the raw id
     * @return its base64url form
     */
    public static String encode(byte[] rawId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(rawId);
    }

    /**
     * The raw id of a base64url credential id.
     *
     * @param credentialId base64url, with or without padding
     * @return the raw id, or {@code null} if it is not base64url or not 1..1023 bytes
     */
    public static byte @Nullable [] decode(@Nullable String credentialId) {
        if (credentialId == null || credentialId.isEmpty() || credentialId.length() > 1400) {
            return null;
        }
        try {
            byte[] raw = Base64.getUrlDecoder().decode(credentialId);
            return raw.length == 0 || raw.length > MAX_CREDENTIAL_ID_BYTES ? null : raw;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
