package dev.gatehouse.core.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwts;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Tokens issued here verify with Spring Security's NimbusJwtDecoder (fetching our JWKS over HTTP) and with
 * jjwt; tokens signed by jjwt verify here.
 */
class InteropTests {

    private static final String ISSUER = "https://login.example.test";

    private static TokenIssuer issuer(KeyRing ring) {
        return TokenIssuer.builder(ring, ISSUER).build();
    }

    @ParameterizedTest
    @EnumSource(
            value = JwsAlgorithm.class,
            names = {"RS256", "PS256", "ES256", "ES384"})
    void springNimbusJwtDecoderWhenOurAccessTokenThenDecodes(JwsAlgorithm algorithm) throws Exception {
        KeyRing ring = KeyRing.builder().algorithm(algorithm).build();
        String token = issuer(ring)
                .accessToken(AccessTokenRequest.builder("alice", "web")
                        .audience("api")
                        .scope("read", "write")
                        .build())
                .value();
        try (JwksServer server = new JwksServer(ring::jwksJson)) {
            // Spring Security 7 checks typ=JWT by default; RFC 9068 access tokens are at+jwt.
            NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(
                            server.uri().toString())
                    .jwsAlgorithm(SignatureAlgorithm.from(algorithm.joseName()))
                    .build();
            decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                    new JwtTimestampValidator(), new JwtIssuerValidator(ISSUER), new JwtTypeValidator("at+jwt")));

            Jwt jwt = decoder.decode(token);

            assertThat(jwt.getSubject()).isEqualTo("alice");
            assertThat(jwt.getAudience()).containsExactly("api");
            assertThat(jwt.getClaimAsString("scope")).isEqualTo("read write");
            assertThat(jwt.getHeaders()).containsEntry("typ", "at+jwt");
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = JwsAlgorithm.class,
            names = {"RS256", "PS256", "ES256", "ES384", "EdDSA"})
    void jjwtWhenOurTokenThenVerifies(JwsAlgorithm algorithm) throws Exception {
        KeyRing ring = KeyRing.builder().algorithm(algorithm).build();
        String token = issuer(ring)
                .jwt(JwtTestSupport.map("sub", "alice", "aud", "api"), java.time.Duration.ofMinutes(5))
                .value();

        Claims claims = Jwts.parser()
                .verifyWith(publicKey(ring.activeKey().publicJwk()))
                .build()
                .parseSignedClaims(token)
                .getPayload();

        assertThat(claims.getSubject()).isEqualTo("alice");
        assertThat(claims.getIssuer()).isEqualTo(ISSUER);
    }

    @Test
    void verifyWhenJjwtSignedRs256Es256AndEdDsaThenAccepted() throws Exception {
        for (JwsAlgorithm algorithm : new JwsAlgorithm[] {JwsAlgorithm.RS256, JwsAlgorithm.ES256, JwsAlgorithm.EdDSA}) {
            JWK key = KeyRing.generate(algorithm, new java.security.SecureRandom());
            String token = Jwts.builder()
                    .header()
                    .keyId(key.getKeyID())
                    .and()
                    .issuer(ISSUER)
                    .subject("carol")
                    .audience()
                    .add("api")
                    .and()
                    .expiration(Date.from(Instant.now().plusSeconds(300)))
                    .signWith(privateKey(key))
                    .compact();
            TokenVerifier verifier = TokenVerifier.builder()
                    .jwks("{\"keys\":[" + key.toPublicJWK().toJSONString() + "]}")
                    .issuer(ISSUER)
                    .audience("api")
                    .build();

            assertThat(verifier.verify(token).subject()).as(algorithm.name()).contains("carol");
        }
    }

    @Test
    void verifyWhenSpringNimbusJwtEncoderSignedThenAccepted() throws Exception {
        RSAKey key = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048)
                .keyIDFromThumbprint(true)
                .generate();
        org.springframework.security.oauth2.jwt.NimbusJwtEncoder encoder =
                new org.springframework.security.oauth2.jwt.NimbusJwtEncoder(
                        new com.nimbusds.jose.jwk.source.ImmutableJWKSet<>(new com.nimbusds.jose.jwk.JWKSet(key)));
        Instant now = Instant.now();
        org.springframework.security.oauth2.jwt.JwtClaimsSet claims =
                org.springframework.security.oauth2.jwt.JwtClaimsSet.builder()
                        .issuer(ISSUER)
                        .subject("dave")
                        .audience(java.util.List.of("api"))
                        .issuedAt(now)
                        .expiresAt(now.plusSeconds(300))
                        .build();
        String token = encoder.encode(org.springframework.security.oauth2.jwt.JwtEncoderParameters.from(
                        org.springframework.security.oauth2.jwt.JwsHeader.with(SignatureAlgorithm.RS256)
                                .keyId(key.getKeyID())
                                .build(),
                        claims))
                .getTokenValue();
        TokenVerifier verifier = TokenVerifier.builder()
                .jwks("{\"keys\":[" + key.toPublicJWK().toJSONString() + "]}")
                .issuer(ISSUER)
                .audience("api")
                .build();

        assertThat(verifier.verify(token).subject()).contains("dave");
    }

    private static PublicKey publicKey(JWK jwk) throws Exception {
        if (jwk instanceof RSAKey rsa) {
            return rsa.toPublicKey();
        }
        if (jwk instanceof ECKey ec) {
            return ec.toPublicKey();
        }
        byte[] x = ((OctetKeyPair) jwk).getX().decode();
        return KeyFactory.getInstance("Ed25519")
                .generatePublic(new X509EncodedKeySpec(concat(HexFormat.of().parseHex("302a300506032b6570032100"), x)));
    }

    private static PrivateKey privateKey(JWK jwk) throws Exception {
        if (jwk instanceof RSAKey rsa) {
            return rsa.toPrivateKey();
        }
        if (jwk instanceof ECKey ec) {
            return ec.toPrivateKey();
        }
        byte[] d = ((OctetKeyPair) jwk).getD().decode();
        return KeyFactory.getInstance("Ed25519")
                .generatePrivate(new PKCS8EncodedKeySpec(
                        concat(HexFormat.of().parseHex("302e020100300506032b657004220420"), d)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
