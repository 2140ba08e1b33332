package dev.gatehouse.server.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.server.settings.GatehouseProperties;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContext;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/** One cached key source per client, shared by request objects and client assertions (a jwks_uri fetched once). */
class ClientKeyVerifiersTests {

    static final String ISSUER = "https://login.example.com";
    static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final AtomicInteger fetches = new AtomicInteger();
    volatile int status = 200;
    HttpServer server;
    RSAKey key;
    String uri;

    @BeforeEach
    void setUp() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        byte[] body = new JWKSet(key.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
            if (status == 200) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    @Test
    void verifyWhenManyRequestObjectsAndAssertionsThenJwksUriFetchedOnce() throws Exception {
        ClientKeyVerifiers keys = new ClientKeyVerifiers(clock);
        RequestObjects objects = new RequestObjects(() -> ISSUER, clock, keys, false);
        ClientAssertions assertions = new ClientAssertions(() -> ISSUER, clock, (k, t) -> true, keys);
        RegisteredClient client = client("c1", uri, false);
        for (int i = 0; i < 50; i++) {
            assertThat(objects.verify(client, sign("c1", "k1", null))).containsKey("state");
        }
        // Unknown kids: refreshes are rate-limited, and the object is refused.
        for (int i = 0; i < 20; i++) {
            String unknown = sign("c1", "nope", null);
            assertThatExceptionOfType(RequestObjects.Refused.class).isThrownBy(() -> objects.verify(client, unknown));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(assertions
                            .createDecoder(client)
                            .decode(sign("c1", "k1", null))
                            .getSubject())
                    .isEqualTo("c1");
        }
        // The first fetch, and one refresh for the unknown kid.
        assertThat(fetches.get()).isLessThanOrEqualTo(2);
    }

    @Test
    void verifyWhenFetchFailsThenNotRetriedForEveryRequest() throws Exception {
        status = 500;
        RequestObjects objects = new RequestObjects(() -> ISSUER, clock, new ClientKeyVerifiers(clock), false);
        RegisteredClient client = client("c1", uri, false);
        for (int i = 0; i < 30; i++) {
            String object = sign("c1", "k1", null);
            assertThatExceptionOfType(RequestObjects.Refused.class).isThrownBy(() -> objects.verify(client, object));
        }
        assertThat(fetches.get()).isEqualTo(1);
    }

    @Test
    void verifyWhenAnotherClientChangesThenThisClientsKeysKept() throws Exception {
        ClientKeyVerifiers keys = new ClientKeyVerifiers(clock);
        RequestObjects objects = new RequestObjects(() -> ISSUER, clock, keys, false);
        RegisteredClient client = client("c1", uri, false);
        objects.verify(client, sign("c1", "k1", null));
        RSAKey otherKey = new RSAKeyGenerator(2048).keyID("o1").generate();
        RegisteredClient other = RegisteredClient.withId("id2")
                .clientId("c2")
                .clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .clientSettings(ClientSettings.builder()
                        .setting(ClientKeys.JWKS_SETTING, new JWKSet(otherKey.toPublicJWK()).toString(true))
                        .build())
                .build();
        // The other client is used, then changes its keys: nothing of c1's is dropped.
        RSAKey next = new RSAKeyGenerator(2048).keyID("o2").generate();
        RegisteredClient changed = RegisteredClient.from(other)
                .clientSettings(ClientKeys.withKeys(
                        other.getClientSettings(), new JWKSet(next.toPublicJWK()).toString(true), null))
                .build();
        assertThatExceptionOfType(RequestObjects.Refused.class)
                .isThrownBy(() -> objects.verify(changed, sign("c2", "o1", null, otherKey)));
        objects.verify(changed, sign("c2", "o2", null, next));
        objects.verify(client, sign("c1", "k1", null));
        assertThat(fetches.get()).isEqualTo(1);
        assertThat(keys.size()).isEqualTo(2);
    }

    @Test
    void verifyWhenMoreClientsThanTheCapThenLeastRecentlyUsedEvictedNotAll() throws Exception {
        ClientKeyVerifiers keys = new ClientKeyVerifiers(clock);
        RequestObjects objects = new RequestObjects(() -> ISSUER, clock, keys, false);
        RegisteredClient client = client("c1", uri, false);
        objects.verify(client, sign("c1", "k1", null));
        String jwks = new JWKSet(key.toPublicJWK()).toString(true);
        for (int i = 0; i < ClientKeyVerifiers.MAX_CACHED + 10; i++) {
            String id = "x" + i;
            RegisteredClient filler = RegisteredClient.withId(id)
                    .clientId(id)
                    .clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                    .clientSettings(ClientSettings.builder()
                            .setting(ClientKeys.JWKS_SETTING, jwks)
                            .build())
                    .build();
            objects.verify(filler, sign(id, "k1", null));
            if (i % 100 == 0) {
                objects.verify(client, sign("c1", "k1", null)); // recently used: kept
            }
        }
        objects.verify(client, sign("c1", "k1", null));
        assertThat(keys.size()).isEqualTo(ClientKeyVerifiers.MAX_CACHED);
        assertThat(fetches.get()).isEqualTo(1);
    }

    @Test
    void verifyWhenDynamicClientsJwksUriNotPublicThenNotFetched() throws Exception {
        RequestObjects objects = new RequestObjects(() -> ISSUER, clock, new ClientKeyVerifiers(clock), false);
        RegisteredClient dynamic = client("c1", uri, true);
        String object = sign("c1", "k1", null);
        assertThatExceptionOfType(RequestObjects.Refused.class).isThrownBy(() -> objects.verify(dynamic, object));
        assertThat(fetches.get()).isZero();
        // An administrator's client is trusted with a loopback jwks_uri.
        objects.verify(client("c1", uri, false), sign("c1", "k1", null));
        assertThat(fetches.get()).isEqualTo(1);
    }

    @Test
    void decodeWhenRequestObjectUsedAsClientAssertionThenRefused() throws Exception {
        ClientKeyVerifiers keys = new ClientKeyVerifiers(clock);
        ClientAssertions assertions = new ClientAssertions(() -> ISSUER, clock, (k, t) -> true, keys);
        RequestObjects objects = new RequestObjects(() -> ISSUER, clock, keys, false);
        RegisteredClient client = client("c1", uri, false);
        String object = sign("c1", "k1", RequestObjects.TYPE);
        objects.verify(client, object);
        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> assertions.createDecoder(client).decode(object));
        for (String typ : new String[] {"at+jwt", "dpop+jwt", "logout+jwt", "secevent+jwt"}) {
            String other = sign("c1", "k1", typ);
            assertThatExceptionOfType(BadJwtException.class)
                    .isThrownBy(() -> assertions.createDecoder(client).decode(other));
            assertThatExceptionOfType(RequestObjects.Refused.class).isThrownBy(() -> objects.verify(client, other));
        }
        assertThat(assertions
                        .createDecoder(client)
                        .decode(sign("c1", "k1", "JWT"))
                        .getSubject())
                .isEqualTo("c1");
        assertThat(assertions
                        .createDecoder(client)
                        .decode(sign("c1", "k1", ClientAssertions.TYPE))
                        .getSubject())
                .isEqualTo("c1");
    }

