package dev.gatehouse.core.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * RFC 7515 Appendix A.1 (HS256), A.2 (RS256) and A.3 (ES256) example JWSs, verified by {@link TokenVerifier}
 * with the example keys. The payload is {"iss":"joe","exp":1300819380,"http://example.com/is_root":true}.
 */
class RFC7515AppendixATests {

    private static final String PAYLOAD =
            "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    private static final Clock BEFORE_EXP = Clock.fixed(Instant.ofEpochSecond(1300819000L), ZoneOffset.UTC);

    static final String A1_JWK =
            "{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}";
    static final String A1_JWS =
            "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." + PAYLOAD + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    static final String A2_JWK =
            "{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\"}";
    static final String A2_JWS = "eyJhbGciOiJSUzI1NiJ9." + PAYLOAD
            + ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

    static final String A3_JWK =
            "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}";
    static final String A3_JWS = "eyJhbGciOiJFUzI1NiJ9." + PAYLOAD
            + ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

    private static TokenVerifier verifier(String jwk, JwsAlgorithm algorithm) {
        return TokenVerifier.builder()
                .jwks("{\"keys\":[" + jwk + "]}")
                .algorithms(algorithm)
                .issuer("joe")
                .clock(BEFORE_EXP)
                .build();
    }

    @Test
    void a1WhenHs256ExampleThenMacVerifiesAndAlteredMacDoesNot() {
        // The JWKS parser drops symmetric keys (they are never public), so HS256 verification goes
        // through a key ring holding the secret.
        KeyRing ring = KeyRing.builder().build();
        ManagedKey key = ring.addSecret(
                com.nimbusds.jose.util.Base64URL.from(
                                "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
                        .decode(),
                JwsAlgorithm.HS256);
        // The example has no kid: verify the MAC with the verifier our TokenVerifier would use for this key.
        com.nimbusds.jose.JWSObject jws = parse(A1_JWS);

        assertThat(verify(jws, key.jwk(), JwsAlgorithm.HS256)).isTrue();
        assertThat(verify(parse(A1_JWS.replace(".dBjf", ".dBjg")), key.jwk(), JwsAlgorithm.HS256))
                .isFalse();
    }

    @Test
    void a2WhenRs256ExampleThenVerifies() {
        VerifiedToken t = verifier(A2_JWK, JwsAlgorithm.RS256).verify(A2_JWS);

        assertThat(t.issuer()).contains("joe");
        assertThat(t.claim("http://example.com/is_root")).contains(true);
        assertThat(t.expiresAt()).contains(Instant.ofEpochSecond(1300819380L));
    }

    @Test
    void a3WhenEs256ExampleThenVerifies() {
        assertThat(verifier(A3_JWK, JwsAlgorithm.ES256).verify(A3_JWS).issuer()).contains("joe");
    }

    @Test
    void examplesWhenPastTheirExpiryThenExpired() {
        TokenVerifier now = TokenVerifier.builder()
                .jwks("{\"keys\":[" + A2_JWK + "]}")
                .algorithms(JwsAlgorithm.RS256)
                .build();

        assertThatThrownBy(() -> now.verify(A2_JWS))
                .isInstanceOfSatisfying(
                        TokenException.class, e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.EXPIRED));
    }

    @Test
    void examplesWhenAlgorithmOfOtherExampleThenRefused() {
        // The ES256 example presented to a verifier holding only the RSA example key.
        assertThatThrownBy(() -> verifier(A2_JWK, JwsAlgorithm.ES256).verify(A3_JWS))
                .isInstanceOf(TokenException.class);
    }

    static com.nimbusds.jose.JWSObject parse(String jws) {
        try {
            return com.nimbusds.jose.JWSObject.parse(jws);
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    static boolean verify(com.nimbusds.jose.JWSObject jws, com.nimbusds.jose.jwk.JWK key, JwsAlgorithm algorithm) {
        try {
            return jws.verify(ManagedKey.verifierFor(key, algorithm));
        } catch (com.nimbusds.jose.JOSEException e) {
            return false;
        }
    }
}
