package dev.gatehouse.core.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Fuzz targets for the token verifier: compact JWS text, JOSE headers and claims sets, and JWK Sets (a remote
 * issuer's JWKS is outside input too). Each input either verifies with everything the verifier documents checked, or
 * is refused with a {@link TokenException}; nothing else escapes. Corpus: {@code TokenVerifierFuzzTestsInputs/}.
 */
class TokenVerifierFuzzTests {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final String ISSUER = "https://login.example.test";
    private static final byte[] SECRET = "fuzzing-secret-of-32-bytes-long!".getBytes(StandardCharsets.US_ASCII);
    private static final KeyRing RING = KeyRing.builder()
            .algorithm(JwsAlgorithm.HS256)
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .build();
    private static final String KID = RING.addSecret(SECRET, JwsAlgorithm.HS256).kid();
    private static final TokenVerifier VERIFIER = TokenVerifier.builder()
            .keys(RING)
            .algorithms(JwsAlgorithm.HS256, JwsAlgorithm.RS256)
            .issuer(ISSUER)
            .audience("api")
            .accessTokens()
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .build();
    /** A well-formed ES256 token, for the JWK Set target: no key in a fuzzed set can verify it. */
    private static final String ES256_TOKEN = "eyJhbGciOiJFUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJhbGljZSJ9."
            + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    /** Any text as a bearer token: without the key nothing can verify, so every input is a TokenException. */
    @FuzzTest(maxDuration = "2m")
    void verifyWhenArbitraryTextThenRefusedWithTokenException(FuzzedDataProvider data) {
        String token = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);

        assertThatThrownBy(() -> VERIFIER.verify(token)).isInstanceOf(TokenException.class);
    }

    /**
     * A header line and a claims line (split at the first newline; {@code $kid} in the header becomes the ring's kid),
     * signed with the ring's HS256 key, so the fuzzer reaches every check past the signature. An accepted token must
     * satisfy all of them.
     */
    @FuzzTest(maxDuration = "2m")
    void verifyWhenSignedArbitraryHeaderAndClaimsThenAcceptsOnlyWhatPassesEveryCheck(FuzzedDataProvider data)
            throws Exception {
        String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String header = (newline < 0 ? text : text.substring(0, newline)).replace("$kid", KID);
        String claims = newline < 0 ? "" : text.substring(newline + 1);
        String token = signed(header, claims);

        VerifiedToken verified;
        try {
            verified = VERIFIER.verify(token);
        } catch (TokenException refused) {
            return;
        }
        Map<String, Object> h = JSONObjectUtils.parse(header);
        assertThat(h.get("alg")).isEqualTo("HS256");
        assertThat(h.get("kid")).isEqualTo(KID);
        assertThat(h).doesNotContainKeys("jwk", "jku", "x5u", "x5c", "crit");
        assertThat(String.valueOf(h.get("typ")).toLowerCase(Locale.ROOT)).isIn("at+jwt", "application/at+jwt");
        assertThat(verified.algorithm()).isEqualTo(JwsAlgorithm.HS256);
        assertThat(verified.issuer()).contains(ISSUER);
        assertThat(verified.audiences()).contains("api");
        assertThat(verified.expiresAt())
                .hasValueSatisfying(exp -> assertThat(exp).isAfter(NOW.minus(Duration.ofSeconds(60))));
        assertThat(verified.issuedAt())
                .hasValueSatisfying(iat -> assertThat(iat).isBeforeOrEqualTo(NOW.plus(Duration.ofSeconds(60))));
        assertThat(verified.claims()).containsKeys("sub", "client_id", "iat", "jti");
    }

    /**
     * A JWK Set document, as {@link RemoteJwks} and {@link TokenVerifier.Builder#jwks(String)} read it: refused with a
     * {@link TokenException}, or a verifier that refuses a token no key in the set signed.
     */
    @FuzzTest(maxDuration = "2m")
    void jwksWhenArbitraryDocumentThenTokenExceptionOrAWorkingVerifier(FuzzedDataProvider data) {
        String jwks = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);

        TokenVerifier verifier;
        try {
            verifier = TokenVerifier.builder()
                    .jwks(jwks)
                    .algorithms(JwsAlgorithm.ES256, JwsAlgorithm.RS256, JwsAlgorithm.EdDSA)
                    .build();
        } catch (TokenException refused) {
            return;
        }
        assertThatThrownBy(() -> verifier.verify(ES256_TOKEN)).isInstanceOf(TokenException.class);
    }

    private static String signed(String header, String claims) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }
}
