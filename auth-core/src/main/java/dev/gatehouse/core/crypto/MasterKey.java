package dev.gatehouse.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Function;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The operator's 256-bit key-encryption key. It never leaves the process: it is supplied (environment
 * variable {@value #ENVIRONMENT_VARIABLE}, 32 random bytes in Base64) and identified by a short id
 * derived from it, so sealed values say which master key they need without revealing it.
 */
public final class MasterKey {

    /** The environment variable the CLI and server read the master key from. */
    public static final String ENVIRONMENT_VARIABLE = "GATEHOUSE_MASTER_KEY";

    private final SecretKeySpec key;
    private final byte[] id;
    private final boolean development;

    private MasterKey(byte[] key, boolean development) {
        this.key = new SecretKeySpec(key, "AES");
        this.id = deriveId(key);
        this.development = development;
        Arrays.fill(key, (byte) 0);
    }

    /**
     * A master key from 32 bytes given in standard or URL-safe Base64.
     *
     * @param base64 the key, e.g. the output of {@code openssl rand -base64 32}
     * @return the master key
     * @throws CryptoException if it is not Base64 of exactly 32 bytes
     */
    public static MasterKey fromBase64(String base64) {
        Objects.requireNonNull(base64, "base64 must not be null");
        byte[] raw;
        try {
            String s = base64.strip();
            raw = (s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
        } catch (IllegalArgumentException e) {
            throw new CryptoException(CryptoException.Reason.INVALID_MASTER_KEY, "master key is not valid Base64");
        }
        if (raw.length != 32) {
            Arrays.fill(raw, (byte) 0);
            throw new CryptoException(
                    CryptoException.Reason.INVALID_MASTER_KEY,
                    "master key must be 32 bytes (256 bits) of Base64, e.g. `openssl rand -base64 32`; got "
                            + raw.length + " bytes");
        }
        return new MasterKey(raw, false);
    }

    /**
     * The master key from {@value #ENVIRONMENT_VARIABLE}.
     *
     * @param environment a lookup such as {@code System::getenv}
     * @return the master key
     * @throws CryptoException if the variable is unset or invalid
     */
    public static MasterKey fromEnvironment(Function<String, @Nullable String> environment) {
        String value = environment.apply(ENVIRONMENT_VARIABLE);
        if (value == null || value.isBlank()) {
            throw new CryptoException(
                    CryptoException.Reason.INVALID_MASTER_KEY,
                    ENVIRONMENT_VARIABLE + " is not set; set it to 32 random bytes in Base64 "
                            + "(e.g. `openssl rand -base64 32`)");
        }
        return fromBase64(value);
    }

    /**
     * A new random master key.
     *
     * @param random a strong generator
     * @return the key
     */
    public static MasterKey generate(SecureRandom random) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        return new MasterKey(raw, false);
    }

    /**
     * A random key that lives only in this process, for <strong>development mode only</strong>: everything
     * sealed under it is unreadable after a restart. {@link #development()} reports it so servers can
     * refuse it in production and say so loudly.
     *
     * @return an ephemeral development key
     */
    public static MasterKey ephemeralForDevelopment() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return new MasterKey(raw, true);
    }

    /**
     * Whether this is an ephemeral development key.
     *
     * @return {@code true} for {@link #ephemeralForDevelopment()}
     */
    public boolean development() {
        return development;
    }

    /**
     * A public identifier of this key: the first 8 bytes of SHA-256("gatehouse-master-key-id" || key), hex.
     *
     * @return the key id
     */
    public String id() {
        return HexFormat.of().formatHex(id);
    }

    byte[] idBytes() {
        return id.clone();
    }

    SecretKeySpec secretKey() {
        return key;
    }

    private static byte[] deriveId(byte[] key) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("gatehouse-master-key-id".getBytes(StandardCharsets.US_ASCII));
            return Arrays.copyOf(sha256.digest(key), 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
        }
    }

    @Override
    public String toString() {
        return "MasterKey[id=" + id() + (development ? ", DEVELOPMENT" : "") + "]";
    }
}
