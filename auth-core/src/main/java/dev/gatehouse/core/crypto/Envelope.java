package dev.gatehouse.core.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of secrets at rest (private signing keys, TOTP secrets). Each value gets a fresh
 * 256-bit data key; the value is sealed with AES-256-GCM under the data key, and the data key with
 * AES-256-GCM under the {@link MasterKey}. A context string (e.g. {@code "totp:user-42"} or {@code
 * "jwk:kid"}) is bound in as associated data on both layers, so a sealed value copied to another row
 * does not open there.
 *
 * <p>Format: {@code ghe1.} then unpadded Base64url of {@code version(1) || masterKeyId(8) || nonce(12) ||
 * wrappedDataKey(32+16) || nonce(12) || ciphertext+tag(16)}. Master keys rotate: hold the old ones with
 * {@link #withPreviousKey} and re-seal what {@link #needsReseal} reports.
 *
 * <p>Immutable and thread-safe.
 */
public final class Envelope {

    private static final String PREFIX = "ghe1.";
    private static final byte VERSION = 1;
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final int WRAPPED_KEY = 32 + TAG_BITS / 8;
    private static final int HEADER = 1 + 8;

    private final MasterKey current;
    private final Map<String, MasterKey> keys;
    private final SecureRandom random;

    private Envelope(MasterKey current, Map<String, MasterKey> keys, SecureRandom random) {
        this.current = current;
        this.keys = Map.copyOf(keys);
        this.random = random;
    }

    /**
     * An envelope sealing under {@code masterKey}.
     *
     * @param masterKey the current master key
     * @return the envelope
     */
    public static Envelope of(MasterKey masterKey) {
        return of(masterKey, new SecureRandom());
    }

    /**
     * An envelope sealing under {@code masterKey} with nonces and data keys from {@code random}.
     *
     * @param masterKey the current master key
     * @param random a strong generator
     * @return the envelope
     */
    public static Envelope of(MasterKey masterKey, SecureRandom random) {
        Objects.requireNonNull(masterKey, "masterKey must not be null");
        Objects.requireNonNull(random, "random must not be null");
        Map<String, MasterKey> keys = new LinkedHashMap<>();
        keys.put(masterKey.id(), masterKey);
        return new Envelope(masterKey, keys, random);
    }

    /**
     * A copy that can also open values sealed under an older master key.
     *
     * @param previous the older key
     * @return a new envelope, still sealing under the current key
     */
    public Envelope withPreviousKey(MasterKey previous) {
        Map<String, MasterKey> copy = new LinkedHashMap<>(keys);
        copy.putIfAbsent(previous.id(), previous);
        return new Envelope(current, copy, random);
    }

    /**
     * The master key new values are sealed under.
     *
     * @return the current master key
     */
    public MasterKey currentKey() {
        return current;
    }

    /**
     * Seals a secret.
     *
     * @param plaintext the secret; not modified
     * @param context where the value will live, bound as associated data
     * @return the sealed value, ASCII
     */
    public String seal(byte[] plaintext, String context) {
        Objects.requireNonNull(plaintext, "plaintext must not be null");
        byte[] aad = aad(context);
        byte[] dataKey = new byte[32];
        byte[] keyNonce = new byte[NONCE];
        byte[] valueNonce = new byte[NONCE];
        random.nextBytes(dataKey);
        random.nextBytes(keyNonce);
        random.nextBytes(valueNonce);
        byte[] header =
                ByteBuffer.allocate(HEADER).put(VERSION).put(current.idBytes()).array();
        try {
            byte[] wrapped = gcm(Cipher.ENCRYPT_MODE, current.secretKey(), keyNonce, concat(header, aad), dataKey);
            byte[] sealed = gcm(
                    Cipher.ENCRYPT_MODE, new SecretKeySpec(dataKey, "AES"), valueNonce, concat(header, aad), plaintext);
            ByteBuffer out = ByteBuffer.allocate(HEADER + NONCE + WRAPPED_KEY + NONCE + sealed.length);
            out.put(header).put(keyNonce).put(wrapped).put(valueNonce).put(sealed);
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /**
     * Seals a UTF-8 string.
     *
     * @param plaintext the secret
     * @param context where the value will live
     * @return the sealed value
     */
    public String sealString(String plaintext, String context) {
        byte[] bytes = plaintext.getBytes(StandardCharsets.UTF_8);
        try {
            return seal(bytes, context);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Opens a sealed value.
     *
     * @param sealed a value from {@link #seal}
     * @param context the same context it was sealed with
     * @return the secret; the caller should clear it after use
     * @throws CryptoException if malformed, sealed under an unknown master key, or not authentic (wrong
     *     context, altered, wrong key)
     */
    public byte[] open(String sealed, String context) {
        Objects.requireNonNull(sealed, "sealed must not be null");
        byte[] aad = aad(context);
        if (!sealed.startsWith(PREFIX)) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "sealed value does not start with " + PREFIX);
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(sealed.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "sealed value is not valid Base64url");
        }
        if (raw.length < HEADER + NONCE + WRAPPED_KEY + NONCE + TAG_BITS / 8 || raw[0] != VERSION) {
            throw new CryptoException(
                    CryptoException.Reason.MALFORMED, "sealed value is truncated or of an unknown version");
        }
        ByteBuffer in = ByteBuffer.wrap(raw);
        byte[] header = new byte[HEADER];
        in.get(header);
        String keyId = HexFormat.of().formatHex(header, 1, HEADER);
        MasterKey key = keys.get(keyId);
        if (key == null) {
            throw new CryptoException(
                    CryptoException.Reason.UNKNOWN_MASTER_KEY,
                    "value is sealed under master key " + keyId + ", which is not configured");
        }
        byte[] keyNonce = new byte[NONCE];
        byte[] wrapped = new byte[WRAPPED_KEY];
        byte[] valueNonce = new byte[NONCE];
        in.get(keyNonce).get(wrapped).get(valueNonce);
        byte[] body = new byte[in.remaining()];
        in.get(body);
        byte[] dataKey = null;
        try {
            dataKey = gcm(Cipher.DECRYPT_MODE, key.secretKey(), keyNonce, concat(header, aad), wrapped);
            return gcm(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), valueNonce, concat(header, aad), body);
        } catch (AEADBadTagException e) {
            throw new CryptoException(
                    CryptoException.Reason.DECRYPTION_FAILED,
                    "sealed value failed authentication (altered, or opened with the wrong context)");
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "sealed value could not be decrypted");
        } finally {
            if (dataKey != null) {
                Arrays.fill(dataKey, (byte) 0);
            }
        }
    }

    /**
     * Opens a sealed UTF-8 string.
     *
     * @param sealed a value from {@link #sealString}
     * @param context its context
     * @return the secret
     */
    public String openString(String sealed, String context) {
        byte[] bytes = open(sealed, context);
        try {
            return new String(bytes, StandardCharsets.UTF_8);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Whether a sealed value was made under an older master key and should be re-sealed.
     *
     * @param sealed a sealed value
     * @return {@code true} if not under the current key
     */
    public boolean needsReseal(String sealed) {
        Objects.requireNonNull(sealed, "sealed must not be null");
        // The first 12 Base64 characters encode exactly the 9-byte header (version and master key id).
        String header = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(ByteBuffer.allocate(HEADER)
                        .put(VERSION)
                        .put(current.idBytes())
                        .array());
        return !sealed.startsWith(PREFIX + header);
    }

    /**
     * The ids of master keys this envelope can open with.
     *
     * @return the key ids, current first
     */
    public List<String> keyIds() {
        return List.copyOf(keys.keySet());
    }

    private static byte[] gcm(int mode, SecretKeySpec key, byte[] nonce, byte[] aad, byte[] input)
            throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(aad);
        return cipher.doFinal(input);
    }

    private static byte[] aad(String context) {
        Objects.requireNonNull(context, "context must not be null");
        if (context.isEmpty() || context.length() > 512) {
            throw new IllegalArgumentException("context must be 1 to 512 characters");
        }
        return context.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public String toString() {
        return "Envelope[current=" + current.id() + ", keys=" + keys.keySet() + "]";
    }
}
