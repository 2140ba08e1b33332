package dev.gatehouse.server.clients;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Client secrets: generated here (256 bits from a {@link SecureRandom}), stored as {@code {hmac-sha256}...}. Imported
 * clients may keep bcrypt secrets, written {@code {bcrypt}$2a$...} or bare {@code $2a$}/{@code $2b$}/{@code $2y$}
 * (as most other servers export them); Spring Authorization Server re-encodes them to HMAC after their next
 * successful authentication (its {@code upgradeEncoding} path).
 *
 * <p>Fails closed: any other stored value (unknown or missing prefix, malformed hash, {@code null}) and any
 * presented secret the delegate cannot process never match, so client authentication answers {@code 401
 * invalid_client} (RFC 6749 §5.2). Spring Security's {@link DelegatingPasswordEncoder} throws {@link
 * IllegalArgumentException} for an unmapped id, which Spring Authorization Server's {@code
 * ClientSecretAuthenticationProvider} does not catch (a server error instead of {@code invalid_client}).
 */
public final class ClientSecrets {

    /** Bytes of entropy in a generated secret. */
    public static final int SECRET_BYTES = 32;

    private final SecureRandom random;
    private final PasswordEncoder encoder;
    private final HmacClientSecretEncoder hmac;

    /**
     * Creates the generator and encoder.
     *
     * @param hmacKey the server's HMAC key (at least 32 bytes)
     * @param random randomness for secrets
     */
    public ClientSecrets(byte[] hmacKey, SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random must not be null");
        this.hmac = new HmacClientSecretEncoder(hmacKey);
        DelegatingPasswordEncoder delegating = new DelegatingPasswordEncoder(
                HmacClientSecretEncoder.ID,
                Map.of(HmacClientSecretEncoder.ID, hmac, "bcrypt", new BCryptPasswordEncoder()));
        delegating.setDefaultPasswordEncoderForMatches(new BareBcrypt());
        this.encoder = new FailClosed(delegating);
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
     * Whether a secret held as UTF-8 octets matches a stored hash, without making a {@code String} of it for the
     * {@code hmac-sha256} hashes every secret stored since gets (others, such as a bcrypt hash, through {@link
     * #encoder()}).
     *
     * @param rawUtf8 the secret's UTF-8 octets (not modified; the caller clears them)
     * @param encoded the stored hash, with its {@code {id}} prefix
     * @return whether they match
     */
    public boolean matchesUtf8(byte[] rawUtf8, String encoded) {
        String prefix = "{" + HmacClientSecretEncoder.ID + "}";
        if (encoded.startsWith(prefix)) {
            return hmac.matchesUtf8(rawUtf8, encoded.substring(prefix.length()));
        }
        return encoder.matches(new String(rawUtf8, java.nio.charset.StandardCharsets.UTF_8), encoded);
    }

    /**
     * The encoder for Spring Authorization Server's client authentication.
     *
     * @return the delegating encoder ({@code hmac-sha256} for new secrets, {@code bcrypt} accepted)
     */
    public PasswordEncoder encoder() {
        return encoder;
    }

    /**
     * For stored values without a known {@code {id}} prefix: a bare modular-crypt bcrypt hash is checked as bcrypt
     * (and, having no {@code {hmac-sha256}} prefix, is upgraded after a successful match); anything else never
     * matches.
     */
    private static final class BareBcrypt implements PasswordEncoder {

        /** Spring Security's own bcrypt shape; {@code $2x$} (the buggy crypt_blowfish variant) is not accepted. */
        private static final Pattern BCRYPT = Pattern.compile("\\A\\$2[aby]\\$\\d\\d\\$[./0-9A-Za-z]{53}\\z");

        private final BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder();

        @Override
        public String encode(@Nullable CharSequence rawPassword) {
            throw new UnsupportedOperationException("new secrets are encoded as " + HmacClientSecretEncoder.ID);
        }

        @Override
        public boolean matches(@Nullable CharSequence rawPassword, @Nullable String encodedPassword) {
            return rawPassword != null
                    && encodedPassword != null
                    && BCRYPT.matcher(encodedPassword).matches()
                    && bcrypt.matches(rawPassword, encodedPassword);
        }
    }

    /**
     * Any exception from matching (an unmapped id, a value a delegate cannot parse, a presented secret longer than
     * bcrypt accepts) is a non-match, never an error. The message is not logged: it may quote the stored value.
     */
    private static final class FailClosed implements PasswordEncoder {

        private final PasswordEncoder delegate;

        FailClosed(PasswordEncoder delegate) {
            this.delegate = delegate;
        }

        @Override
        public @Nullable String encode(@Nullable CharSequence rawPassword) {
            return delegate.encode(rawPassword);
        }

        @Override
        public boolean matches(@Nullable CharSequence rawPassword, @Nullable String encodedPassword) {
            if (rawPassword == null || encodedPassword == null) {
                return false;
            }
            try {
                return delegate.matches(rawPassword, encodedPassword);
            } catch (RuntimeException e) {
                return false;
            }
        }

        @Override
        public boolean upgradeEncoding(@Nullable String encodedPassword) {
            return encodedPassword != null && delegate.upgradeEncoding(encodedPassword);
        }
    }
}
