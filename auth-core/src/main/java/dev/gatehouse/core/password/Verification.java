package dev.gatehouse.core.password;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of {@link PasswordHasher#verify}: whether the password matched and, if it did and the stored
 * hash is weaker than the current policy, the upgraded hash to store ("rehash on login").
 *
 * <pre>{@code
 * Verification v = hasher.verify(password, user.passwordHash());
 * if (v.matched() && v.needsRehash()) users.updateHash(user, v.upgradedHash().orElseThrow());
 * }</pre>
 */
public final class Verification {

    private static final Verification MISMATCH = new Verification(false, null);

    private final boolean matched;
    private final @Nullable String upgradedHash;

    private Verification(boolean matched, @Nullable String upgradedHash) {
        this.matched = matched;
        this.upgradedHash = upgradedHash;
    }

    static Verification mismatch() {
        return MISMATCH;
    }

    static Verification matched(@Nullable String upgradedHash) {
        return new Verification(true, upgradedHash);
    }

    /**
     * Whether the password matched the stored hash.
     *
     * @return {@code true} on a match
     */
    public boolean matched() {
        return matched;
    }

    /**
     * Whether the password matched and the stored hash should be replaced by {@link #upgradedHash()}
     * (weaker algorithm or parameters, old pepper key, or a hash of the un-normalised password).
     *
     * @return {@code true} if the caller should store the upgraded hash
     */
    public boolean needsRehash() {
        return upgradedHash != null;
    }

    /**
     * The hash to store in place of the old one; present exactly when {@link #needsRehash()} is true.
     *
     * @return the upgraded hash
     */
    public Optional<String> upgradedHash() {
        return Optional.ofNullable(upgradedHash);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Verification v && v.matched == matched && Objects.equals(v.upgradedHash, upgradedHash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(matched, upgradedHash);
    }

    @Override
    public String toString() {
        // The upgraded hash is not printed: a hash is offline-crackable material.
        return "Verification[matched=" + matched + ", needsRehash=" + needsRehash() + "]";
    }
}
