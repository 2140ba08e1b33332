package dev.gatehouse.core.password;

/**
 * The password hashing algorithms Gatehouse recognises in stored hashes. Only {@link #ARGON2ID}, {@link
 * #BCRYPT} and {@link #SCRYPT} may be chosen for new hashes; the others are accepted for verifying
 * imported hashes and are always flagged for rehash.
 */
public enum HashAlgorithm {
    /** Argon2id (RFC 9106), the default. PHC string {@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}. */
    ARGON2ID(true),
    /** Argon2i; verify only (RFC 9106 recommends Argon2id). */
    ARGON2I(false),
    /** Argon2d; verify only (side-channel prone). */
    ARGON2D(false),
    /** bcrypt, modular-crypt {@code $2a$}, {@code $2b$} or {@code $2y$}. Uses at most 72 password bytes. */
    BCRYPT(true),
    /** scrypt (RFC 7914) in the {@code $<params>$salt$key} format of Spring Security and Password4j. */
    SCRYPT(true),
    /**
     * PBKDF2-HMAC-SHA256 (RFC 8018); verify only, for legacy imports in PHC ({@code $pbkdf2-sha256$})
     * or Django ({@code pbkdf2_sha256$}) form.
     */
    PBKDF2_SHA256(false);

    private final boolean usableForNewHashes;

    HashAlgorithm(boolean usableForNewHashes) {
        this.usableForNewHashes = usableForNewHashes;
    }

    /**
     * Whether new hashes may be made with this algorithm.
     *
     * @return {@code true} for Argon2id, bcrypt and scrypt
     */
    public boolean usableForNewHashes() {
        return usableForNewHashes;
    }
}
