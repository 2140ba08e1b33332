package dev.gatehouse.server.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Passkey credential ids as the account pages take them and the audit shows them: base64url without padding
 * (WebAuthn Level 3 §5.1), at most 1023 raw bytes (§5.4.3 {@code credentialIdLength}); in audit events only the first
 * 16 hex characters of the SHA-256 of the raw id, never the id.
 */
final class CredentialIds {

    /** Longest base64url form of a 1023-byte id. */
    static final int MAX_LENGTH = 1364;

    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");

    private CredentialIds() {}

    /** Whether the value has the form of a credential id (its length is checked by {@link Inputs}). */
    static boolean wellFormed(String id) {
        return BASE64URL.matcher(id).matches();
    }

    /** The short hash of a credential id for audit events. */
    static String shortHash(String id) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(id);
        } catch (IllegalArgumentException notBase64url) {
            raw = id.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(raw))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
