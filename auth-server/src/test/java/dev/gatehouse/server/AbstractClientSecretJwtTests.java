package dev.gatehouse.server;

import static dev.gatehouse.server.AbstractDynamicRegistrationTests.claimsOf;
import static dev.gatehouse.server.AbstractDynamicRegistrationTests.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.server.clients.ClientKeys;
import dev.gatehouse.server.clients.SealedClientSecrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.test.context.TestPropertySource;

/**
 * {@code client_secret_jwt} client authentication (RFC 7523 §2.2, §3; OpenID Connect Core 1.0 §9) over real HTTP: a
 * client opting in through the admin API or dynamic registration, HS256/HS384/HS512 assertions at the token and
 * introspection endpoints, every refusal a 401 {@code invalid_client} with nothing spent, the registered method
 * binding both ways (RFC 7591 §2), and what the database keeps (the secret hashed, and sealed, never in plain).
 * Subclasses choose the database.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.demo=true",
            "gatehouse.server.registration.enabled=true",
            "gatehouse.server.registration.grant-types=authorization_code,refresh_token,client_credentials",
            "gatehouse.server.registration.token-endpoint-auth-methods=none,client_secret_basic,client_secret_jwt"
        })
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
abstract class AbstractClientSecretJwtTests {

    static final String SERVICE = "gatehouse-demo-service";
    static final String REDIRECT = "http://127.0.0.1:49154/callback";
    static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    OAuth2AuthorizationService authorizationService;

    final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String base;
    String serviceSecret;
    String clientId;
    String secret;

    abstract Path dataDir();

    @BeforeEach
    void setUp() throws Exception {
        base = "http://localhost:" + port;
        for (String line : Files.readAllLines(dataDir().resolve("demo-credentials.txt"), StandardCharsets.UTF_8)) {
            String[] words = line.strip().split(" ");
            if (line.contains(SERVICE + " secret:")) {
                serviceSecret = words[words.length - 1];
            }
        }
        clientId = "csjwt-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> created = object(
                call(
                        "POST",
                        "/admin/clients",
                        adminToken(),
                        "{\"clientId\":\"" + clientId + "\",\"clientName\":\"MACed\",\"grantTypes\":"
                                + "[\"client_credentials\"],\"scopes\":[\"profile\"],\"clientSecretJwt\":true}"),
                201);
        secret = (String) created.get("clientSecret");
        @SuppressWarnings("unchecked")
        Map<String, Object> view = (Map<String, Object>) created.get("client");
        assertThat(view.get("authenticationMethods")).isEqualTo(List.of("client_secret_jwt"));
        assertThat(view.get("type")).isEqualTo("confidential");
    }

    // ---------------------------------------------------------------- accepted

    @Test
    void tokenWhenHs256Hs384Hs512AssertionsThenTokensIssuedAndUsableAtIntrospection() throws Exception {
        for (JWSAlgorithm alg : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)) {
            Map<String, Object> tokens = object(clientCredentials(assertion(alg, secret, c -> {})), 200);
            String accessToken = (String) tokens.get("access_token");
            assertThat(claimsOf(accessToken)).as(alg.getName()).containsEntry("client_id", clientId);
            Map<String, Object> introspected = object(
                    post("/oauth2/introspect", Map.of("token", accessToken), assertion(alg, secret, c -> {})), 200);
            assertThat(introspected).containsEntry("active", true);
        }
    }

    // ---------------------------------------------------------------- refused, with nothing spent

    @Test
    void tokenWhenWrongSecretThenInvalidClientWithoutDetail() throws Exception {
        HttpResponse<String> r = clientCredentials(assertion(JWSAlgorithm.HS256, secret + "x", c -> {}));
        refused(r);
        assertThat(r.body()).doesNotContain("MAC", "secret", "sealed", secret);
    }

    @Test
    void tokenWhenAlgNoneThenInvalidClient() throws Exception {
        refused(clientCredentials(new PlainJWT(claims(c -> {})).serialize()));
    }

    @Test
    void tokenWhenRs256ForAClientSecretJwtClientThenInvalidClient() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims(c -> {}));
        jwt.sign(new RSASSASigner(key));
        refused(clientCredentials(jwt.serialize()));
    }

    @Test
    void tokenWhenExpiredThenInvalidClient() throws Exception {
        refused(clientCredentials(assertion(
                JWSAlgorithm.HS256,
                secret,
                c -> c.expirationTime(Date.from(Instant.now().minusSeconds(120)))
                        .issueTime(Date.from(Instant.now().minusSeconds(180))))));
        refused(clientCredentials(assertion(
                JWSAlgorithm.HS256,
                secret,
                c -> c.expirationTime(Date.from(Instant.now().plusSeconds(3600))))));
    }

    @Test
    void tokenWhenJtiReplayedThenInvalidClientAndARefusedAssertionSpendsNoJti() throws Exception {
        String used = assertion(JWSAlgorithm.HS256, secret, c -> {});
        object(clientCredentials(used), 200);
        refused(clientCredentials(used));
        // A refused assertion's jti stays unused.
        String jti = UUID.randomUUID().toString();
        refused(clientCredentials(
                assertion(JWSAlgorithm.HS256, secret, c -> c.jwtID(jti).audience("https://x.example"))));
        object(clientCredentials(assertion(JWSAlgorithm.HS512, secret, c -> c.jwtID(jti))), 200);
    }

    @Test
    void tokenWhenAudienceNotTheIssuerThenInvalidClient() throws Exception {
        refused(clientCredentials(assertion(JWSAlgorithm.HS256, secret, c -> c.audience(base + "/oauth2/token"))));
        refused(clientCredentials(
                assertion(JWSAlgorithm.HS256, secret, c -> c.audience(List.of(base, "https://elsewhere.example")))));
        refused(clientCredentials(assertion(JWSAlgorithm.HS256, secret, c -> c.issuer(SERVICE))));
    }

    @Test
    void tokenWhenMethodNotTheRegisteredOneThenInvalidClient() throws Exception {
        // The client_secret_jwt client with its secret in Basic or in the body (RFC 7591 §2: the method binds).
        refused(new HttpBrowser(base)
                .postForm(
                        "/oauth2/token",
                        Map.of("grant_type", "client_credentials", "scope", "profile"),
                        "Authorization",
                        HttpBrowser.basic(clientId, secret)));
        refused(new HttpBrowser(base)
                .postForm(
                        "/oauth2/token",
                        Map.of(
                                "grant_type",
                                "client_credentials",
                                "scope",
                                "profile",
                                "client_id",
                                clientId,
                                "client_secret",
                                secret)));
        // A client_secret_basic client with an HMAC assertion keyed with its own secret.
        String serviceAssertion = assertion(
                JWSAlgorithm.HS256, serviceSecret, c -> c.issuer(SERVICE).subject(SERVICE));
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "client_credentials");
        body.put("client_id", SERVICE);
        body.put("client_assertion_type", ASSERTION_TYPE);
        body.put("client_assertion", serviceAssertion);
        refused(new HttpBrowser(base).postForm("/oauth2/token", body));
    }

    // ---------------------------------------------------------------- storage and the admin API

    @Test
    void storeWhenClientSecretJwtThenSecretSealedNeverPlainAndNotInAdminViews() throws Exception {
        Map<String, Object> row = jdbc.queryForMap(
                "SELECT client_secret, client_settings FROM oauth2_registered_client WHERE client_id = ?", clientId);
        assertThat(row.values()).allSatisfy(v -> assertThat(String.valueOf(v)).doesNotContain(secret));
        assertThat(String.valueOf(row.get("client_settings"))).contains(SealedClientSecrets.SETTING, "ghe1.");
        assertThat(secret.getBytes(StandardCharsets.UTF_8)).hasSizeGreaterThanOrEqualTo(64);
        String view =
                call("GET", "/admin/clients/" + clientId, adminToken(), null).body();
        assertThat(view).doesNotContain(secret, "ghe1.", "sealed");
        // Other clients keep the hash only.
        String service = String.valueOf(jdbc.queryForObject(
                "SELECT client_settings FROM oauth2_registered_client WHERE client_id = ?", String.class, SERVICE));
        assertThat(service).doesNotContain(SealedClientSecrets.SETTING);
    }

    @Test
    void rotateSecretWhenClientSecretJwtThenSealedCopyReplacedAndOldSecretRefused() throws Exception {
        String sealedBefore = sealed();
        Map<String, Object> rotated =
                object(call("POST", "/admin/clients/" + clientId + "/secret", adminToken(), null), 200);
        String next = (String) rotated.get("clientSecret");
        assertThat(next).isNotEqualTo(secret).hasSize(86);
        assertThat(sealed()).isNotEqualTo(sealedBefore).doesNotContain(next);
        refused(clientCredentials(assertion(JWSAlgorithm.HS256, secret, c -> {})));
        object(clientCredentials(assertion(JWSAlgorithm.HS512, next, c -> {})), 200);
    }

    @Test
    void clientSecretJwtWhenSwitchedOffThenBasicWithTheSameSecretAndNoSealedCopy() throws Exception {
        Map<String, Object> off = object(
                call(
                        "PUT",
                        "/admin/clients/" + clientId + "/client-secret-jwt",
                        adminToken(),
                        "{\"clientSecretJwt\":false}"),
                200);
        assertThat(off.get("clientSecret")).isNull();
        assertThat(sealed()).isNull();
        refused(clientCredentials(assertion(JWSAlgorithm.HS256, secret, c -> {})));
        object(
                new HttpBrowser(base)
                        .postForm(
                                "/oauth2/token",
                                Map.of("grant_type", "client_credentials", "scope", "profile"),
                                "Authorization",
                                HttpBrowser.basic(clientId, secret)),
                200);
        // And on again: a new secret (the old one is hashed only, it cannot be sealed), sealed.
        Map<String, Object> on = object(
                call(
                        "PUT",
                        "/admin/clients/" + clientId + "/client-secret-jwt",
                        adminToken(),
                        "{\"clientSecretJwt\":true}"),
                200);
        String next = (String) on.get("clientSecret");
        assertThat(next).isNotEqualTo(secret);
        assertThat(sealed()).isNotNull();
        object(clientCredentials(assertion(JWSAlgorithm.HS384, next, c -> {})), 200);
    }

    @Test
    void clientSecretJwtWhenPutAgainThenNoNewSecretNoRevocationAndTheFirstSecretStillWorks() throws Exception {
        String token = (String) object(clientCredentials(assertion(JWSAlgorithm.HS256, secret, c -> {})), 200)
                .get("access_token");
        // RFC 9110 §9.2.2: a resent PUT (a lost response, a provisioning tool re-applying state) changes nothing.
        Map<String, Object> again = object(
                call(
                        "PUT",
                        "/admin/clients/" + clientId + "/client-secret-jwt",
                        adminToken(),
                        "{\"clientSecretJwt\":true}"),
                200);
        assertThat(again.get("clientSecret")).isNull();
        object(clientCredentials(assertion(JWSAlgorithm.HS256, secret, c -> {})), 200);
        assertThat(clientCredentialsAuthorizations(token)).isEqualTo(1);
    }

    @Test
    void clientSecretJwtWhenOffOnAClientThatNeverUsedItThenOkAndUnchanged() throws Exception {
        Map<String, Object> created = object(
                call(
                        "POST",
                        "/admin/clients",
                        adminToken(),
                        "{\"clientId\":\"" + clientId + "-b\",\"clientName\":\"Basic\",\"grantTypes\":"
                                + "[\"client_credentials\"],\"scopes\":[\"profile\"]}"),
                201);
        String basicSecret = (String) created.get("clientSecret");
        RegisteredClient before = clients.findByClientId(clientId + "-b");
        Map<String, Object> off = object(
                call(
                        "PUT",
                        "/admin/clients/" + clientId + "-b/client-secret-jwt",
                        adminToken(),
                        "{\"clientSecretJwt\":false}"),
                200);
        assertThat(off.get("clientSecret")).isNull();
        RegisteredClient after = clients.findByClientId(clientId + "-b");
        assertThat(after.getClientSecret()).isEqualTo(before.getClientSecret());
        assertThat(after.getClientAuthenticationMethods()).isEqualTo(before.getClientAuthenticationMethods());
        object(
                new HttpBrowser(base)
                        .postForm(
                                "/oauth2/token",
                                Map.of("grant_type", "client_credentials", "scope", "profile"),
                                "Authorization",
                                HttpBrowser.basic(clientId + "-b", basicSecret)),
                200);
    }

    @Test
    void clientSecretJwtWhenPrivateKeyJwtClientWithThreeRsaKeysAndLongBackchannelUriThenOkAndKeysRemoved()
            throws Exception {
        // V24: such a client's settings (three RSA-2048 keys, a 1500-character back-channel URI, the sealed copy)
        // are far beyond V1's varchar(2000), which made the switch a 500.
        String id = clientId + "-k";
        object(
                call(
                        "POST",
                        "/admin/clients",
                        adminToken(),
                        "{\"clientId\":\"" + id + "\",\"clientName\":\"Keys\",\"grantTypes\":"
                                + "[\"authorization_code\"],\"redirectUris\":[\"" + REDIRECT + "\"],"
                                + "\"scopes\":[\"openid\"],\"backchannelLogoutUri\":"
                                + "\"https://rp.example.test/logout?pad=" + "p".repeat(1500) + "\"}"),
                201);
        JWKSet keys = new JWKSet(List.of(
                new RSAKeyGenerator(2048).keyID("k1").generate(),
                new RSAKeyGenerator(2048).keyID("k2").generate(),
                new RSAKeyGenerator(2048).keyID("k3").generate()));
        object(
                call("PUT", "/admin/clients/" + id + "/keys", adminToken(), "{\"jwks\":" + keys.toString(true) + "}"),
                200);
        Map<String, Object> on = object(
                call("PUT", "/admin/clients/" + id + "/client-secret-jwt", adminToken(), "{\"clientSecretJwt\":true}"),
                200);
        assertThat((String) on.get("clientSecret")).hasSize(86);
        RegisteredClient stored = clients.findByClientId(id);
        assertThat(stored.getClientAuthenticationMethods())
                .containsExactly(ClientAuthenticationMethod.CLIENT_SECRET_JWT);
        // The keys go with the method: request objects signed with them are no longer the client's.
        assertThat(ClientKeys.jwks(stored)).isEmpty();
        assertThat(ClientKeys.jwksUri(stored)).isEmpty();
        assertThat((String) stored.getClientSettings().getSetting(SealedClientSecrets.SETTING))
                .isNotNull();
    }

    @Test
    void dynamicUpdateWhenBasicClientSwitchesToClientSecretJwtThenOldSecretsClientCredentialsTokensRevoked()
            throws Exception {
        Map<String, Object> created = object(
                call(
                        "POST",
                        "/oauth2/register",
                        initialAccessToken(),
                        "{\"client_name\":\"DCR basic\",\"token_endpoint_auth_method\":\"client_secret_basic\","
                                + "\"grant_types\":[\"client_credentials\"],\"scope\":\"openid\"}"),
                201);
        clientId = (String) created.get("client_id");
        String basicSecret = (String) created.get("client_secret");
        String token = (String) object(
                        new HttpBrowser(base)
                                .postForm(
                                        "/oauth2/token",
                                        Map.of("grant_type", "client_credentials", "scope", "openid"),
                                        "Authorization",
                                        HttpBrowser.basic(clientId, basicSecret)),
                        200)
                .get("access_token");
        assertThat(clientCredentialsAuthorizations(token)).isEqualTo(1);
        Map<String, Object> updated = object(
                call(
                        "PUT",
                        "/oauth2/register/" + clientId,
                        (String) created.get("registration_access_token"),
                        "{\"client_id\":\"" + clientId + "\",\"client_name\":\"DCR basic\","
                                + "\"token_endpoint_auth_method\":\"client_secret_jwt\","
                                + "\"grant_types\":[\"client_credentials\"],\"scope\":\"openid\"}"),
                200);
        String next = (String) updated.get("client_secret");
        assertThat(next).hasSize(86);
        // As on the admin API's switch: what the old secret alone minted goes with it.
        assertThat(clientCredentialsAuthorizations(token)).isZero();
        object(clientCredentials(assertion(JWSAlgorithm.HS256, next, c -> {}), "openid"), 200);
    }

    /** Stored authorizations holding this access token. */
    int clientCredentialsAuthorizations(String accessToken) {
        return authorizationService.findByToken(accessToken, OAuth2TokenType.ACCESS_TOKEN) == null ? 0 : 1;
    }

    @Test
    void setKeysWhenClientSecretJwtThenSealedCopyRemoved() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        object(
                call(
                        "PUT",
                        "/admin/clients/" + clientId + "/keys",
                        adminToken(),
                        "{\"jwks\":" + new JWKSet(key).toString(true) + "}"),
                200);
        RegisteredClient stored = clients.findByClientId(clientId);
        assertThat(stored.getClientAuthenticationMethods()).containsExactly(ClientAuthenticationMethod.PRIVATE_KEY_JWT);
        assertThat(sealed()).isNull();
        refused(clientCredentials(assertion(JWSAlgorithm.HS256, secret, c -> {})));
    }

    @Test
    void registerWhenPublicClientAsksForClientSecretJwtThenBadRequest() throws Exception {
        HttpResponse<String> r = call(
                "POST",
                "/admin/clients",
                adminToken(),
                "{\"clientId\":\"csj-public-" + UUID.randomUUID().toString().substring(0, 6)
                        + "\",\"clientName\":\"P\",\"type\":\"public\",\"grantTypes\":[\"authorization_code\"],"
                        + "\"redirectUris\":[\"" + REDIRECT + "\"],\"clientSecretJwt\":true}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("admin.public_client_secret_jwt");
    }

    // ---------------------------------------------------------------- dynamic registration and discovery

    @Test
    void dynamicRegistrationWhenClientSecretJwtThenPlainSecretOnceSealedAndUsable() throws Exception {
        Map<String, Object> created = object(
                call(
                        "POST",
                        "/oauth2/register",
                        initialAccessToken(),
                        "{\"client_name\":\"DCR MAC\",\"token_endpoint_auth_method\":\"client_secret_jwt\","
                                + "\"grant_types\":[\"client_credentials\"],\"scope\":\"openid\"}"),
                201);
        assertThat(created).containsEntry("token_endpoint_auth_method", "client_secret_jwt");
        String dcrSecret = (String) created.get("client_secret");
        assertThat(dcrSecret).hasSize(86).doesNotStartWith("{");
        clientId = (String) created.get("client_id");
        assertThat(sealed()).isNotNull().doesNotContain(dcrSecret);
        object(clientCredentials(assertion(JWSAlgorithm.HS256, dcrSecret, c -> {}), "openid"), 200);

        // RFC 7592 §2.2: the client moves to client_secret_basic; the sealed copy goes, the secret stays.
        Map<String, Object> updated = object(
                call(
                        "PUT",
                        "/oauth2/register/" + clientId,
                        (String) created.get("registration_access_token"),
                        "{\"client_id\":\"" + clientId + "\",\"client_name\":\"DCR MAC\","
                                + "\"token_endpoint_auth_method\":\"client_secret_basic\","
                                + "\"grant_types\":[\"client_credentials\"],\"scope\":\"openid\"}"),
                200);
        assertThat(updated).containsEntry("token_endpoint_auth_method", "client_secret_basic");
        assertThat(updated).doesNotContainKey("client_secret");
        assertThat(sealed()).isNull();
        refused(clientCredentials(assertion(JWSAlgorithm.HS256, dcrSecret, c -> {}), "openid"));
    }

    @Test
    void dynamicRegistrationWhenSigningAlgNamedThenOnlyThatAlgAcceptedAndOthersRefusedAtRegistration()
            throws Exception {
        Map<String, Object> created = object(
                call(
                        "POST",
                        "/oauth2/register",
                        initialAccessToken(),
                        "{\"token_endpoint_auth_method\":\"client_secret_jwt\","
                                + "\"token_endpoint_auth_signing_alg\":\"HS512\","
                                + "\"grant_types\":[\"client_credentials\"],\"scope\":\"openid\"}"),
                201);
        assertThat(created).containsEntry("token_endpoint_auth_signing_alg", "HS512");
        clientId = (String) created.get("client_id");
        String dcrSecret = (String) created.get("client_secret");
        // OIDC Dynamic Client Registration 1.0 §2: a JWT not signed with the registered alg is rejected.
        refused(clientCredentials(assertion(JWSAlgorithm.HS256, dcrSecret, c -> {}), "openid"));
        object(clientCredentials(assertion(JWSAlgorithm.HS512, dcrSecret, c -> {}), "openid"), 200);

        long before = jdbc.queryForObject("SELECT COUNT(*) FROM oauth2_registered_client", Long.class);
        for (String body : List.of(
                "{\"token_endpoint_auth_method\":\"client_secret_jwt\",\"token_endpoint_auth_signing_alg\":\"RS256\"",
                "{\"token_endpoint_auth_method\":\"client_secret_jwt\",\"token_endpoint_auth_signing_alg\":\"none\"")) {
            HttpResponse<String> r = call(
                    "POST",
                    "/oauth2/register",
                    initialAccessToken(),
                    body + ",\"grant_types\":[\"client_credentials\"],\"scope\":\"openid\"}");
            assertThat(object(r, 400)).as(body).containsEntry("error", "invalid_client_metadata");
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM oauth2_registered_client", Long.class))
                .isEqualTo(before);
        // With a method that takes no assertions, it means nothing: ignored, as libraries send a default.
        Map<String, Object> basic = object(
                call(
                        "POST",
                        "/oauth2/register",
                        initialAccessToken(),
                        "{\"token_endpoint_auth_method\":\"client_secret_basic\","
                                + "\"token_endpoint_auth_signing_alg\":\"RS256\","
                                + "\"grant_types\":[\"client_credentials\"],\"scope\":\"openid\"}"),
                201);
        assertThat(basic).doesNotContainKey("token_endpoint_auth_signing_alg");
    }

    @Test
    @SuppressWarnings("unchecked")
    void discoveryWhenReadThenClientSecretJwtAndHmacAlgorithmsAdvertisedButNotForRequestObjects() throws Exception {
        for (String path : List.of("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")) {
            Map<String, Object> metadata = object(call("GET", path, null, null), 200);
            for (String endpoint : List.of("token", "introspection", "revocation")) {
                assertThat((List<Object>) metadata.get(endpoint + "_endpoint_auth_methods_supported"))
                        .contains("client_secret_jwt", "private_key_jwt");
                assertThat((List<Object>) metadata.get(endpoint + "_endpoint_auth_signing_alg_values_supported"))
                        .contains("HS256", "HS384", "HS512", "RS256")
                        .doesNotContain("none");
            }
            if (metadata.containsKey("request_object_signing_alg_values_supported")) {
                assertThat((List<Object>) metadata.get("request_object_signing_alg_values_supported"))
                        .noneMatch(alg -> alg.toString().startsWith("HS"));
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    String sealed() {
        RegisteredClient stored = clients.findByClientId(clientId);
        return stored.getClientSettings().getSetting(SealedClientSecrets.SETTING);
    }

    JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .issuer(clientId)
                .subject(clientId)
                .audience(base)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(60)));
        change.accept(b);
        return b.build();
    }

    String assertion(JWSAlgorithm alg, String key, Consumer<JWTClaimsSet.Builder> change) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).build(), claims(change));
        jwt.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    HttpResponse<String> clientCredentials(String assertion) {
        return clientCredentials(assertion, "profile");
    }

    HttpResponse<String> clientCredentials(String assertion, String scope) {
        return post("/oauth2/token", Map.of("grant_type", "client_credentials", "scope", scope), assertion);
    }

    HttpResponse<String> post(String path, Map<String, String> form, String assertion) {
        Map<String, String> body = new LinkedHashMap<>(form);
        body.put("client_id", clientId);
        body.put("client_assertion_type", ASSERTION_TYPE);
        body.put("client_assertion", assertion);
        return new HttpBrowser(base).postForm(path, body);
    }

    static void refused(HttpResponse<String> r) {
        Map<String, Object> error = object(r, 401);
        assertThat(error.get("error")).isEqualTo("invalid_client");
    }

    String initialAccessToken() throws Exception {
        Map<String, Object> minted = object(
                call(
                        "POST",
                        "/admin/initial-access-tokens",
                        adminToken(),
                        "{\"description\":\"csj\",\"maxUses\":1,\"expiresInSeconds\":600}"),
                201);
        return (String) minted.get("token");
    }

    String adminToken() throws Exception {
        HttpResponse<String> r = new HttpBrowser(base)
                .postForm(
                        "/oauth2/token",
                        Map.of("grant_type", "client_credentials", "scope", "admin"),
                        "Authorization",
                        HttpBrowser.basic(SERVICE, serviceSecret));
        return (String) object(r, 200).get("access_token");
    }

    HttpResponse<String> call(String method, String path, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Accept", "application/json")
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
