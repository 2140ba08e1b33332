package dev.gatehouse.core.jwt;

import static dev.gatehouse.core.jwt.JwtTestSupport.ISSUER;
import static dev.gatehouse.core.jwt.JwtTestSupport.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.core.jwt.JwtTestSupport.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;

/** Every refusal the verifier promises, each with its own reason code and a message that leaks nothing. */
class TokenVerifierRejectionTests {

    private final MutableClock clock = new MutableClock(T0);
    private final KeyRing ring = JwtTestSupport.ring(JwsAlgorithm.RS256, clock);
    private final TokenIssuer issuer =
            TokenIssuer.builder(ring, ISSUER).clock(clock).build();
    private final TokenVerifier verifier = TokenVerifier.builder()
            .keys(ring)
            .issuer(ISSUER)
            .audience("api")
            .accessTokens()
            .clock(clock)
            .build();

    private String accessToken() {
        return issuer.accessToken(AccessTokenRequest.builder("alice", "web")
                        .audience("api")
                        .scope("read")
                        .build())
                .value();
    }

    private void assertRefused(ThrowingSupplier<String> token, TokenException.Reason reason) throws Throwable {
        assertRefused(verifier, token.get(), reason);
    }

    private static void assertRefused(TokenVerifier v, String token, TokenException.Reason reason) {
        assertThatThrownBy(() -> v.verify(token)).isInstanceOfSatisfying(TokenException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.code()).isEqualTo(reason.code());
            if (token.length() > 20) {
                assertThat(e.getMessage()).doesNotContain(token.substring(token.length() - 20));
            }
        });
    }

    @Test
    void verifyWhenOwnAccessTokenThenAccepted() {
        VerifiedToken t = verifier.verify(accessToken());

        assertThat(t.subject()).contains("alice");
        assertThat(t.scopes()).containsExactly("read");
        assertThat(t.type()).contains("at+jwt");
        assertThat(t.claim("client_id")).contains("web");
    }

    @Test
    void verifyWhenAlgNoneThenUnsecured() throws Throwable {
        String payload = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"admin\",\"aud\":\"api\",\"exp\":9999999999}";
        for (String alg : List.of("none", "None", "NONE", "nOnE")) {
            assertRefused(
                    () -> JwtTestSupport.unsigned("{\"alg\":\"" + alg + "\",\"typ\":\"at+jwt\"}", payload),
                    TokenException.Reason.UNSECURED);
        }
        // A valid header with the signature stripped.
        String real = accessToken();
        assertRefused(() -> real.substring(0, real.lastIndexOf('.') + 1), TokenException.Reason.UNSECURED);
    }

    @Test
    void verifyWhenHs256SignedWithRsaPublicKeyThenKeyConfusionRefused() throws Throwable {
        ManagedKey rsa = ring.activeKey();
        byte[] publicKeyBytes = rsa.publicJwk().toRSAKey().toPublicKey().getEncoded();
        String payload = JwtTestSupport.accessClaims(T0).toString();
        String forged = JwtTestSupport.hmacForgery(
                "{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"" + rsa.kid() + "\"}", payload, publicKeyBytes);
        TokenVerifier allowingHs = TokenVerifier.builder()
                .keys(ring)
                .algorithms(JwsAlgorithm.RS256, JwsAlgorithm.HS256)
                .clock(clock)
                .build();

        // Default verifier: HS256 is not even allowed.
        assertRefused(() -> forged, TokenException.Reason.ALGORITHM_NOT_ALLOWED);
        // Even where HS256 is allowed, an RSA key never verifies an HMAC.
        assertRefused(allowingHs, forged, TokenException.Reason.KEY_NOT_FOUND);
        TokenVerifier jwksHs = TokenVerifier.builder()
                .jwks(ring.jwksJson())
                .algorithms(JwsAlgorithm.RS256, JwsAlgorithm.HS256)
                .clock(clock)
                .build();
        assertRefused(jwksHs, forged, TokenException.Reason.ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void verifyWhenAlgorithmNotInAllowedSetThenRefused() throws Throwable {
        TokenVerifier esOnly = TokenVerifier.builder()
                .keys(ring)
                .algorithms(JwsAlgorithm.ES256)
                .clock(clock)
                .build();

        assertRefused(esOnly, accessToken(), TokenException.Reason.ALGORITHM_NOT_ALLOWED);
        assertRefused(
                () -> JwtTestSupport.unsigned("{\"alg\":\"HS1024\"}", "{}") + "c2ln",
                TokenException.Reason.ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void verifyWhenKidUnknownThenKeyNotFound() throws Throwable {
        RSAKey attacker = new RSAKeyGenerator(2048).keyID("attacker").generate();

        assertRefused(
                () -> JwtTestSupport.sign(
                        attacker,
                        JwtTestSupport.header(JWSAlgorithm.RS256, "attacker").build(),
                        JwtTestSupport.accessClaims(T0)),
                TokenException.Reason.KEY_NOT_FOUND);
    }

    @Test
    void verifyWhenEmbeddedJwkJkuX5uOrX5cThenRefusedEvenIfSelfConsistent() throws Throwable {
        RSAKey attacker =
                new RSAKeyGenerator(2048).keyID(ring.activeKey().kid()).generate();
        JWTClaimsSet claims = JwtTestSupport.accessClaims(T0);

        assertRefused(
                () -> JwtTestSupport.sign(
                        attacker,
                        JwtTestSupport.header(JWSAlgorithm.RS256, attacker.getKeyID())
                                .jwk(attacker.toPublicJWK())
                                .build(),
                        claims),
                TokenException.Reason.EMBEDDED_KEY);
        assertRefused(
                () -> JwtTestSupport.sign(
                        attacker,
                        JwtTestSupport.header(JWSAlgorithm.RS256, attacker.getKeyID())
                                .jwkURL(URI.create("https://evil.example/jwks"))
                                .build(),
                        claims),
                TokenException.Reason.EMBEDDED_KEY);
        assertRefused(
                () -> JwtTestSupport.sign(
                        attacker,
                        JwtTestSupport.header(JWSAlgorithm.RS256, attacker.getKeyID())
                                .x509CertURL(URI.create("https://evil.example/cert"))
                                .build(),
                        claims),
                TokenException.Reason.EMBEDDED_KEY);
        assertRefused(
                () -> JwtTestSupport.sign(
                        attacker,
                        JwtTestSupport.header(JWSAlgorithm.RS256, attacker.getKeyID())
                                .x509CertChain(List.of(com.nimbusds.jose.util.Base64.encode("not a cert")))
                                .build(),
                        claims),
                TokenException.Reason.EMBEDDED_KEY);
    }

    @Test
    void verifyWhenCritHeaderThenRefused() throws Throwable {
        RSAKey key = ring.activeKey().jwk().toRSAKey();

        assertRefused(
                () -> JwtTestSupport.sign(
                        key,
                        JwtTestSupport.header(JWSAlgorithm.RS256, key.getKeyID())
                                .criticalParams(Set.of("urn:example:unknown"))
                                .customParam("urn:example:unknown", true)
                                .build(),
                        JwtTestSupport.accessClaims(T0)),
                TokenException.Reason.UNSUPPORTED_CRITICAL_HEADER);
    }

    @Test
    void verifyWhenWrongTypThenRefused() throws Throwable {
        // An ID token (typ JWT) presented as an access token: RFC 9068 §4 / RFC 8725 §3.11.
        String idToken = issuer.idToken(IdTokenRequest.of("alice", "api", "n-0S6_WzA2Mj"))
                .value();

        assertRefused(() -> idToken, TokenException.Reason.WRONG_TYPE);
    }

    @Test
    void verifyWhenTypIsApplicationPrefixedOrOtherCaseThenAccepted() throws Exception {
        RSAKey key = ring.activeKey().jwk().toRSAKey();
        for (String typ : List.of("application/at+jwt", "AT+JWT")) {
            String token = JwtTestSupport.sign(
                    key,
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID(key.getKeyID())
                            .type(new JOSEObjectType(typ))
                            .build(),
                    JwtTestSupport.accessClaims(T0));

            assertThat(verifier.verify(token).subject()).contains("alice");
        }
    }

    @Test
    void verifyWhenSignatureOrPayloadAlteredThenBadSignature() throws Throwable {
        String token = accessToken();
        String[] parts = token.split("\\.");
        String otherPayload = Base64URL.encode(
                        JwtTestSupport.accessClaims(T0).toString().replace("alice", "admin"))
                .toString();
        char last = parts[2].charAt(10);

        assertRefused(
                () -> parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + (last == 'A' ? 'B' : 'A')
                        + parts[2].substring(11),
                TokenException.Reason.BAD_SIGNATURE);
        assertRefused(() -> parts[0] + "." + otherPayload + "." + parts[2], TokenException.Reason.BAD_SIGNATURE);
    }

    @Test
    void verifyWhenExpiredThenRefusedOnlyPastSkew() throws Throwable {
        String token = accessToken(); // exp = T0 + 5 min; skew 60 s

        clock.set(T0.plus(Duration.ofMinutes(5)).plusSeconds(59));
        assertThat(verifier.verify(token).subject()).contains("alice");
        clock.set(T0.plus(Duration.ofMinutes(5)).plusSeconds(60));
        assertRefused(() -> token, TokenException.Reason.EXPIRED);
    }

    @Test
    void verifyWhenNotBeforeOrIssuedInFutureThenNotYetValid() throws Throwable {
        RSAKey key = ring.activeKey().jwk().toRSAKey();
        JWTClaimsSet nbfLater = new JWTClaimsSet.Builder(JwtTestSupport.accessClaims(T0))
                .notBeforeTime(Date.from(T0.plusSeconds(120)))
                .build();
        JWTClaimsSet iatLater = new JWTClaimsSet.Builder(JwtTestSupport.accessClaims(T0))
                .issueTime(Date.from(T0.plusSeconds(120)))
                .build();

        assertRefused(
                () -> JwtTestSupport.sign(
                        key,
                        JwtTestSupport.header(JWSAlgorithm.RS256, key.getKeyID())
                                .build(),
                        nbfLater),
                TokenException.Reason.NOT_YET_VALID);
        assertRefused(
                () -> JwtTestSupport.sign(
                        key,
                        JwtTestSupport.header(JWSAlgorithm.RS256, key.getKeyID())
                                .build(),
                        iatLater),
                TokenException.Reason.NOT_YET_VALID);
    }

    @Test
    void verifyWhenWrongIssuerOrAudienceThenRefused() throws Throwable {
        TokenIssuer other = TokenIssuer.builder(ring, "https://evil.example.test")
                .clock(clock)
                .build();
        String otherIssuer = other.accessToken(AccessTokenRequest.builder("alice", "web")
                        .audience("api")
                        .build())
                .value();
        String otherAudience = issuer.accessToken(AccessTokenRequest.builder("alice", "web")
                        .audience("billing")
                        .build())
                .value();

        assertRefused(() -> otherIssuer, TokenException.Reason.WRONG_ISSUER);
        assertRefused(() -> otherAudience, TokenException.Reason.WRONG_AUDIENCE);
    }

    @Test
    void verifyWhenRequiredClaimMissingThenRefused() throws Throwable {
        RSAKey key = ring.activeKey().jwk().toRSAKey();
        JWTClaimsSet noClientId = new JWTClaimsSet.Builder(JwtTestSupport.accessClaims(T0))
                .claim("client_id", null)
                .build();
        JWTClaimsSet noExp = new JWTClaimsSet.Builder(JwtTestSupport.accessClaims(T0))
                .expirationTime(null)
                .build();

        assertRefused(
                () -> JwtTestSupport.sign(
                        key,
                        JwtTestSupport.header(JWSAlgorithm.RS256, key.getKeyID())
                                .build(),
                        noClientId),
                TokenException.Reason.MISSING_CLAIM);
        assertRefused(
                () -> JwtTestSupport.sign(
                        key,
                        JwtTestSupport.header(JWSAlgorithm.RS256, key.getKeyID())
                                .build(),
                        noExp),
                TokenException.Reason.MISSING_CLAIM);
    }

    @Test
    void verifyWhenMalformedThenMalformed() throws Throwable {
        String real = accessToken();
        String[] p = real.split("\\.");
        for (String bad : List.of(
                "abc",
                "a.b",
                real + ".extra.segments",
                "!!!." + p[1] + "." + p[2],
                Base64URL.encode("not json") + "." + p[1] + "." + p[2],
                Base64URL.encode("{\"typ\":\"at+jwt\"}") + "." + p[1] + "." + p[2],
                p[0] + ".%%%." + p[2],
                ".." + p[2])) {
            assertRefused(verifier, bad, TokenException.Reason.MALFORMED);
        }
    }

    @Test
    void verifyWhenHugeThenTooLargeBeforeParsing() throws Throwable {
        assertRefused(() -> "a".repeat(100_000) + ".b.c", TokenException.Reason.TOO_LARGE);
    }

    @Test
    void verifyWhenRevokedThenRefusedAndOthersStillAccepted() throws Throwable {
        InMemoryTokenDenylist denylist = new InMemoryTokenDenylist(clock);
        TokenVerifier withDenylist = TokenVerifier.builder()
                .keys(ring)
                .issuer(ISSUER)
                .denylist(denylist)
                .clock(clock)
                .build();
        IssuedToken revoked = issuer.accessToken(
                AccessTokenRequest.builder("alice", "web").audience("api").build());
        IssuedToken kept = issuer.accessToken(
                AccessTokenRequest.builder("alice", "web").audience("api").build());

        denylist.revoke(revoked.jti(), revoked.expiresAt());

        assertRefused(withDenylist, revoked.value(), TokenException.Reason.REVOKED);
        assertThat(withDenylist.verify(kept.value()).jti()).contains(kept.jti());
    }

    @Test
    void verifyWhenEcKeyOfOtherCurveNamedThenRefused() throws Exception {
        ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID("ec").generate();
        String jwks = "{\"keys\":[" + p384.toPublicJWK().toJSONString() + "]}";
        TokenVerifier es256 = TokenVerifier.builder()
                .jwks(jwks)
                .algorithms(JwsAlgorithm.ES256)
                .requireExpiry(false)
                .build();
        JWK forged = p384;

        String token = JwtTestSupport.sign(
                forged,
                new JWSHeader.Builder(JWSAlgorithm.ES384).keyID("ec").build(),
                new JWTClaimsSet.Builder().build());
        String relabelled =
                Base64URL.encode("{\"alg\":\"ES256\",\"kid\":\"ec\"}") + token.substring(token.indexOf('.'));

        assertRefused(es256, relabelled, TokenException.Reason.ALGORITHM_NOT_ALLOWED);
    }
}
