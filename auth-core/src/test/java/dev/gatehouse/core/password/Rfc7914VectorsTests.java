package dev.gatehouse.core.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 7914 §11 (PBKDF2-HMAC-SHA256) and §12 (scrypt) test vectors, plus the RFC 6070-style SHA-256 vectors
 * from OpenSSL's evpkdf_pbkdf2.txt and a Django pbkdf2_sha256 hash from Django's own test suite. The raw
 * outputs are wrapped in the stored formats Gatehouse accepts, so the whole parse-and-verify path is tested.
 */
class Rfc7914VectorsTests {

    private final PasswordHasher hasher = PasswordHasher.defaults();

    @ParameterizedTest(name = "PBKDF2-HMAC-SHA256 P={0} S={1} c={2}")
    @CsvSource({
        // RFC 7914 §11
        "passwd, salt, 1, 55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
        "Password, NaCl, 80000, 4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
        // RFC 6070 inputs with SHA-256 (OpenSSL evpkdf_pbkdf2.txt)
        "password, salt, 1, 120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
        "password, salt, 2, ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43",
        "password, salt, 4096, c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a",
        "passwordPASSWORDpassword, saltSALTsaltSALTsaltSALTsaltSALTsalt, 4096, 348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9",
    })
    void verifyWhenPbkdf2VectorInPhcFormThenMatchesAndAsksForRehash(
            String password, String salt, int iterations, String hex) {
        String phc = "$pbkdf2-sha256$i=" + iterations + "$" + b64(salt.getBytes()) + "$"
                + b64(HexFormat.of().parseHex(hex));

        Verification v = hasher.verify(password, phc);

        assertThat(v.matched()).isTrue();
        assertThat(v.needsRehash()).isTrue();
        assertThat(v.upgradedHash()).get().asString().startsWith("$argon2id$");
        assertThat(hasher.verify(password + "x", phc).matched()).isFalse();
    }

    @Test
    void verifyWhenDjangoPbkdf2HashThenMatches() {
        // django/django tests/auth_tests/test_hashers.py, test_pbkdf2 (390000 iterations, UTF-8 password).
        String django = "pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=";

        assertThat(hasher.verify("lètmein", django).matched()).isTrue();
        assertThat(hasher.verify("letmein", django).matched()).isFalse();
    }

    @Test
    void verifyWhenPasslibPbkdf2FormThenMatches() {
        // passlib's "ab64" alphabet uses '.' for '+' and drops padding.
        byte[] dk = HexFormat.of().parseHex("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
        String passlib =
                "$pbkdf2-sha256$4096$" + b64("salt".getBytes()).replace('+', '.') + "$" + b64(dk).replace('+', '.');

        assertThat(hasher.verify("password", passlib).matched()).isTrue();
    }

    @ParameterizedTest(name = "scrypt P={0} S={1} N={2} r={3} p={4}")
    @CsvSource({
        // RFC 7914 §12, second and third vectors (the first has an empty salt; the fourth needs 1 GiB).
        "password, NaCl, 1024, 8, 16, fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
        "pleaseletmein, SodiumChloride, 16384, 8, 1, 7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887",
    })
    void verifyWhenScryptVectorInSpringFormThenMatches(String password, String salt, int n, int r, int p, String hex) {
        long params = (long) Integer.numberOfTrailingZeros(n) << 16 | (long) r << 8 | p;
        String encoded =
                "$" + Long.toHexString(params) + "$" + Base64.getEncoder().encodeToString(salt.getBytes()) + "$"
                        + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));

        Verification v = hasher.verify(password, encoded);

        assertThat(v.matched()).isTrue();
        assertThat(v.needsRehash()).isTrue();
        assertThat(hasher.verify(password + "x", encoded).matched()).isFalse();
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().withoutPadding().encodeToString(bytes);
    }
}
