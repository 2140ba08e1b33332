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
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import java.security.SecureRandom;
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

/**
 * The rules {@link ClientAssertions} applies to a {@code private_key_jwt} and a {@code client_secret_jwt} assertion
 * (RFC 7523 §3, 7523bis).
 */
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

    // ---------------------------------------------------------------- client_secret_jwt (RFC 7523 §2.2)

    final ClientSecrets hashes = new ClientSecrets(new byte[32], new SecureRandom());
    final SealedClientSecrets sealed =
            new SealedClientSecrets(Envelope.of(MasterKey.ephemeralForDevelopment()), hashes, new SecureRandom());
    final ClientAssertions withSecrets = new ClientAssertions(
            () -> ISSUER,
            Clock.fixed(NOW, ZoneOffset.UTC),
            (k, t) -> {
                usedOrder.add(k);
                return used.putIfAbsent(k, t) == null;
            },
            new ClientKeyVerifiers(Clock.fixed(NOW, ZoneOffset.UTC)),
            sealed);

    @Test
    void decodeWhenClientSecretJwtWithEachHmacAlgorithmThenAcceptedAndJtiKeptApart() throws Exception {
        String secret = sealed.generate();
        RegisteredClient csj = secretJwtClient(secret);
        for (JWSAlgorithm alg : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)) {
            String token = mac(alg, secret, c -> c.jwtID(alg.getName()));
            Jwt jwt = withSecrets.createDecoder(csj).decode(token);
            assertThat(jwt.getSubject()).isEqualTo("c1");
            assertThat(jwt.getHeaders()).containsEntry("alg", alg.getName());
        }
        // Keyed apart from private_key_jwt's jti values (and DPoP's).
        assertThat(used).containsKey(ClientAssertions.jtiKey(ClientAssertions.SECRET_JTI_KIND, "c1", "HS256"));
        assertThat(used).doesNotContainKey(ClientAssertions.jtiKey("c1", "HS256"));
    }

    @Test
    void decodeWhenClientSecretJwtBrokenThenRefusedAndNoJtiRecorded() throws Exception {
        String secret = sealed.generate();
        RegisteredClient csj = secretJwtClient(secret);
        List<String> broken = new ArrayList<>();
        broken.add(mac(JWSAlgorithm.HS256, sealed.generate(), c -> {}));
        broken.add(new PlainJWT(claims(c -> {})).serialize());
        broken.add(sign(c -> {}));
        broken.add(mac(JWSAlgorithm.HS256, secret, c -> c.audience(ISSUER + "/oauth2/token")));
        broken.add(mac(JWSAlgorithm.HS256, secret, c -> c.audience(List.of(ISSUER, "https://other.example"))));
        broken.add(mac(JWSAlgorithm.HS256, secret, c -> c.issuer("c2")));
        broken.add(mac(JWSAlgorithm.HS256, secret, c -> c.subject("c2")));
        broken.add(mac(JWSAlgorithm.HS256, secret, c -> c.expirationTime(null)));
        broken.add(mac(JWSAlgorithm.HS256, secret, c -> c.expirationTime(Date.from(NOW.minusSeconds(31)))));
        broken.add(mac(JWSAlgorithm.HS256, secret, c -> c.expirationTime(Date.from(NOW.plusSeconds(5 * 60 + 31)))));
        broken.add(mac(JWSAlgorithm.HS256, secret, c -> c.issueTime(Date.from(NOW.plusSeconds(31)))));
        broken.add(mac(JWSAlgorithm.HS256, secret, c -> c.jwtID(null)));
        SignedJWT withJwk = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).jwk(key.toPublicJWK()).build(), claims(c -> {}));
        withJwk.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        broken.add(withJwk.serialize());
        for (String token : broken) {
            assertThatExceptionOfType(BadJwtException.class)
                    .isThrownBy(() -> withSecrets.createDecoder(csj).decode(token));
        }
        assertThat(usedOrder).isEmpty();
    }

    @Test
    void decodeWhenSameClientSecretJwtTwiceThenSecondRefused() throws Exception {
        String secret = sealed.generate();
        RegisteredClient csj = secretJwtClient(secret);
        String token = mac(JWSAlgorithm.HS512, secret, c -> {});
        withSecrets.createDecoder(csj).decode(token);
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> withSecrets.createDecoder(csj).decode(token));
    }

    @Test
    void decodeWhenSigningAlgRegisteredThenOtherAlgorithmsRefused() throws Exception {
        String secret = sealed.generate();
        RegisteredClient csj = RegisteredClient.from(secretJwtClient(secret))
                .clientSettings(ClientSettings.withSettings(
                                secretJwtClient(secret).getClientSettings().getSettings())
                        .setting(ClientAssertions.SIGNING_ALG_SETTING, "HS384")
                        .build())
                .build();
        String hs256 = mac(JWSAlgorithm.HS256, secret, c -> c.jwtID("a"));
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> withSecrets.createDecoder(csj).decode(hs256));
        withSecrets.createDecoder(csj).decode(mac(JWSAlgorithm.HS384, secret, c -> c.jwtID("b")));
    }

    @Test
    void decodeWhenSecretShorterThanTheAlgorithmNeedsThenRefused() throws Exception {
        // A 43-character secret (the one other clients get) is a 43-byte key: HS256 only (RFC 7518 §3.2).
        String shortSecret = hashes.generate();
        RegisteredClient csj = secretJwtClient(shortSecret);
        withSecrets.createDecoder(csj).decode(mac(JWSAlgorithm.HS256, shortSecret, c -> c.jwtID("a")));
        // Signed by hand: Nimbus's signer itself refuses a key this short for HS384.
        String input = new JWSHeader(JWSAlgorithm.HS384).toBase64URL() + "."
                + com.nimbusds.jose.util.Base64URL.encode(
                        claims(c -> c.jwtID("b")).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        javax.crypto.Mac hmac = javax.crypto.Mac.getInstance("HmacSHA384");
        hmac.init(new javax.crypto.spec.SecretKeySpec(
                shortSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA384"));
        String hs384 = input + "."
                + com.nimbusds.jose.util.Base64URL.encode(
                        hmac.doFinal(input.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        // Gatehouse's own RFC 7518 §3.2 check answers first (its reason is in the message): Nimbus's MACVerifier
        // would refuse the short key too, so only the reason tells the check is there.
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> withSecrets.createDecoder(csj).decode(hs384))
                .withMessageContaining("too short for HS384 (RFC 7518 §3.2)");
    }

    @Test
    void decodeWhenClientSecretJwtClientSignsRs256WithItsOwnRegisteredKeyThenRefused() throws Exception {
        // A client_secret_jwt client that still carries a JWK Set (kept from private_key_jwt, or sent at
        // registration): an assertion signed with that very key must not authenticate it. The path is chosen by
        // the registered method, never by the header's alg (RFC 8725 §3.1).
        String secret = sealed.generate();
        RegisteredClient csjWithKeys = RegisteredClient.from(secretJwtClient(secret))
                .clientSettings(ClientSettings.withSettings(
                                secretJwtClient(secret).getClientSettings().getSettings())
                        .setting(ClientKeys.JWKS_SETTING, new JWKSet(key.toPublicJWK()).toString(true))
                        .build())
                .build();
        String rs256 = sign(c -> {});
        // The same assertion authenticates the client when it is registered for private_key_jwt.
        assertions.createDecoder(client).decode(rs256);

        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> withSecrets.createDecoder(csjWithKeys).decode(sign(c -> c.jwtID("j2"))))
                .withMessageContaining("HS256, HS384 or HS512 only");
    }

    @Test
    void decodeWhenSealedCopyUnusableThenRefusedAndCountedForTheOperator() throws Exception {
        String secret = sealed.generate();
        RegisteredClient stale = RegisteredClient.from(secretJwtClient(secret))
                .clientSecret(hashes.encoder().encode(sealed.generate()))
                .build();
        long before = sealed.unusableCount();

        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> withSecrets.createDecoder(stale).decode(mac(JWSAlgorithm.HS256, secret, c -> {})));

        assertThat(sealed.unusableCount()).isEqualTo(before + 1);
    }

    @Test
    void decodeWhenCheapClaimsWrongThenSealedSecretNeverOpened() throws Exception {
        // A stale sealed copy counts each time it is opened: nothing counted means nothing opened.
        String secret = sealed.generate();
        RegisteredClient stale = RegisteredClient.from(secretJwtClient(secret))
                .clientSecret(hashes.encoder().encode(sealed.generate()))
                .build();
        long before = sealed.unusableCount();
        List<Consumer<JWTClaimsSet.Builder>> broken = List.of(
                c -> c.issuer("other"),
                c -> c.subject("other"),
                c -> c.audience("https://elsewhere.example"),
                c -> c.expirationTime(Date.from(NOW.minusSeconds(120))),
                c -> c.expirationTime(null),
                c -> c.notBeforeTime(Date.from(NOW.plusSeconds(120))),
                c -> c.issueTime(Date.from(NOW.plusSeconds(120))));
        for (Consumer<JWTClaimsSet.Builder> change : broken) {
            String token = mac(JWSAlgorithm.HS256, secret, change);
            assertThatExceptionOfType(BadJwtException.class)
                    .isThrownBy(() -> withSecrets.createDecoder(stale).decode(token));
        }

        assertThat(sealed.unusableCount()).isEqualTo(before);
    }

    @Test
    void decodeWhenMethodAndAssertionKindDifferThenRefused() throws Exception {
        String secret = sealed.generate();
        // A private_key_jwt client with an HMAC assertion, even keyed with a secret it once had.
        RegisteredClient keys = RegisteredClient.from(secretJwtClient(secret))
                .clientAuthenticationMethods(m -> {
                    m.clear();
                    m.add(ClientAuthenticationMethod.PRIVATE_KEY_JWT);
                })
                .clientSettings(ClientSettings.withSettings(
                                secretJwtClient(secret).getClientSettings().getSettings())
                        .setting(ClientKeys.JWKS_SETTING, new JWKSet(key).toString(true))
                        .build())
                .build();
        String hs = mac(JWSAlgorithm.HS256, secret, c -> {});
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> withSecrets.createDecoder(keys).decode(hs));
        // A client_secret_basic client with an HMAC assertion keyed with its secret.
        RegisteredClient basic = RegisteredClient.from(secretJwtClient(secret))
                .clientAuthenticationMethods(m -> {
                    m.clear();
                    m.add(ClientAuthenticationMethod.CLIENT_SECRET_BASIC);
                })
                .build();
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> withSecrets.createDecoder(basic).decode(hs));
        // The factory without sealed secrets refuses the method.
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(
                        () -> assertions.createDecoder(secretJwtClient(secret)).decode(hs));
    }

    @Test
    void decodeWhenSecretExpiredOrSealedCopyStaleThenRefused() throws Exception {
        String secret = sealed.generate();
        RegisteredClient expired = RegisteredClient.from(secretJwtClient(secret))
                .clientSecretExpiresAt(NOW.minusSeconds(1))
                .build();
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> withSecrets.createDecoder(expired).decode(mac(JWSAlgorithm.HS256, secret, c -> {})));
        // The hash replaced without re-sealing: the old sealed secret no longer opens.
        RegisteredClient stale = RegisteredClient.from(secretJwtClient(secret))
                .clientSecret(hashes.encoder().encode(sealed.generate()))
                .build();
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> withSecrets.createDecoder(stale).decode(mac(JWSAlgorithm.HS256, secret, c -> {})));
        // A sealed copy moved to another client id does not open (associated data).
        RegisteredClient moved =
                RegisteredClient.from(secretJwtClient(secret)).clientId("c2").build();
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> withSecrets
                        .createDecoder(moved)
                        .decode(mac(
                                JWSAlgorithm.HS256, secret, c -> c.issuer("c2").subject("c2"))));
    }

    private RegisteredClient secretJwtClient(String secret) {
        RegisteredClient plain = RegisteredClient.withId("id1")
                .clientId("c1")
                .clientSecret(hashes.encoder().encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_JWT)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .build();
        return sealed.apply(plain, secret);
    }

    private String mac(JWSAlgorithm alg, String secret, Consumer<JWTClaimsSet.Builder> change) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).build(), claims(change));
        jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return jwt.serialize();
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
