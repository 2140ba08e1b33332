package dev.gatehouse.core.password;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz targets for stored hash strings (PHC Argon2 and PBKDF2, modular-crypt bcrypt, scrypt, the pepper envelope),
 * which come from a database or an import file: each is refused with a {@link PasswordException} naming a malformed,
 * unsupported or over-cost hash, or read consistently; a hash never matches two different passwords. Corpus: {@code
 * PasswordHasherFuzzTestsInputs/}.
 */
class PasswordHasherFuzzTests {

    private static final PasswordHasher HASHER = PasswordHasher.defaults();

    @FuzzTest(maxDuration = "2m")
    void needsRehashWhenArbitraryStoredHashThenPasswordExceptionOrAConsistentReading(FuzzedDataProvider data) {
        String stored = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);

        boolean rehash;
        try {
            rehash = HASHER.needsRehash(stored);
        } catch (PasswordException refused) {
            assertThat(refused.reason())
                    .isIn(
                            PasswordException.Reason.MALFORMED_HASH,
                            PasswordException.Reason.UNSUPPORTED_ALGORITHM,
                            PasswordException.Reason.INVALID_PARAMETERS);
            return;
        }
        boolean peppered = stored.startsWith(StoredHash.PEPPER_PREFIX);
        String inner = peppered ? stored.substring(stored.indexOf('$', StoredHash.PEPPER_PREFIX.length())) : stored;
        HashAlgorithm algorithm = PasswordHasher.algorithmOf(stored);
        String expectedPrefix = switch (algorithm) {
            case ARGON2ID -> "$argon2id$";
            case ARGON2I -> "$argon2i$";
            case ARGON2D -> "$argon2d$";
            case BCRYPT -> "$2";
            case PBKDF2_SHA256 -> inner.startsWith("pbkdf2_sha256$") ? "pbkdf2_sha256$" : "$pbkdf2-sha256$";
            case SCRYPT -> "$";
        };
        assertThat(inner).startsWith(expectedPrefix);
        if (peppered || !algorithm.usableForNewHashes()) {
            // This hasher holds no pepper and makes Argon2id: either reading must ask for a rehash.
            assertThat(rehash).isTrue();
        }
    }

    /**
     * A password line and a stored hash (split at the first newline). Only hashes cheap enough to compute are verified
     * (cost is bounded by parsing, which the other target covers); a match must be specific to the password.
     */
    @FuzzTest(maxDuration = "2m")
    void verifyWhenArbitraryStoredHashThenPasswordExceptionOrAMatchForThatPasswordOnly(FuzzedDataProvider data) {
        String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String password = newline < 0 ? "" : text.substring(0, newline);
        String stored = newline < 0 ? text : text.substring(newline + 1);
        StoredHash.Peppered parsed;
        try {
            parsed = StoredHash.parseWithPepper(stored);
        } catch (PasswordException refused) {
            return;
        }
        if (!cheap(parsed.inner())) {
            return;
        }

        Verification verification;
        try {
            verification = HASHER.verify(password, stored);
        } catch (PasswordException refused) {
            assertThat(refused.reason()).isEqualTo(PasswordException.Reason.UNKNOWN_PEPPER);
            return;
        }
        if (verification.matched()) {
            assertThat(HASHER.verify(password + "x", stored).matched()).isFalse();
            if (HASHER.needsRehash(stored)) {
                assertThat(verification.upgradedHash()).isPresent();
            }
        }
    }

    private static boolean cheap(StoredHash hash) {
        if (hash instanceof StoredHash.Argon2Hash a) {
            return a.parameters().memoryKiB() <= 1024 && a.parameters().iterations() <= 3;
        }
        if (hash instanceof StoredHash.BcryptHash b) {
            return b.parameters().cost() <= 6;
        }
        if (hash instanceof StoredHash.ScryptHash s) {
            return (long) s.parameters().cpuMemoryCost()
                            * s.parameters().blockSize()
                            * s.parameters().parallelization()
                    <= 1 << 14;
        }
        return hash instanceof StoredHash.Pbkdf2Hash p && p.iterations() <= 10_000;
    }
}
