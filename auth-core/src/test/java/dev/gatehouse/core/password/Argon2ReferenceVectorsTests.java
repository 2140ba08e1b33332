package dev.gatehouse.core.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Known-answer tests from the Argon2 reference implementation (P-H-C/phc-winner-argon2, src/test.c, the
 * version 0x13 block). RFC 9106 §5.3's vector needs a secret key and associated data, which password
 * hashing does not use, so the reference implementation's password/salt vectors are used instead.
 */
class Argon2ReferenceVectorsTests {

    private final PasswordHasher hasher = PasswordHasher.defaults();

    @ParameterizedTest(name = "argon2id t={0} m={1} p={2} {3}/{4}")
    @CsvSource(
            delimiter = '|',
            value = {
                "2|65536|1|password|somesalt|09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7|$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "2|256|1|password|somesalt|9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe|$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
                "2|256|2|password|somesalt|6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037|$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
                "1|65536|1|password|somesalt|f6a5adc1ba723dddef9b5ac1d464e180fcd9dffc9d1cbf76cca2fed795d9ca98|$argon2id$v=19$m=65536,t=1,p=1$c29tZXNhbHQ$9qWtwbpyPd3vm1rB1GThgPzZ3/ydHL92zKL+15XZypg",
                "4|65536|1|password|somesalt|9025d48e68ef7395cca9079da4c4ec3affb3c8911fe4f86d1a2520856f63172c|$argon2id$v=19$m=65536,t=4,p=1$c29tZXNhbHQ$kCXUjmjvc5XMqQedpMTsOv+zyJEf5PhtGiUghW9jFyw",
                "2|65536|1|differentpassword|somesalt|0b84d652cf6b0c4beaef0dfe278ba6a80df6696281d7e0d2891b817d8c458fde|$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$C4TWUs9rDEvq7w3+J4umqA32aWKB1+DSiRuBfYxFj94",
                "2|65536|1|password|diffsalt|bdf32b05ccc42eb15d58fd19b1f856b113da1e9a5874fdcc544308565aa8141c|$argon2id$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$vfMrBczELrFdWP0ZsfhWsRPaHppYdP3MVEMIVlqoFBw",
            })
    void verifyWhenReferenceArgon2idVectorThenMatchesAndTagIsExact(
            int t, int m, int p, String password, String salt, String hex, String encoded) {
        StoredHash.Argon2Hash parsed = (StoredHash.Argon2Hash) StoredHash.parse(encoded);
        assertThat(parsed.parameters()).isEqualTo(new Argon2Parameters(m, t, p, 32, 8));
        assertThat(parsed.salt()).isEqualTo(salt.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(parsed.hash())).isEqualTo(hex);

        Verification v = hasher.verify(password, encoded);

        assertThat(v.matched()).isTrue();
        assertThat(hasher.verify(password + "x", encoded).matched()).isFalse();
    }

    @ParameterizedTest(name = "argon2i t={0} m={1} p={2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "2|65536|1|password|$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
                "2|256|1|password|$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8",
                "2|256|2|password|$argon2i$v=19$m=256,t=2,p=2$c29tZXNhbHQ$T/XOJ2mh1/TIpJHfCdQan76Q5esCFVoT5MAeIM1Oq2E",
                "2|65536|1|differentpassword|$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$FK6NoBr+qHAMI1jc73xTWNkCEoK9iGY6RWL1n7dNIu4",
            })
    void verifyWhenReferenceArgon2iVectorThenMatchesAndAsksForArgon2idRehash(
            int t, int m, int p, String password, String encoded) {
        Verification v = hasher.verify(password, encoded);

        assertThat(v.matched()).isTrue();
        assertThat(v.needsRehash()).isTrue();
        assertThat(v.upgradedHash()).get().asString().startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(hasher.verify(password, v.upgradedHash().orElseThrow()).needsRehash())
                .isFalse();
    }

    @ParameterizedTest(name = "version 16: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // test.c, the version 0x10 block: written without v=, which means 16.
                "password|$argon2i$m=65536,t=2,p=1$c29tZXNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ",
                // Argon2id v=16 at the same inputs, as Password4j 1.8.4 and Bouncy Castle 1.87 both compute it.
                "password|$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$mA69JKTmZ/FjRvnUp4sXVyh4NhPgzG+xfC7IhLFkNd8",
            })
    void verifyWhenVersion16HashThenMatchesAndAsksForVersion19Rehash(String password, String encoded) {
        Verification v = hasher.verify(password, encoded);

        assertThat(((StoredHash.Argon2Hash) StoredHash.parse(encoded)).version())
                .isEqualTo(0x10);
        assertThat(v.matched()).isTrue();
        assertThat(v.upgradedHash()).get().asString().startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(hasher.verify(password + "x", encoded).matched()).isFalse();
    }

    @Test
    void verifyWhenReferenceMismatchVectorThenDoesNotMatch() {
        // test.c: the encoding of "passwore"; ARGON2_VERIFY_MISMATCH for "password".
        String encoded = "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$8iIuixkI73Js3G1uMbezQXD0b8LG4SXGsOwoQkdAQIM";

        assertThat(hasher.verify("password", encoded).matched()).isFalse();
        assertThat(hasher.verify("passwore", encoded).matched()).isTrue();
    }
}
