package dev.gatehouse.server.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/** The rules {@link ClientAssertions} applies to a {@code private_key_jwt} assertion (RFC 7523 §3, 7523bis). */
class ClientAssertionsTests {

    static final String ISSUER = "https://login.example.com";
    static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    final Map<String, Instant> used = new HashMap<>();
    final List<String> usedOrder = new ArrayList<>();
    final ClientAssertions assertions = new ClientAssertions(() -> ISSUER, Clock.fixed(NOW, ZoneOffset.UTC), (k, t) -> {
        usedOrder.add(k);
        return used.putIfAbsent(k, t) == null;
    });
    RSAKey key;
    RegisteredClient client;

    @BeforeEach
    void setUp() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        client = client(ClientAuthenticationMethod.PRIVATE_KEY_JWT, new JWKSet(key).toString(true));
    }

    @Test
    void decodeWhenValidThenJwtAndJtiKeptUntilExpiryPlusSkew() throws Exception {
        Jwt jwt = decode(sign(c -> {}));
        assertThat(jwt.getSubject()).isEqualTo("c1");
        assertThat(used)
                .containsEntry(
                        ClientAssertions.jtiKey("c1", "j1"), NOW.plusSeconds(60).plus(ClientAssertions.CLOCK_SKEW));
    }

    @Test
    void decodeWhenSameJtiTwiceThenSecondRefused() throws Exception {
        decode(sign(c -> {}));
        assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decode(sign(c -> {})));
    }

    @Test
    void decodeWhenSameJtiFromAnotherClientThenAccepted() throws Exception {
        decode(sign(c -> {}));
        RegisteredClient other =
                RegisteredClient.from(client).id("id2").clientId("c2").build();
        String token = sign(c -> c.issuer("c2").subject("c2"));
        assertThat(assertions.createDecoder(other).decode(token).getSubject()).isEqualTo("c2");
    }

    @Test
    void decodeWhenAnyRuleBrokenThenRefusedAndNoJtiRecorded() throws Exception {
        List<Consumer<JWTClaimsSet.Builder>> broken = List.of(
                c -> c.issuer("c2"),
                c -> c.subject("c2"),
                c -> c.audience(ISSUER + "/oauth2/token"),
                c -> c.audience(List.of(ISSUER, "https://other.example")),
                c -> c.expirationTime(null),
                c -> c.expirationTime(Date.from(NOW.minusSeconds(31))),
                c -> c.expirationTime(Date.from(NOW.plusSeconds(5 * 60 + 31))),
                c -> c.issueTime(Date.from(NOW.plusSeconds(31))),
                c -> c.notBeforeTime(Date.from(NOW.plusSeconds(31))),
                c -> c.jwtID(null),
                c -> c.jwtID(""));
        for (Consumer<JWTClaimsSet.Builder> change : broken) {
            String token = sign(change);
            assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decode(token));
        }
        assertThat(usedOrder).isEmpty();
    }

    @Test
    void decodeWhenWithinSkewThenAccepted() throws Exception {
        decode(sign(c -> c.jwtID("a").issueTime(Date.from(NOW.plusSeconds(29)))));
        decode(sign(c -> c.jwtID("b").expirationTime(Date.from(NOW.plusSeconds(5 * 60 + 29)))));
    }

    @Test
    void decodeWhenAlgNoneOrHmacOrWrongKeyThenRefused() throws Exception {
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> decode(new PlainJWT(claims(c -> {})).serialize()));
        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims(c -> {}));
        hs.sign(new MACSigner(new byte[32]));
        assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decode(hs.serialize()));
        RSAKey other = new RSAKeyGenerator(2048).keyID("k1").generate();
        SignedJWT wrong = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims(c -> {}));
        wrong.sign(new RSASSASigner(other));
        assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decode(wrong.serialize()));
        assertThat(usedOrder).isEmpty();
    }

    @Test
    void decodeWhenEdDsaKeyThenAccepted() throws Exception {
        OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed").generate();
        RegisteredClient edClient = client(ClientAuthenticationMethod.PRIVATE_KEY_JWT, new JWKSet(ed).toString(true));
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID("ed").build(), claims(c -> {}));
        jwt.sign(new Ed25519Signer(ed));
        assertThat(assertions.createDecoder(edClient).decode(jwt.serialize()).getSubject())
                .isEqualTo("c1");
    }

    @Test
    void decodeWhenClientNotRegisteredForPrivateKeyJwtOrWithoutKeysThenRefused() throws Exception {
        String token = sign(c -> {});
        RegisteredClient secretJwt =
                client(ClientAuthenticationMethod.CLIENT_SECRET_JWT, new JWKSet(key).toString(true));
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> assertions.createDecoder(secretJwt).decode(token));
        RegisteredClient noKeys = client(ClientAuthenticationMethod.PRIVATE_KEY_JWT, null);
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> assertions.createDecoder(noKeys).decode(token));
    }

    @Test
    void decodeWhenNoIssuerKnownThenRefused() throws Exception {
        ClientAssertions noIssuer = new ClientAssertions(() -> null, Clock.fixed(NOW, ZoneOffset.UTC), (k, t) -> true);
        String token = sign(c -> {});
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> noIssuer.createDecoder(client).decode(token));
    }

    @Test
    void decodeWhenKeysChangedThenNewKeysUsedAtOnce() throws Exception {
        decode(sign(c -> c.jwtID("first")));
        RSAKey next = new RSAKeyGenerator(2048).keyID("k1").generate();
        client = RegisteredClient.from(client)
                .clientSettings(ClientKeys.withKeys(client.getClientSettings(), new JWKSet(next).toString(true), null))
                .build();
        // The old key no longer verifies, with no cache clearing needed: the decoder is keyed by the key set.
        String old = sign(c -> c.jwtID("second"));
        assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decode(old));
        key = next;
        decode(sign(c -> c.jwtID("third")));
    }

    @Test
    void checkJwksWhenPrivateOrSymmetricOrEmptyThenRefused() throws Exception {
        assertThat(ClientKeys.checkJwks(new JWKSet(key).toJSONObject(false)))
                .isInstanceOf(ClientKeys.Checked.Refused.class);
        assertThat(ClientKeys.checkJwks(Map.of("keys", List.of(Map.of("kty", "oct", "k", "AAAA")))))
                .isInstanceOf(ClientKeys.Checked.Refused.class);
        assertThat(ClientKeys.checkJwks(Map.of("keys", List.of()))).isInstanceOf(ClientKeys.Checked.Refused.class);
        assertThat(ClientKeys.checkJwks(Map.of("nokeys", 1))).isInstanceOf(ClientKeys.Checked.Refused.class);
        assertThat(ClientKeys.checkJwks(new JWKSet(key).toJSONObject(true)))
                .isInstanceOf(ClientKeys.Checked.Accepted.class);
    }

    @Test
    void checkJwksUriWhenNotHttpsOrFragmentThenRefused() {
        assertThat(ClientKeys.checkJwksUri("https://keys.example/jwks", true))
                .isInstanceOf(ClientKeys.Checked.Accepted.class);
        assertThat(ClientKeys.checkJwksUri("http://127.0.0.1:8080/jwks", false))
                .isInstanceOf(ClientKeys.Checked.Accepted.class);
        assertThat(ClientKeys.checkJwksUri("http://127.0.0.1:8080/jwks", true))
                .isInstanceOf(ClientKeys.Checked.Refused.class);
        assertThat(ClientKeys.checkJwksUri("http://keys.example/jwks", false))
                .isInstanceOf(ClientKeys.Checked.Refused.class);
        assertThat(ClientKeys.checkJwksUri("https://keys.example/jwks#f", false))
                .isInstanceOf(ClientKeys.Checked.Refused.class);
        assertThat(ClientKeys.checkJwksUri("https://u:p@keys.example/jwks", false))
                .isInstanceOf(ClientKeys.Checked.Refused.class);
        assertThat(ClientKeys.checkJwksUri("/jwks", false)).isInstanceOf(ClientKeys.Checked.Refused.class);
    }

    private Jwt decode(String token) {
        return assertions.createDecoder(client).decode(token);
    }

    private JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .issuer("c1")
                .subject("c1")
                .audience(ISSUER)
                .jwtID("j1")
                .issueTime(Date.from(NOW))
                .expirationTime(Date.from(NOW.plusSeconds(60)));
        change.accept(b);
        return b.build();
    }

    private String sign(Consumer<JWTClaimsSet.Builder> change) throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims(change));
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static RegisteredClient client(ClientAuthenticationMethod method, String jwks) {
        ClientSettings.Builder settings = ClientSettings.builder();
        if (jwks != null) {
            settings.setting(ClientKeys.JWKS_SETTING, jwks);
        }
        return RegisteredClient.withId("id1")
                .clientId("c1")
                .clientAuthenticationMethod(method)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .clientSettings(settings.build())
                .build();
    }
}
