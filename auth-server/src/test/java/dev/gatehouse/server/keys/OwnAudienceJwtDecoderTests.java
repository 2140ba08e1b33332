package dev.gatehouse.server.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;

class OwnAudienceJwtDecoderTests {

    private static final String ISSUER = "https://login.example.com";

    private static Jwt token(Map<String, Object> claims) {
        Jwt.Builder b = Jwt.withTokenValue("token-value")
                .header("alg", "RS256")
                .issuedAt(Instant.EPOCH)
                .expiresAt(Instant.EPOCH.plusSeconds(60));
        claims.forEach(b::claim);
        return b.build();
    }

    private static Jwt decode(Jwt jwt) {
        return new OwnAudienceJwtDecoder(value -> jwt).decode(jwt.getTokenValue());
    }

    @Test
    void decodeWhenAudienceIsOwnClientIdThenAccepted() {
        Jwt jwt = token(Map.of("iss", ISSUER, "client_id", "app", "aud", List.of("app")));
        assertThat(decode(jwt)).isSameAs(jwt);
        assertThat(decode(token(Map.of("iss", ISSUER, "client_id", "app", "aud", "app"))))
                .isNotNull();
    }

    @Test
    void decodeWhenAudienceNamesIssuerThenAccepted() {
        assertThat(decode(
                        token(Map.of("iss", ISSUER, "client_id", "app", "aud", List.of("https://rs.example", ISSUER)))))
                .isNotNull();
    }

    @Test
    void decodeWhenAudienceNamesOnlyOtherResourcesThenInvalidTokenNamingNoValue() {
        for (Object aud : List.of(
                List.of("http://localhost:8082"),
                List.of("http://localhost:8082", "https://rs.example"),
                List.of("app", "http://localhost:8082"),
                List.of())) {
            Jwt jwt = token(Map.of("iss", ISSUER, "client_id", "app", "aud", aud));
            assertThatExceptionOfType(BadJwtException.class)
                    .as(aud.toString())
                    .isThrownBy(() -> decode(jwt))
                    .withMessageContaining("token.wrong_audience")
                    .withMessageNotContaining("localhost")
                    .withMessageNotContaining("app");
        }
    }

    @Test
    void decodeWhenAudienceOrClientIdMissingThenRefused() {
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> decode(token(Map.of("iss", ISSUER, "client_id", "app"))));
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> decode(token(Map.of("iss", ISSUER, "aud", List.of("app")))));
    }
}
