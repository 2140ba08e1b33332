package dev.gatehouse.core.jwt;

import static dev.gatehouse.core.jwt.JwtTestSupport.ISSUER;
import static dev.gatehouse.core.jwt.JwtTestSupport.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.jwt.JwtTestSupport.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenIssuerTests {

    private final MutableClock clock = new MutableClock(T0);
    private final KeyRing ring = JwtTestSupport.ring(JwsAlgorithm.ES256, clock);
    private final TokenIssuer issuer =
            TokenIssuer.builder(ring, ISSUER).clock(clock).build();
    private final TokenVerifier verifier =
            TokenVerifier.builder().keys(ring).issuer(ISSUER).clock(clock).build();

    @Test
    void accessTokenWhenIssuedThenHasRfc9068ClaimsAndHeader() {
        IssuedToken token = issuer.accessToken(AccessTokenRequest.builder("alice", "web")
                .audience("api", "billing")
                .scope("read", "write")
                .claim("roles", List.of("admin"))
                .build());

        VerifiedToken t = verifier.verify(token.value());

        assertThat(t.type()).contains("at+jwt");
        assertThat(t.kid()).contains(ring.activeKey().kid());
        assertThat(t.claims()).containsKeys("iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope");
        assertThat(t.audiences()).containsExactly("api", "billing");
        assertThat(t.scopes()).containsExactly("read", "write");
        assertThat(t.claim("roles")).contains(List.of("admin"));
        assertThat(t.expiresAt()).contains(T0.plus(Duration.ofMinutes(5)));
        assertThat(token.toString()).doesNotContain(token.value());
    }

    @Test
    void idTokenWhenIssuedThenHasOidcClaims() {
        IssuedToken token = issuer.idToken(new IdTokenRequest(
                "alice",
                "web",
                "n-0S6_WzA2Mj",
                T0.minusSeconds(30),
                "urn:gatehouse:acr:mfa",
                List.of("pwd", "otp"),
                Map.of("email", "alice@example.test")));

        VerifiedToken t = verifier.verify(token.value());

        assertThat(t.audiences()).containsExactly("web");
        assertThat(t.claim("azp")).contains("web");
        assertThat(t.claim("nonce")).contains("n-0S6_WzA2Mj");
        assertThat(t.claim("auth_time")).contains(T0.minusSeconds(30).getEpochSecond());
        assertThat(t.claim("amr")).contains(List.of("pwd", "otp"));
        assertThat(t.claim("email")).contains("alice@example.test");
    }

    @Test
    void accessTokenWhenCallerTriesToSetRegisteredClaimThenRefused() {
        assertThatThrownBy(() -> issuer.accessToken(AccessTokenRequest.builder("alice", "web")
                        .audience("api")
                        .claim("iss", "https://evil.example")
                        .build()))
                .isInstanceOf(TokenException.class)
                .hasMessageContaining("'iss'");
        assertThatThrownBy(() -> issuer.jwt(Map.of("exp", 1), Duration.ofMinutes(1)))
                .isInstanceOf(TokenException.class);
        assertThatThrownBy(() -> AccessTokenRequest.builder("alice", "web").build())
                .isInstanceOf(TokenException.class);
    }

    @Test
    void jtiWhenManyIssuedThenUnique() {
        java.util.Set<String> jtis = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            jtis.add(issuer.jwt(Map.of("sub", "s"), Duration.ofMinutes(1)).jti());
        }
        assertThat(jtis).hasSize(200);
    }

    @Test
    void signClaimsWhenCompleteThenSignedExactlyAndWhenIncompleteThenRefused() {
        Map<String, Object> claims = Map.of(
                "iss",
                ISSUER,
                "sub",
                "svc",
                "aud",
                "api",
                "iat",
                T0.getEpochSecond(),
                "exp",
                T0.getEpochSecond() + 60,
                "jti",
                "j-1",
                "client_id",
                "svc");

        VerifiedToken t = verifier.verify(issuer.signClaims(claims, "at+jwt").value());

        assertThat(t.type()).contains("at+jwt");
        assertThat(t.jti()).contains("j-1");
        assertThatThrownBy(() -> issuer.signClaims(Map.of("iss", ISSUER, "sub", "x"), "JWT"))
                .isInstanceOfSatisfying(
                        TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.MISSING_CLAIM));
        assertThatThrownBy(() ->
                        issuer.signClaims(Map.of("iss", "https://other.test", "iat", 1, "exp", 2, "jti", "j"), "JWT"))
                .isInstanceOfSatisfying(
                        TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.WRONG_ISSUER));
    }

    @Test
    void builderWhenIssuerNotHttpsOrHasQueryThenRefused() {
        assertThatThrownBy(() -> TokenIssuer.builder(ring, "http://login.example.com"))
                .isInstanceOf(TokenException.class);
        assertThatThrownBy(() -> TokenIssuer.builder(ring, "https://login.example.com?x=1"))
                .isInstanceOf(TokenException.class);
        assertThat(TokenIssuer.builder(ring, "http://localhost:9000").build().issuer())
                .isEqualTo("http://localhost:9000");
    }
}
