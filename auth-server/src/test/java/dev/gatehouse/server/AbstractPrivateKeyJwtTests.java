package dev.gatehouse.server;

import static dev.gatehouse.server.AbstractDynamicRegistrationTests.claimsOf;
import static dev.gatehouse.server.AbstractDynamicRegistrationTests.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.server.testsupport.PrivateKeyJwtClient;
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
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.test.context.TestPropertySource;

/**
 * {@code private_key_jwt} client authentication (RFC 7523 §2.2, §3; draft-ietf-oauth-rfc7523bis) over real HTTP: keys
 * set through the admin API, assertions at the token, introspection and revocation endpoints, every refusal a 401
 * {@code invalid_client} that spends nothing (a refused assertion's {@code jti} stays unused, and client authentication
 * runs before the grant, so a code stays redeemable), and discovery. Subclasses
 * choose the database.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.demo=true"
        })
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
abstract class AbstractPrivateKeyJwtTests {

    static final String SERVICE = "gatehouse-demo-service";
    static final String REDIRECT = "http://127.0.0.1:49153/callback";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RegisteredClientRepository clients;

    final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String base;
    String demoPassword;
    String serviceSecret;
    String clientId;
    String oldSecret;
    RSAKey key;
    PrivateKeyJwtClient signer;

    abstract Path dataDir();

    @BeforeEach
    void setUp() throws Exception {
        base = "http://localhost:" + port;
        for (String line : Files.readAllLines(dataDir().resolve("demo-credentials.txt"), StandardCharsets.UTF_8)) {
            String[] words = line.strip().split(" ");
            if (line.contains("password:")) {
                demoPassword = words[words.length - 1];
            } else if (line.contains(SERVICE + " secret:")) {
                serviceSecret = words[words.length - 1];
            }
        }
        clientId = "pkjwt-" + UUID.randomUUID().toString().substring(0, 8);
        signer = PrivateKeyJwtClient.generate(clientId);
        key = signer.key();
        Map<String, Object> created = object(
                call(
                        "POST",
                        "/admin/clients",
                        adminToken(),
                        "{\"clientId\":\"" + clientId + "\",\"clientName\":\"Signed\",\"grantTypes\":"
                                + "[\"client_credentials\",\"authorization_code\",\"refresh_token\"],"
                                + "\"scopes\":[\"openid\",\"profile\"],\"redirectUris\":[\"" + REDIRECT + "\"]}"),
                201);
        oldSecret = (String) created.get("clientSecret");
        Map<String, Object> view = setKeys(clientId, "{\"jwks\":" + signer.publicJwks() + "}", 200);
        assertThat(view.get("authenticationMethods")).isEqualTo(List.of("private_key_jwt"));
        assertThat(view.get("type")).isEqualTo("confidential");
        assertThat(view.get("jwks")).isNotNull();
    }

    // ---------------------------------------------------------------- accepted

    @Test
    void tokenWhenAssertionValidThenTokenIssuedAndUsableAtIntrospectionAndRevocation() throws Exception {
        Map<String, Object> tokens = object(clientCredentials(assertion(c -> {})), 200);
        String accessToken = (String) tokens.get("access_token");
        assertThat(claimsOf(accessToken)).containsEntry("client_id", clientId);
        Map<String, Object> introspected =
                object(post("/oauth2/introspect", Map.of("token", accessToken), assertion(c -> {})), 200);
        assertThat(introspected).containsEntry("active", true);
        assertThat(post("/oauth2/revoke", Map.of("token", accessToken), assertion(c -> {}))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void tokenWhenEcKeyAndEs256ThenTokenIssued() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
        setKeys(clientId, "{\"jwks\":" + new JWKSet(ec).toString(true) + "}", 200);
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("e1").build(), claims(c -> {}));
        jwt.sign(new ECDSASigner(ec));
        object(clientCredentials(jwt.serialize()), 200);
    }

    @Test
    void tokenWhenOldSecretUsedAfterKeysSetThenInvalidClient() throws Exception {
        assertThat(oldSecret).isNotBlank();
        refused(new HttpBrowser(base)
                .postForm(
                        "/oauth2/token",
                        Map.of("grant_type", "client_credentials", "scope", "profile"),
                        "Authorization",
                        HttpBrowser.basic(clientId, oldSecret)));
        RegisteredClient stored = clients.findByClientId(clientId);
        assertThat(stored.getClientSecret()).isNull();
        assertThat(stored.getClientAuthenticationMethods()).containsExactly(ClientAuthenticationMethod.PRIVATE_KEY_JWT);
    }

    // ---------------------------------------------------------------- refused, with nothing spent

    @Test
    void tokenWhenSignedWithAnotherKeyThenInvalidClient() throws Exception {
        RSAKey other = new RSAKeyGenerator(2048).keyID("k1").generate();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims(c -> {}));
        jwt.sign(new RSASSASigner(other));
        refused(clientCredentials(jwt.serialize()));
    }

    @Test
    void tokenWhenAlgNoneThenInvalidClient() throws Exception {
        refused(clientCredentials(new PlainJWT(claims(c -> {})).serialize()));
    }

    @Test
    void tokenWhenHs256ThenInvalidClient() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).build(), claims(c -> {}));
        jwt.sign(new MACSigner(new byte[32]));
        refused(clientCredentials(jwt.serialize()));
        // Not even with the key's public modulus as the HMAC secret (RS/HS confusion).
        SignedJWT confused = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims(c -> {}));
        confused.sign(new MACSigner(key.getModulus().decode()));
        refused(clientCredentials(confused.serialize()));
    }

    @Test
    void tokenWhenExpiredThenInvalidClient() throws Exception {
        refused(clientCredentials(
                assertion(c -> c.expirationTime(Date.from(Instant.now().minusSeconds(120)))
                        .issueTime(Date.from(Instant.now().minusSeconds(180))))));
    }

    @Test
    void tokenWhenExpiryTooFarAheadOrMissingThenInvalidClient() throws Exception {
        refused(clientCredentials(
                assertion(c -> c.expirationTime(Date.from(Instant.now().plusSeconds(3600))))));
        refused(clientCredentials(assertion(c -> c.expirationTime(null))));
    }

    @Test
    void tokenWhenIssuedInTheFutureThenInvalidClient() throws Exception {
        refused(clientCredentials(
                assertion(c -> c.issueTime(Date.from(Instant.now().plusSeconds(240)))
                        .expirationTime(Date.from(Instant.now().plusSeconds(270))))));
        refused(clientCredentials(
                assertion(c -> c.notBeforeTime(Date.from(Instant.now().plusSeconds(240))))));
    }

    @Test
    void tokenWhenAudienceNotTheIssuerThenInvalidClient() throws Exception {
        refused(clientCredentials(assertion(c -> c.audience(base + "/oauth2/token"))));
        refused(clientCredentials(assertion(c -> c.audience("https://elsewhere.example"))));
        refused(clientCredentials(assertion(c -> c.audience(List.of(base, "https://elsewhere.example")))));
    }

    @Test
    void tokenWhenIssuerOrSubjectNotTheClientThenInvalidClient() throws Exception {
        refused(clientCredentials(assertion(c -> c.issuer(SERVICE))));
        refused(clientCredentials(assertion(c -> c.subject(SERVICE))));
    }

    @Test
    void tokenWhenJtiMissingThenInvalidClient() throws Exception {
        refused(clientCredentials(assertion(c -> c.jwtID(null))));
    }

    @Test
    void tokenWhenRequestObjectUsedAsAssertionThenInvalidClient() throws Exception {
        // A request object travels through the browser; with a sub and a jti it would otherwise pass every rule of
        // an assertion (same keys, iss, aud). RFC 8725 §3.11: its typ tells it apart.
        Map<String, Object> claims = authorizationRequest(AbstractAuthorizationServerTests.Pkce.create(), "s");
        claims.put("sub", clientId);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("exp", Instant.now().plusSeconds(120).getEpochSecond());
        refused(clientCredentials(requestObject(claims, "oauth-authz-req+jwt")));
        // And the rule is on typ, not only on the request claims.
        claims.remove("response_type");
        claims.remove("redirect_uri");
        claims.put("jti", UUID.randomUUID().toString());
        refused(clientCredentials(requestObject(claims, "oauth-authz-req+jwt")));
        object(clientCredentials(requestObject(claims, "client-authentication+jwt")), 200);
    }

    @Test
    void tokenWhenAssertionReplayedThenInvalidClientAndTheCodeStillRedeemable() throws Exception {
        String used = assertion(c -> {});
        object(clientCredentials(used), 200);
        refused(clientCredentials(used));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_used_jti", Long.class))
                .isPositive();

        // Client authentication runs before any grant (Spring Authorization Server's client authentication filter
        // comes before the token endpoint's), so a refused client never reaches the code: this guards that order,
        // not the jti rule (that is tokenWhenAssertionRefusedThenItsJtiNotSpent).
        AbstractAuthorizationServerTests.Pkce pkce = AbstractAuthorizationServerTests.Pkce.create();
        String code = code(pkce);
        Map<String, String> exchange = new LinkedHashMap<>();
        exchange.put("grant_type", "authorization_code");
        exchange.put("code", code);
        exchange.put("redirect_uri", REDIRECT);
        exchange.put("code_verifier", pkce.verifier());
        refused(post("/oauth2/token", exchange, used));
        Map<String, Object> tokens = object(post("/oauth2/token", exchange, assertion(c -> {})), 200);
        assertThat(tokens).containsKeys("access_token", "id_token", "refresh_token");
    }

    @Test
    void tokenWhenAssertionRefusedThenItsJtiNotSpent() throws Exception {
        // A refused assertion burns nothing: its jti is claimed only after every other rule passed, so the same jti
        // in a good assertion is still accepted (were it claimed first, this would be a replay).
        String jti = UUID.randomUUID().toString();
        refused(clientCredentials(assertion(c -> c.jwtID(jti).audience(base + "/oauth2/token"))));
        refused(clientCredentials(
                assertion(c -> c.jwtID(jti).issueTime(Date.from(Instant.now().plusSeconds(120))))));
        object(clientCredentials(assertion(c -> c.jwtID(jti))), 200);
        refused(clientCredentials(assertion(c -> c.jwtID(jti))));
    }

    // ---------------------------------------------------------------- admin API and discovery

    @Test
    void setKeysWhenPrivateKeyOrBothOrNeitherOrBadUriThenBadRequestAndNothingChanged() throws Exception {
        String before = (String)
                clients.findByClientId(clientId).getClientSettings().getSetting("settings.client.gatehouse.jwks");
        assertThat(setKeys(clientId, "{\"jwks\":" + new JWKSet(key).toString(false) + "}", 400)
                        .toString())
                .contains("admin.invalid_jwks")
                .doesNotContain(key.getPrivateExponent().toString());
        setKeys(
                clientId,
                "{\"jwks\":{\"keys\":[{\"kty\":\"oct\",\"k\":\"" + Base64URL.encode(new byte[32]) + "\"}]}}",
                400);
        setKeys(clientId, "{\"jwks\":" + new JWKSet(key).toString(true) + ",\"jwksUri\":\"https://a.example/j\"}", 400);
        setKeys(clientId, "{}", 400);
        setKeys(clientId, "{\"jwksUri\":\"http://keys.example/jwks\"}", 400);
        setKeys(clientId, "{\"jwksUri\":\"https://keys.example/jwks#x\"}", 400);
        assertThat((Object) clients.findByClientId(clientId)
                        .getClientSettings()
                        .getSetting("settings.client.gatehouse.jwks"))
                .isEqualTo(before);
    }

    @Test
    void setKeysWhenJwksUriThenStoredInsteadOfJwks() throws Exception {
        Map<String, Object> view = setKeys(clientId, "{\"jwksUri\":\"https://keys.example/jwks\"}", 200);
        assertThat(view).containsEntry("jwksUri", "https://keys.example/jwks");
        assertThat(view.get("jwks")).isNull();
        RegisteredClient stored = clients.findByClientId(clientId);
        assertThat(stored.getClientSettings().getJwkSetUrl()).isEqualTo("https://keys.example/jwks");
        assertThat((Object) stored.getClientSettings().getSetting("settings.client.gatehouse.jwks"))
                .isNull();
        // The old keys no longer authenticate (the unreachable URI fails closed).
        refused(clientCredentials(assertion(c -> {})));
    }

    @Test
    @SuppressWarnings("unchecked")
    void discoveryWhenReadThenPrivateKeyJwtAdvertisedWithAsymmetricAlgorithmsAndClientSecretJwtWithHmac()
            throws Exception {
        for (String path : List.of("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")) {
            Map<String, Object> metadata = object(call("GET", path, null, null), 200);
            for (String endpoint : List.of("token", "introspection", "revocation")) {
                assertThat((List<Object>) metadata.get(endpoint + "_endpoint_auth_methods_supported"))
                        .contains("private_key_jwt", "client_secret_jwt");
                // HS* for client_secret_jwt only (ClientAssertions refuses them for private_key_jwt).
                assertThat((List<Object>) metadata.get(endpoint + "_endpoint_auth_signing_alg_values_supported"))
                        .contains("RS256", "PS256", "ES256", "EdDSA", "HS256", "HS384", "HS512")
                        .doesNotContain("none");
            }
        }
    }

    // ---------------------------------------------------------------- signed request objects (RFC 9101)

    @Test
    void authorizeWhenSignedRequestObjectThenOnlyItsParametersCountAndCodeIssued() throws Exception {
        AbstractAuthorizationServerTests.Pkce pkce = AbstractAuthorizationServerTests.Pkce.create();
        String object = requestObject(authorizationRequest(pkce, "from-object"), "oauth-authz-req+jwt");
        Map<String, String> q = new LinkedHashMap<>();
        q.put("client_id", clientId);
        q.put("request", object);
        // RFC 9101 §6.3: outer parameters are ignored (this state and scope are not the object's).
        q.put("state", "outer");
        q.put("scope", "openid admin");
        String location = signIn(base + "/oauth2/authorize?" + HttpBrowser.encode(q));
        Map<String, String> params = HttpBrowser.query(location);
        assertThat(params.get("state")).isEqualTo("from-object");
        Map<String, String> exchange = new LinkedHashMap<>();
        exchange.put("grant_type", "authorization_code");
        exchange.put("code", params.get("code"));
        exchange.put("redirect_uri", REDIRECT);
        exchange.put("code_verifier", pkce.verifier());
        Map<String, Object> tokens = object(post("/oauth2/token", exchange, assertion(c -> {})), 200);
        assertThat((String) tokens.get("scope")).doesNotContain("admin");
    }

    @Test
    void authorizeWhenRequestObjectBrokenThenInvalidRequestObjectAndNoRedirect() throws Exception {
        AbstractAuthorizationServerTests.Pkce pkce = AbstractAuthorizationServerTests.Pkce.create();
        Map<String, Object> claims = authorizationRequest(pkce, "s");
        RSAKey other = new RSAKeyGenerator(2048).keyID("k1").generate();
        Map<String, String> broken = new LinkedHashMap<>();
        broken.put("alg none", new PlainJWT(JWTClaimsSet.parse(claims)).serialize());
        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), JWTClaimsSet.parse(claims));
        hs.sign(new MACSigner(new byte[32]));
        broken.put("HS256", hs.serialize());
        SignedJWT wrongKey = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), JWTClaimsSet.parse(claims));
        wrongKey.sign(new RSASSASigner(other));
        broken.put("another key", wrongKey.serialize());
        Map<String, Object> wrongAud = new LinkedHashMap<>(claims);
        wrongAud.put("aud", "https://elsewhere.example");
        broken.put("another aud", requestObject(wrongAud, null));
        Map<String, Object> expired = new LinkedHashMap<>(claims);
        expired.put("exp", Instant.now().minusSeconds(300).getEpochSecond());
        broken.put("expired", requestObject(expired, null));
        Map<String, Object> noExp = new LinkedHashMap<>(claims);
        noExp.remove("exp");
        broken.put("no exp", requestObject(noExp, null));
        Map<String, Object> otherClient = new LinkedHashMap<>(claims);
        otherClient.put("client_id", SERVICE);
        broken.put("another client_id", requestObject(otherClient, null));
        broken.put("another typ", requestObject(claims, "at+jwt"));
        for (Map.Entry<String, String> e : broken.entrySet()) {
            HttpResponse<String> r = new HttpBrowser(base)
                    .get("/oauth2/authorize?"
                            + HttpBrowser.encode(Map.of("client_id", clientId, "request", e.getValue())));
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
            assertThat(r.headers().firstValue("Location")).as(e.getKey()).isEmpty();
            assertThat(r.body()).as(e.getKey()).contains("invalid_request_object");
        }
    }

    @Test
    void authorizeWhenForeignRequestUriThenRequestUriNotSupported() throws Exception {
        HttpResponse<String> r = new HttpBrowser(base)
                .get("/oauth2/authorize?"
                        + HttpBrowser.encode(Map.of("client_id", clientId, "request_uri", "https://rp.example/r")));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("request_uri_not_supported");
    }

    @Test
    void parWhenSignedRequestObjectAndPrivateKeyJwtThenPushedAndRedeemable() throws Exception {
        AbstractAuthorizationServerTests.Pkce pkce = AbstractAuthorizationServerTests.Pkce.create();
        String object = requestObject(authorizationRequest(pkce, "pushed"), "oauth-authz-req+jwt");
        Map<String, Object> pushed = object(
                post("/oauth2/par", Map.of("request", object, "scope", "openid admin"), assertion(c -> {})), 201);
        String requestUri = (String) pushed.get("request_uri");
        String location = signIn(base + "/oauth2/authorize?"
                + HttpBrowser.encode(Map.of("client_id", clientId, "request_uri", requestUri)));
        assertThat(HttpBrowser.query(location).get("state")).isEqualTo("pushed");
        HttpResponse<String> refused = post(
                "/oauth2/par",
                Map.of("request", new PlainJWT(JWTClaimsSet.parse(authorizationRequest(pkce, "x"))).serialize()),
                assertion(c -> {}));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("invalid_request_object");
    }

    @Test
    @SuppressWarnings("unchecked")
    void discoveryWhenReadThenSignedRequestObjectsByValueAdvertised() throws Exception {
        Map<String, Object> metadata = object(call("GET", "/.well-known/openid-configuration", null, null), 200);
        assertThat(metadata).containsEntry("request_parameter_supported", true);
        assertThat(metadata).containsEntry("request_uri_parameter_supported", false);
        assertThat((List<Object>) metadata.get("request_object_signing_alg_values_supported"))
                .contains("RS256", "ES256")
                .doesNotContain("none", "HS256");
    }

    Map<String, Object> authorizationRequest(AbstractAuthorizationServerTests.Pkce pkce, String state) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", clientId);
        claims.put("aud", base);
        claims.put("exp", Instant.now().plusSeconds(300).getEpochSecond());
        claims.put("iat", Instant.now().getEpochSecond());
        claims.put("client_id", clientId);
        claims.put("response_type", "code");
        claims.put("redirect_uri", REDIRECT);
        claims.put("scope", "openid profile");
        claims.put("state", state);
        claims.put("code_challenge", pkce.challenge());
        claims.put("code_challenge_method", "S256");
        return claims;
    }

    String requestObject(Map<String, Object> claims, String typ) throws Exception {
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1");
        if (typ != null) {
            header.type(new com.nimbusds.jose.JOSEObjectType(typ));
        }
        SignedJWT jwt = new SignedJWT(header.build(), JWTClaimsSet.parse(claims));
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    /** Follows an authorization request through the sign-in to the redirect (no consent asked). */
    String signIn(String authorizeUrl) {
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> first = browser.get(authorizeUrl);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(302);
        HttpResponse<String> login = browser.login("demo", demoPassword);
        HttpResponse<String> resumed =
                browser.get(login.headers().firstValue("Location").orElseThrow());
        String location = resumed.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        return location;
    }

    // ---------------------------------------------------------------- helpers

    JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
        return signer.claims(base, change);
    }

    String assertion(Consumer<JWTClaimsSet.Builder> change) {
        return signer.assertion(base, change);
    }

    HttpResponse<String> clientCredentials(String assertion) {
        return post("/oauth2/token", Map.of("grant_type", "client_credentials", "scope", "profile"), assertion);
    }

    HttpResponse<String> post(String path, Map<String, String> form, String assertion) {
        return new HttpBrowser(base).postForm(path, signer.withAssertion(form, assertion));
    }

    static void refused(HttpResponse<String> r) {
        Map<String, Object> error = object(r, 401);
        assertThat(error.get("error")).isEqualTo("invalid_client");
    }

    String code(AbstractAuthorizationServerTests.Pkce pkce) {
        HttpBrowser browser = new HttpBrowser(base);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", clientId);
        q.put("redirect_uri", REDIRECT);
        q.put("scope", "openid profile");
        q.put("state", "s1");
        q.put("code_challenge", pkce.challenge());
        q.put("code_challenge_method", "S256");
        assertThat(browser.get(base + "/oauth2/authorize?" + HttpBrowser.encode(q))
                        .statusCode())
                .isEqualTo(302);
        HttpResponse<String> login = browser.login("demo", demoPassword);
        HttpResponse<String> resumed =
                browser.get(login.headers().firstValue("Location").orElseThrow());
        String location = resumed.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        return HttpBrowser.query(location).get("code");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> setKeys(String id, String json, int status) throws Exception {
        HttpResponse<String> r = call("PUT", "/admin/clients/" + id + "/keys", adminToken(), json);
        if (status == 200) {
            return object(r, status);
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        return AbstractDynamicRegistrationTests.JSON.readValue(r.body(), Map.class);
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
