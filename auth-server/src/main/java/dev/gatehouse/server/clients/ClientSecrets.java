package dev.gatehouse.server.clients;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Client secrets: generated here (256 bits from a {@link SecureRandom}), stored as {@code {hmac-sha256}...}. Imported
 * clients may keep {@code {bcrypt}...} secrets; Spring Authorization Server re-encodes them to HMAC after their next
 * successful authentication (its {@code upgradeEncoding} path). Anything else is refused.
 */
public final class ClientSecrets {

    /** Bytes of entropy in a generated secret. */
    public static final int SECRET_BYTES = 32;

    private final SecureRandom random;
    private final PasswordEncoder encoder;

    /**
     * Creates the generator and encoder.
     *
     * @param hmacKey the server's HMAC key (at least 32 bytes)
     * @param random randomness for secrets
     */
    public ClientSecrets(byte[] hmacKey, SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random must not be null");
        DelegatingPasswordEncoder delegating = new DelegatingPasswordEncoder(
                HmacClientSecretEncoder.ID,
                Map.of(
                        HmacClientSecretEncoder.ID,
                        new HmacClientSecretEncoder(hmacKey),
                        "bcrypt",
                        new BCryptPasswordEncoder()));
        this.encoder = delegating;
    }

    /**
     * A new secret: 32 random bytes, Base64url without padding (43 characters).
     *
     * @return the secret, to hand to the client operator once
     */
    public String generate() {
        byte[] raw = new byte[SECRET_BYTES];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /**
     * The encoder for Spring Authorization Server's client authentication.
     *
     * @return the delegating encoder ({@code hmac-sha256} for new secrets, {@code bcrypt} accepted)
     */
    public PasswordEncoder encoder() {
        return encoder;
    }
}
