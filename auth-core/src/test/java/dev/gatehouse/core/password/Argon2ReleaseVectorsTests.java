package dev.gatehouse.core.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/**
 * Hashes already stored by Gatehouse keep verifying whatever Argon2 engine runs underneath: the vectors were made
 * by {@link PasswordHasher} as released before issue 18 (Password4j's Argon2 engine), across memory, passes,
 * lanes, tag and salt lengths, non-ASCII passwords and peppers, and are checked here with rehash on verify.
 */
class Argon2ReleaseVectorsTests {

    private static final byte[] KEY_1 = key(1);
    private static final byte[] KEY_2 = key(2);

    private final PasswordHasher plain = PasswordHasher.defaults();
    private final PasswordHasher peppered = PasswordHasher.builder()
            .peppers(Peppers.of("k1", KEY_1).withPreviousKey("k2", KEY_2))
            .build();

    @ParameterizedTest(name = "{0}: {1}")
    @CsvFileSource(resources = "argon2id-release-vectors.csv", delimiter = '|')
    void verifyWhenHashMadeByEarlierReleaseThenMatchesAndUpgradesOnlyWhenWeaker(
            String label, String password, String keyId, boolean rehash, String stored) {
        PasswordHasher hasher = "-".equals(keyId) ? plain : peppered;

        Verification v = hasher.verify(password, stored);

        assertThat(v.matched()).isTrue();
        assertThat(v.needsRehash()).isEqualTo(rehash);
        assertThat(hasher.needsRehash(stored)).isEqualTo(rehash);
        assertThat(hasher.verify(password + "x", stored).matched()).isFalse();
        assertThat(hasher.verify(password.substring(1), stored).matched()).isFalse();
        if (rehash) {
            String upgraded = v.upgradedHash().orElseThrow();
            assertThat(upgraded).contains("$argon2id$v=19$m=19456,t=2,p=1$");
            Verification again = hasher.verify(password, upgraded);
            assertThat(again.matched()).isTrue();
            assertThat(again.needsRehash()).isFalse();
        }
    }

    private static byte[] key(int fill) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) fill);
        return key;
    }
}
