package dev.gatehouse.core.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9106 §5's test vectors through the engine {@link PasswordHasher} uses: m=32 KiB, t=3, p=4, 32-byte tag,
 * password 32 bytes of 0x01, salt 16 bytes of 0x02, secret K 8 bytes of 0x03, associated data X 12 bytes of 0x04.
 * Password hashing never sets K or X, so these reach the engine directly; the password/salt-only vectors of the
 * reference implementation go through the hasher in {@link Argon2ReferenceVectorsTests}.
 */
class Rfc9106VectorsTests {

    @ParameterizedTest(name = "RFC 9106 §{0} {1}")
    @CsvSource({
        "5.1, ARGON2D, 512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb",
        "5.2, ARGON2I, c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8",
        "5.3, ARGON2ID, 0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659",
    })
    void hashWhenRfc9106Section5InputsThenTagIsExact(String section, HashAlgorithm algorithm, String tag) {
        byte[] computed = Argon2Engine.hash(
                algorithm,
                0x13,
                new Argon2Parameters(32, 3, 4, 32, 16),
                filled(32, 0x01),
                filled(16, 0x02),
                filled(8, 0x03),
                filled(12, 0x04),
                32);

        assertThat(HexFormat.of().formatHex(computed)).isEqualTo(tag);
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
