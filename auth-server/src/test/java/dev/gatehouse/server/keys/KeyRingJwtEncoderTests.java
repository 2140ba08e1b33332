package dev.gatehouse.server.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.ManagedKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtEncodingException;

/** The encoder signs with the ring's active key: its kid and algorithm, whatever the caller's header asked for. */
class KeyRingJwtEncoderTests {

    private static final String ISSUER = "https://issuer.example";

    private static JwtClaimsSet.Builder claims(String issuer) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return JwtClaimsSet.builder()
                .issuer(issuer)
                .subject("alice")
                .audience(List.of("api"))
                .issuedAt(now)
                .expiresAt(now.plusSeconds(300));
    }

    @Test
    void encodeWhenSignedThenHeaderNamesTheActiveKeysKidAndAlgorithm() throws Exception {
        KeyRing ring = KeyRing.builder().algorithm(JwsAlgorithm.ES256).build();
        ManagedKey active = ring.activeKey();
        KeyRingJwtEncoder encoder = new KeyRingJwtEncoder(ring, ISSUER);

        Jwt jwt = encoder.encode(JwtEncoderParameters.from(claims(ISSUER).build()));

        assertThat(jwt.getHeaders())
                .containsEntry("kid", active.kid())
                .containsEntry("alg", "ES256")
                .containsEntry("typ", "JWT");
        SignedJWT parsed = SignedJWT.parse(jwt.getTokenValue());
        assertThat(parsed.getHeader().getKeyID()).isEqualTo(active.kid());
        assertThat(parsed.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(parsed.verify(new ECDSAVerifier(JWKSet.parse(ring.jwksJson())
                        .getKeyByKeyId(active.kid())
                        .toECKey())))
                .isTrue();
    }

    @Test
    void encodeWhenHeaderAsksForAnotherAlgorithmThenTheActiveKeysAlgorithmSigns() throws Exception {
        KeyRing ring = KeyRing.builder().algorithm(JwsAlgorithm.ES256).build();
        KeyRingJwtEncoder encoder = new KeyRingJwtEncoder(ring, ISSUER);

        Jwt asksRsa = encoder.encode(JwtEncoderParameters.from(
                JwsHeader.with(SignatureAlgorithm.RS256).build(), claims(ISSUER).build()));
        // A symmetric algorithm asked for must not make the encoder sign with anything a public key could forge.
        Jwt asksHmac = encoder.encode(JwtEncoderParameters.from(
                JwsHeader.with(MacAlgorithm.HS256).build(), claims(ISSUER).build()));

        for (Jwt jwt : List.of(asksRsa, asksHmac)) {
            assertThat(jwt.getHeaders()).containsEntry("alg", "ES256");
            assertThat(SignedJWT.parse(jwt.getTokenValue()).getHeader().getAlgorithm())
                    .isEqualTo(JWSAlgorithm.ES256);
        }
    }

    @Test
    void encodeWhenActiveKeyAlgorithmDiffersFromTheRingDefaultThenTheKeysAlgorithmIsNamed() throws Exception {
        KeyRing ring = KeyRing.builder().algorithm(JwsAlgorithm.ES256).build();
        ManagedKey rsa = ring.addKey(JwsAlgorithm.RS256); // the first key of an empty ring becomes active
        KeyRingJwtEncoder encoder = new KeyRingJwtEncoder(ring, ISSUER);

        Jwt jwt = encoder.encode(JwtEncoderParameters.from(claims(ISSUER).build()));

        assertThat(jwt.getHeaders()).containsEntry("alg", "RS256").containsEntry("kid", rsa.kid());
        SignedJWT parsed = SignedJWT.parse(jwt.getTokenValue());
        assertThat(parsed.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(parsed.verify(new RSASSAVerifier(
                        JWKSet.parse(ring.jwksJson()).getKeyByKeyId(rsa.kid()).toRSAKey())))
                .isTrue();
    }

    @Test
    void encodeWhenRingRotatedThenNewTokensCarryTheNewKid() throws Exception {
        KeyRing ring = KeyRing.builder().algorithm(JwsAlgorithm.ES256).build();
        KeyRingJwtEncoder encoder = new KeyRingJwtEncoder(ring, ISSUER);
        String before = encoder.encode(JwtEncoderParameters.from(claims(ISSUER).build()))
                .getHeaders()
                .get("kid")
                .toString();

        ManagedKey next = ring.rotateNow();
        Jwt after = encoder.encode(JwtEncoderParameters.from(claims(ISSUER).build()));

        assertThat(next.kid()).isNotEqualTo(before);
        assertThat(after.getHeaders()).containsEntry("kid", next.kid());
        assertThat(SignedJWT.parse(after.getTokenValue()).getHeader().getKeyID())
                .isEqualTo(next.kid());
    }

    @Test
    void encodeWhenTypeSetByTheCustomizerThenKeptInTheSignedHeader() throws Exception {
        KeyRingJwtEncoder encoder = new KeyRingJwtEncoder(
                KeyRing.builder().algorithm(JwsAlgorithm.ES256).build(), ISSUER);

        Jwt jwt = encoder.encode(JwtEncoderParameters.from(
                JwsHeader.with(SignatureAlgorithm.ES256).type("at+jwt").build(),
                claims(ISSUER).build()));

        assertThat(jwt.getHeaders()).containsEntry("typ", "at+jwt");
        assertThat(SignedJWT.parse(jwt.getTokenValue()).getHeader().getType().getType())
                .isEqualTo("at+jwt");
    }

    @Test
    void encodeWhenNoJtiThenOneIsAddedToTheTokenAndTheReturnedClaims() throws Exception {
        KeyRingJwtEncoder encoder = new KeyRingJwtEncoder(
                KeyRing.builder().algorithm(JwsAlgorithm.ES256).build(), ISSUER);

        Jwt first = encoder.encode(JwtEncoderParameters.from(claims(ISSUER).build()));
        Jwt second = encoder.encode(JwtEncoderParameters.from(claims(ISSUER).build()));

        assertThat(first.getId()).isNotBlank().isNotEqualTo(second.getId());
        assertThat(SignedJWT.parse(first.getTokenValue()).getJWTClaimsSet().getJWTID())
                .isEqualTo(first.getId());
    }

    @Test
    void encodeWhenJtiGivenThenKeptAndDatesAreEpochSeconds() throws Exception {
        KeyRingJwtEncoder encoder = new KeyRingJwtEncoder(
                KeyRing.builder().algorithm(JwsAlgorithm.ES256).build(), ISSUER);
        JwtClaimsSet set = claims(ISSUER).id("jti-1").build();

        Jwt jwt = encoder.encode(JwtEncoderParameters.from(set));

        assertThat(jwt.getId()).isEqualTo("jti-1");
        assertThat(jwt.getExpiresAt()).isEqualTo(set.getExpiresAt());
        SignedJWT parsed = SignedJWT.parse(jwt.getTokenValue());
        assertThat(parsed.getJWTClaimsSet().getJWTID()).isEqualTo("jti-1");
        assertThat(parsed.getPayload().toJSONObject().get("exp"))
                .isEqualTo(set.getExpiresAt().getEpochSecond());
        assertThat(parsed.getJWTClaimsSet().getAudience()).containsExactly("api");
    }

    @Test
    void encodeWhenClaimsHaveNoIssuerThenRefused() {
        KeyRingJwtEncoder encoder = new KeyRingJwtEncoder(
                KeyRing.builder().algorithm(JwsAlgorithm.ES256).build(), ISSUER);
        Instant now = Instant.now();
        JwtClaimsSet noIssuer = JwtClaimsSet.builder()
                .subject("alice")
                .issuedAt(now)
                .expiresAt(now.plusSeconds(60))
                .build();

        assertThatThrownBy(() -> encoder.encode(JwtEncoderParameters.from(noIssuer)))
                .isInstanceOf(JwtEncodingException.class)
                .hasMessageContaining("no issuer");
    }

    @Test
    void encodeWhenClaimsNameAnotherIssuerThanTheConfiguredOneThenRefused() {
        KeyRingJwtEncoder encoder = new KeyRingJwtEncoder(
                KeyRing.builder().algorithm(JwsAlgorithm.ES256).build(), ISSUER);

        assertThatThrownBy(() -> encoder.encode(JwtEncoderParameters.from(
                        claims("https://attacker.example").build())))
                .isInstanceOf(JwtEncodingException.class)
                .hasMessageContaining("other than the configured one");
    }

    @Test
    void encodeWhenIssuerIsRequestDerivedThenAtMostSixteenDistinctIssuersAreSignedFor() {
        KeyRingJwtEncoder encoder = new KeyRingJwtEncoder(
                KeyRing.builder().algorithm(JwsAlgorithm.ES256).build(), null);
        for (int i = 0; i < 16; i++) {
            encoder.encode(JwtEncoderParameters.from(
                    claims("https://host" + i + ".example").build()));
        }
        // An issuer already seen still works; a seventeenth Host header does not grow the cache.
        encoder.encode(JwtEncoderParameters.from(claims("https://host0.example").build()));

        assertThatThrownBy(() -> encoder.encode(JwtEncoderParameters.from(
                        claims("https://host16.example").build())))
                .isInstanceOf(JwtEncodingException.class)
                .hasMessageContaining("too many distinct issuers");
    }
}
