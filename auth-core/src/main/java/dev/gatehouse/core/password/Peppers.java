package dev.gatehouse.core.password;

import static dev.gatehouse.core.password.PasswordException.Reason.INVALID_PARAMETERS;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Server-side secrets ("peppers") mixed into passwords with HMAC-SHA256 before hashing, each with a key
 * id recorded in the stored hash so peppers can rotate: hashes made under an older key still verify
 * (while that key is held) and are flagged for rehash under the current one.
 *
 * <p>A pepper is kept outside the database (configuration, a secrets manager, an HSM), so a stolen
 * table of hashes cannot be attacked offline without it. Keys are at least 32 bytes.
 */
public final class Peppers {

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final int MIN_KEY_BYTES = 32;
    private static final String HMAC = "HmacSHA256";

    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keys;

    private Peppers(String currentKeyId, Map<String, SecretKeySpec> keys) {
        this.currentKeyId = currentKeyId;
        this.keys = Map.copyOf(keys);
    }

    /**
     * Peppers with one key, used for new hashes.
     *
     * @param keyId a short id ({@code [A-Za-z0-9_.-]{1,32}}) stored with each hash
     * @param key the secret, at least 32 bytes; copied
     * @return the peppers
     */
    public static Peppers of(String keyId, byte[] key) {
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        keys.put(checkKeyId(keyId), toKey(key));
        return new Peppers(keyId, keys);
    }

    /**
     * A copy that also holds an older key, for verifying hashes made before a rotation.
     *
     * @param keyId the older key's id
     * @param key the older key, at least 32 bytes; copied
     * @return new peppers with the same current key
     */
    public Peppers withPreviousKey(String keyId, byte[] key) {
        if (keys.containsKey(checkKeyId(keyId))) {
            throw new PasswordException(INVALID_PARAMETERS, "pepper key id '" + keyId + "' is already present");
        }
        Map<String, SecretKeySpec> copy = new LinkedHashMap<>(keys);
        copy.put(keyId, toKey(key));
        return new Peppers(currentKeyId, copy);
    }

    /**
     * The id of the key used for new hashes.
     *
     * @return the current key id
     */
    public String currentKeyId() {
        return currentKeyId;
    }

    /**
     * The ids of all keys held.
     *
     * @return the key ids
     */
    public Set<String> keyIds() {
        return keys.keySet();
    }

    boolean holds(String keyId) {
        return keys.containsKey(keyId);
    }

    /** HMAC-SHA256 of the UTF-8 password under the key, Base64 encoded (44 ASCII characters). */
    String apply(String keyId, String password) {
        SecretKeySpec key = keys.get(keyId);
        if (key == null) {
            throw new PasswordException(
                    PasswordException.Reason.UNKNOWN_PEPPER,
                    "stored hash uses pepper key '" + keyId + "', which this hasher does not hold; add it with "
                            + "Peppers.withPreviousKey");
        }
        byte[] in = password.getBytes(StandardCharsets.UTF_8);
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return Base64.getEncoder().encodeToString(mac.doFinal(in));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JDK", e);
        } finally {
            Arrays.fill(in, (byte) 0);
        }
    }

    private static String checkKeyId(String keyId) {
        Objects.requireNonNull(keyId, "keyId must not be null");
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new PasswordException(INVALID_PARAMETERS, "pepper key id must match [A-Za-z0-9_.-]{1,32}");
        }
        return keyId;
    }

    private static SecretKeySpec toKey(byte[] key) {
        Objects.requireNonNull(key, "key must not be null");
        if (key.length < MIN_KEY_BYTES) {
            throw new PasswordException(
                    INVALID_PARAMETERS, "a pepper key must be at least " + MIN_KEY_BYTES + " bytes, was " + key.length);
        }
        return new SecretKeySpec(key.clone(), HMAC);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (!(o instanceof Peppers p)
                || !p.currentKeyId.equals(currentKeyId)
                || !p.keys.keySet().equals(keys.keySet())) {
            return false;
        }
        boolean same = true;
        for (Map.Entry<String, SecretKeySpec> e : keys.entrySet()) {
            // The key sets are equal (checked above), so every id is present in p.
            SecretKeySpec other = Objects.requireNonNull(p.keys.get(e.getKey()));
            same &= MessageDigest.isEqual(e.getValue().getEncoded(), other.getEncoded());
        }
        return same;
    }

    @Override
    public int hashCode() {
        return Objects.hash(currentKeyId, keys.keySet());
    }

    @Override
    public String toString() {
        return "Peppers[current=" + currentKeyId + ", keyIds=" + keys.keySet() + "]";
    }
}
