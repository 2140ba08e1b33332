package dev.gatehouse.server.account;

import java.util.regex.Pattern;

/**
 * Passkey credential ids as the account pages take them and the audit shows them: base64url without padding
 * (WebAuthn Level 3 §5.1), at most 1023 raw bytes (§5.4.3 {@code credentialIdLength}). Audit events name them by
 * {@link dev.gatehouse.server.passkeys.PasskeyIds#ref(String)}, never in full.
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
}