    @Test
    void verifyWhenNoIssuerConfiguredThenRequestDerivedAudienceOnlyInDevelopment() throws Exception {
        RegisteredClient client = client("c1", uri, false);
        String object = sign("c1", "k1", null);
        RequestObjects production = new RequestObjects(() -> null, clock, new ClientKeyVerifiers(clock), false);
        assertThatExceptionOfType(RequestObjects.Refused.class)
                .isThrownBy(() -> production.verify(client, object, ISSUER));
        RequestObjects development = new RequestObjects(() -> null, clock, new ClientKeyVerifiers(clock), true);
        assertThat(development.verify(client, object, ISSUER)).containsKey("state");
    }

    @Test
    void issuerWhenNoneConfiguredThenTheHostDerivedOneOnlyInDevMode() {
        AuthorizationServerContextHolder.setContext(new AuthorizationServerContext() {
            @Override
            public String getIssuer() {
                return "https://attacker-chosen-host.example";
            }

            @Override
            public AuthorizationServerSettings getAuthorizationServerSettings() {
                return AuthorizationServerSettings.builder().build();
            }
        });
        try {
            assertThat(ClientsConfiguration.issuer(properties(Map.of()))).isNull();
            assertThat(ClientsConfiguration.issuer(properties(Map.of("gatehouse.token.issuer", " "))))
                    .isNull();
            assertThat(ClientsConfiguration.issuer(properties(Map.of("gatehouse.dev-mode", "true"))))
                    .isEqualTo("https://attacker-chosen-host.example");
            assertThat(ClientsConfiguration.issuer(properties(Map.of("gatehouse.token.issuer", ISSUER))))
                    .isEqualTo(ISSUER);
        } finally {
            AuthorizationServerContextHolder.resetContext();
        }
    }

    private static GatehouseProperties properties(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("gatehouse", GatehouseProperties.class);
    }

    private String sign(String clientId, String kid, String typ) throws Exception {
        return sign(clientId, kid, typ, key);
    }

    /** A JWT that is both a well-formed request object and a client assertion, but for its typ. */
    private static String sign(String clientId, String kid, String typ, RSAKey signer) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(clientId)
                .subject(clientId)
                .audience(ISSUER)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(NOW))
                .expirationTime(Date.from(NOW.plusSeconds(60)))
                .claim("state", "s")
                .build();
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid);
        if (typ != null) {
            header.type(new com.nimbusds.jose.JOSEObjectType(typ));
        }
        SignedJWT jwt = new SignedJWT(header.build(), claims);
        jwt.sign(new RSASSASigner(signer));
        return jwt.serialize();
    }

    private static RegisteredClient client(String clientId, String jwksUri, boolean dynamic) {
        ClientSettings.Builder settings = ClientSettings.builder().jwkSetUrl(jwksUri);
        if (dynamic) {
            settings.setting(ClientKeyVerifiers.DYNAMICALLY_REGISTERED, true);
        }
        return RegisteredClient.withId("id-" + clientId)
                .clientId(clientId)
                .clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .clientSettings(settings.build())
                .build();
    }
}
