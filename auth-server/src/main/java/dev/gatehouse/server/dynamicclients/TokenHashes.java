package dev.gatehouse.server.dynamicclients;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The bearer tokens of registration: 256 random bits, base64url, kept in the database only as their SHA-256 (a
 * token of that entropy needs no salt or slow hash: the hash cannot be inverted, and a read of the database gives no
 * usable token).
 */
final class TokenHashes {

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private TokenHashes() {}

    static String newToken(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return BASE64URL.encodeToString(bytes);
    }

    /** A new {@code client_id}: 144 random bits, base64url (24 characters). */
    static String newClientId(SecureRandom random) {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        return BASE64URL.encodeToString(bytes);
    }

    /** The stored form, 43 characters. */
    static String hash(String token) {
        try {
            return BASE64URL.encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
