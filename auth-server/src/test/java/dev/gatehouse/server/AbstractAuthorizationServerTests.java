package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRepository;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.KeyState;
import dev.gatehouse.core.jwt.RemoteJwks;
import dev.gatehouse.core.jwt.StoredKey;
import dev.gatehouse.core.jwt.TokenIssuer;
import dev.gatehouse.core.jwt.TokenVerifier;
import dev.gatehouse.core.jwt.VerifiedToken;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.BcryptParameters;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.PasswordPolicy;
import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.server.clients.ClientKeys;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.clients.Fapi2Profile;
import dev.gatehouse.server.keys.JdbcKeyRepository;
import dev.gatehouse.server.maintenance.ExpiredStatePurger;
import dev.gatehouse.server.testsupport.PrivateKeyJwtClient;
import dev.gatehouse.server.tokens.UsedProofIds;
import dev.gatehouse.server.users.JdbcAttemptStore;
import dev.gatehouse.server.users.JdbcUserStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * End-to-end tests over real HTTP against the server on a random port. Subclasses choose the database (H2 file,
 * embedded PostgreSQL); the suite is the same. Tokens are verified independently from the published JWKS with
 * Spring's {@link NimbusJwtDecoder} and auth-core's {@link TokenVerifier} over {@link RemoteJwks}.
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
abstract class AbstractAuthorizationServerTests {

    static final String SERVICE = "gatehouse-demo-service";
    static final String SPA = "gatehouse-demo-spa";
    static final String SERVICE_REDIRECT = "http://127.0.0.1:8081/login/oauth2/code/gatehouse";
    static final String SPA_REDIRECT = "http://127.0.0.1:5173/callback";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    ClientSecrets clientSecrets;

    @Autowired
    KeyRing ring;

    @Autowired
    ExpiredStatePurger purger;

    @Autowired
    UsedProofIds usedProofIds;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    @Autowired
    ApplicationContext context;

    @Autowired
    Envelope envelope;

    String base;
    String demoPassword;
    String serviceSecret;
    HttpBrowser browser;

    abstract Path dataDir();

    @BeforeEach
    void setUp() throws IOException {
        base = "http://localhost:" + port;
        browser = new HttpBrowser(base);
        Path credentials = dataDir().resolve("demo-credentials.txt");
        for (String line : Files.readAllLines(credentials, StandardCharsets.UTF_8)) {
            String[] words = line.strip().split(" ");
            if (line.contains("password:")) {
                demoPassword = words[words.length - 1];
            } else if (line.contains(SERVICE + " secret:")) {
                serviceSecret = words[words.length - 1];
            }
        }
        assertThat(demoPassword).isNotBlank();
        assertThat(serviceSecret).hasSizeGreaterThanOrEqualTo(43);
    }

    // ---------------------------------------------------------------- discovery, JWKS

    @Test
    void discoveryWhenRequestedThenAdvertisesEndpointsAndOnlyS256() throws Exception {
        Map<String, Object> oidc = json(browser.get("/.well-known/openid-configuration"), 200);
        assertThat(oidc.get("issuer")).isEqualTo(base);
        assertThat(oidc.get("jwks_uri")).isEqualTo(base + "/oauth2/jwks");
        assertThat(oidc).containsKeys("userinfo_endpoint", "introspection_endpoint", "revocation_endpoint");
        assertThat(oidc.get("code_challenge_methods_supported")).isEqualTo(List.of("S256"));
        Map<String, Object> oauth = json(browser.get("/.well-known/oauth-authorization-server"), 200);
        assertThat(oauth.get("issuer")).isEqualTo(base);
        assertThat(oauth.get("token_endpoint")).isEqualTo(base + "/oauth2/token");
    }

    @Test
    void jwksWhenRotatedThenPublishesEveryNextActiveAndRetiringKeyAndNoPrivatePart() throws Exception {
        Map<KeyState, List<String>> before = storedKids();
        assertThat(before.get(KeyState.ACTIVE)).containsExactly(ring.activeKey().kid());
        assertThat(before.get(KeyState.NEXT)).hasSize(1);
        assertThat(publishedKids()).containsExactlyInAnyOrderElementsOf(published(before));

        String oldActive = ring.activeKey().kid();
        String oldNext = before.get(KeyState.NEXT).get(0);
        ring.rotateNow();

        Map<KeyState, List<String>> after = storedKids();
        assertThat(after.get(KeyState.ACTIVE)).containsExactly(oldNext);
        assertThat(after.get(KeyState.RETIRING)).contains(oldActive);
        assertThat(after.get(KeyState.NEXT)).hasSize(1).doesNotContain(oldNext, oldActive);
        List<String> published = publishedKids();
        assertThat(published)
                .containsExactlyInAnyOrderElementsOf(published(after))
                .contains(oldActive, oldNext, after.get(KeyState.NEXT).get(0)); // RETIRED keys: not published
    }

    /** The stored kids by state, read from the shared key repository (not from the ring under test). */
    Map<KeyState, List<String>> storedKids() {
        Map<KeyState, List<String>> byState = new java.util.EnumMap<>(KeyState.class);
        for (KeyState state : KeyState.values()) {
            byState.put(state, new java.util.ArrayList<>());
        }
        for (StoredKey key : new JdbcKeyRepository(jdbc, tx).load().keys()) {
            byState.get(key.state()).add(key.kid());
        }
        return byState;
    }

    static List<String> published(Map<KeyState, List<String>> byState) {
        List<String> kids = new java.util.ArrayList<>(byState.get(KeyState.NEXT));
        kids.addAll(byState.get(KeyState.ACTIVE));
        kids.addAll(byState.get(KeyState.RETIRING));
        return kids;
    }

    /** The kids at the JWKS endpoint, each checked to be a public key with no private or symmetric member. */
    List<String> publishedKids() throws Exception {
        HttpResponse<String> r = browser.get("/oauth2/jwks");
        List<?> keys = (List<?>) json(r, 200).get("keys");
        List<String> kids = new java.util.ArrayList<>();
        for (Object key : keys) {
            @SuppressWarnings("unchecked")
            Map<String, Object> members = (Map<String, Object>) key;
            // RFC 7518 §6.2.2, §6.3.2, §6.4.1: private and symmetric key members.
            assertThat(members).doesNotContainKeys("d", "p", "q", "dp", "dq", "qi", "oth", "k");
            assertThat(com.nimbusds.jose.jwk.JWK.parse(members).isPrivate()).isFalse();
            kids.add((String) members.get("kid"));
        }
        return kids;
    }

    // ---------------------------------------------------------------- client credentials

    @Test
    void clientCredentialsWhenValidThenRfc9068TokenVerifiesFromJwks() throws Exception {
        Map<String, Object> tokens = clientCredentials(SERVICE, serviceSecret, "api.read");
        String at = (String) tokens.get("access_token");
        assertThat(tokens.get("token_type")).isEqualTo("Bearer");
        assertThat(tokens).doesNotContainKey("refresh_token");

        VerifiedToken verified = coreVerifier().verify(at);
        assertThat(verified.type()).contains("at+jwt");
        assertThat(verified.subject()).contains(SERVICE);
        assertThat(verified.claim("client_id")).contains(SERVICE);
        assertThat(verified.claim("scope")).contains("api.read");
        assertThat(verified.claim("roles")).isEmpty();
        assertThat(verified.kid()).contains(ring.activeKey().kid());

        Jwt jwt = springDecoder("at+jwt").decode(at);
        assertThat(jwt.getIssuer().toString()).isEqualTo(base);
    }

    @Test
    void clientCredentialsWhenSecretInBodyThenAccepted() throws Exception {
        Map<String, Object> tokens = json(
                browser.postForm(
                        "/oauth2/token",
                        Map.of(
                                "grant_type", "client_credentials",
                                "client_id", SERVICE,
                                "client_secret", serviceSecret)),
                200);
        assertThat(tokens).containsKey("access_token");
    }

    @Test
    void clientEndpointsWhenMoreThanOneAuthenticationMethodThenInvalidRequestAndNothingIssued() throws Exception {
        // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request"; §5.2 names
        // that invalid_request. Each of these issued a token (or introspected, revoked, pushed) for the Basic client.
        String basic = HttpBrowser.basic(SERVICE, serviceSecret);
        Map<String, Map<String, String>> endpoints = new LinkedHashMap<>();
        endpoints.put("/oauth2/token", Map.of("grant_type", "client_credentials", "scope", "api.read"));
        endpoints.put("/oauth2/introspect", Map.of("token", "x"));
        endpoints.put("/oauth2/revoke", Map.of("token", "x"));
        endpoints.put("/oauth2/par", parParams(Pkce.create(), "mixed"));
        endpoints.put("/oauth2/device_authorization", Map.of("scope", "api.read"));
        Map<String, Map<String, String>> extras = new LinkedHashMap<>();
        extras.put("another client_id", Map.of("client_id", SPA));
        extras.put("a wrong client_secret", Map.of("client_secret", serviceSecret + "x"));
        extras.put("the same client_secret", Map.of("client_secret", serviceSecret));
        extras.put(
                "a client assertion",
                Map.of(
                        "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        "client_assertion", "x.y.z"));
        int before = countAuthorizations();
        for (Map.Entry<String, Map<String, String>> endpoint : endpoints.entrySet()) {
            for (Map.Entry<String, Map<String, String>> extra : extras.entrySet()) {
                Map<String, String> form = new LinkedHashMap<>(endpoint.getValue());
                form.putAll(extra.getValue());
                HttpResponse<String> r = browser.postForm(endpoint.getKey(), form, "Authorization", basic);
                String what = endpoint.getKey() + " with Basic and " + extra.getKey();
                assertThat(json(r, 400).get("error")).as(what).isEqualTo("invalid_request");
                assertThat(r.body()).as(what).doesNotContain("access_token", "request_uri", "device_code", "active");
            }
        }
        // client_secret_post and a client assertion together: two methods as well.
        HttpResponse<String> post = browser.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type", "client_credentials",
                        "client_id", SERVICE,
                        "client_secret", serviceSecret,
                        "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        "client_assertion", "x.y.z"));
        assertThat(json(post, 400).get("error")).isEqualTo("invalid_request");
        assertThat(countAuthorizations()).isEqualTo(before);
    }

    @Test
    void clientEndpointsWhenBasicAndSameClientIdInBodyThenAccepted() throws Exception {
        // RFC 6749 §3.2.1, §4.1.3 and RFC 9126 §2.1: client_id may be sent in the body by an authenticated client;
        // it identifies, it does not authenticate, so it is not a second method when it names the same client.
        String basic = HttpBrowser.basic(SERVICE, serviceSecret);
        Map<String, Object> tokens = json(
                browser.postForm(
                        "/oauth2/token",
                        Map.of("grant_type", "client_credentials", "scope", "api.read", "client_id", SERVICE),
                        "Authorization",
                        basic),
                200);
        assertThat(tokens).containsKey("access_token");
        HttpResponse<String> pushed =
                browser.postForm("/oauth2/par", parParams(Pkce.create(), "same"), "Authorization", basic);
        assertThat(json(pushed, 201)).containsKey("request_uri");
        assertThat(json(
                                browser.postForm(
                                        "/oauth2/introspect",
                                        Map.of("token", (String) tokens.get("access_token"), "client_id", SERVICE),
                                        "Authorization",
                                        basic),
                                200)
                        .get("active"))
                .isEqualTo(true);
    }

    @Test
    void clientCredentialsWhenWrongSecretThenInvalidClient() throws Exception {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials"),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret + "x"));
        assertThat(json(r, 401).get("error")).isEqualTo("invalid_client");
    }

    @Test
    void clientCredentialsWhenUnknownClientThenInvalidClient() throws Exception {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials"),
                "Authorization",
                HttpBrowser.basic("no-such-client", serviceSecret));
        assertThat(json(r, 401).get("error")).isEqualTo("invalid_client");
    }

    @Test
    void clientCredentialsWhenScopeNotRegisteredThenInvalidScope() throws Exception {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", "admin.everything"),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
        assertThat(json(r, 400).get("error")).isEqualTo("invalid_scope");
    }

    @Test
    void clientCredentialsWhenBcryptSecretThenAcceptedAndUpgradedToHmac() throws Exception {
        String clientId = "imported-" + UUID.randomUUID();
        String secret = clientSecrets.generate();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(clientId)
                .clientSecret("{bcrypt}" + new BCryptPasswordEncoder(4).encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scope("api.read")
                .build());
        clientCredentials(clientId, secret, "api.read");
        assertThat(clients.findByClientId(clientId).getClientSecret()).startsWith("{hmac-sha256}");
        clientCredentials(clientId, secret, "api.read");
    }

    @Test
    void clientCredentialsWhenBareBcryptSecretImportedThenAcceptedAndUpgradedToHmac() throws Exception {
        String clientId = "imported-bare-" + UUID.randomUUID();
        String secret = clientSecrets.generate();
        String bare = new BCryptPasswordEncoder(4).encode(secret);
        assertThat(bare).startsWith("$2a$");
        clients.save(importedClient(clientId, bare));
        HttpResponse<String> wrong = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", "api.read"),
                "Authorization",
                HttpBrowser.basic(clientId, secret + "x"));
        assertThat(json(wrong, 401).get("error")).isEqualTo("invalid_client");
        assertThat(clients.findByClientId(clientId).getClientSecret()).isEqualTo(bare);
        clientCredentials(clientId, secret, "api.read");
        assertThat(clients.findByClientId(clientId).getClientSecret()).startsWith("{hmac-sha256}");
        clientCredentials(clientId, secret, "api.read");
    }

    @Test
    void clientCredentialsWhenStoredSecretMalformedOrUnknownFormatThenInvalidClientNotServerError() throws Exception {
        String secret = clientSecrets.generate();
        // Each made Spring Security's DelegatingPasswordEncoder throw inside client authentication (HTTP 500).
        for (String stored : List.of(
                secret, "{noop}" + secret, "{md5}" + secret, "{bcrypt}not-a-hash", "{hmac-sha256}not base64 !!")) {
            String clientId = "malformed-" + UUID.randomUUID();
            clients.save(importedClient(clientId, stored));
            HttpResponse<String> r = browser.postForm(
                    "/oauth2/token",
                    Map.of("grant_type", "client_credentials", "scope", "api.read"),
                    "Authorization",
                    HttpBrowser.basic(clientId, secret));
            assertThat(json(r, 401).get("error")).as(stored).isEqualTo("invalid_client");
            assertThat(r.body()).doesNotContain(secret);
            // Refused, not "upgraded": the stored value is left for the operator to fix.
            assertThat(clients.findByClientId(clientId).getClientSecret()).isEqualTo(stored);
        }
    }

    private static RegisteredClient importedClient(String clientId, String storedSecret) {
        return RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(clientId)
                .clientSecret(storedSecret)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scope("api.read")
                .build();
    }

    @Test
    void serviceClientSecretWhenStoredThenHmacNotPlaintext() {
        String stored = clients.findByClientId(SERVICE).getClientSecret();
        assertThat(stored).startsWith("{hmac-sha256}").doesNotContain(serviceSecret);
    }

    // ---------------------------------------------------------------- bad input at the token endpoint

    @Test
    void tokenWhenGrantTypeMissingThenInvalidRequest() throws Exception {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of("scope", "api.read"),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
        assertThat(json(r, 400).get("error")).isEqualTo("invalid_request");
    }

    @Test
    void tokenWhenParameterDuplicatedThenInvalidRequest() throws Exception {
        HttpResponse<String> r = browser.postRaw(
                "/oauth2/token",
                "grant_type=client_credentials&scope=api.read&scope=api.write",
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
        assertThat(json(r, 400).get("error")).isEqualTo("invalid_request");
    }

    @Test
    void tokenWhenCodeRepeatedWithBasicAuthThenInvalidRequestNotServerError() throws Exception {
        HttpResponse<String> r = browser.postRaw(
                "/oauth2/token",
                "grant_type=authorization_code&code=a&code=b&redirect_uri=x&code_verifier=v",
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
        assertThat(json(r, 400).get("error")).isEqualTo("invalid_request");
    }

    @Test
    void tokenWhenPathPercentEncodedOrWithPathParameterAndCodeRepeatedThenInvalidRequest() throws Exception {
        // The guard must see the path as the endpoint matcher does (found in review: /oauth2/%74oken -> 500).
        for (String path : List.of("/oauth2/%74oken", "/oauth2/token;x=1")) {
            HttpResponse<String> r = browser.postRaw(
                    path,
                    "grant_type=authorization_code&client_id=" + SPA + "&code=a&code=b&redirect_uri=x&code_verifier=v");
            // RFC 6749 §3.2: parameters MUST NOT be repeated; §5.2 names that invalid_request.
            assertThat(json(r, 400).get("error")).as(path).isEqualTo("invalid_request");
        }
    }

    @Test
    void endpointsWhenRequiredParameterMissingThenInvalidRequest() throws Exception {
        String basic = HttpBrowser.basic(SERVICE, serviceSecret);
        Map<String, Map<String, String>> cases = new LinkedHashMap<>();
        cases.put("/oauth2/introspect", Map.of());
        cases.put("/oauth2/revoke", Map.of());
        cases.put("/oauth2/par", Map.of("client_id", SERVICE, "redirect_uri", SERVICE_REDIRECT, "scope", "openid"));
        for (Map.Entry<String, Map<String, String>> c : cases.entrySet()) {
            HttpResponse<String> r = browser.postForm(c.getKey(), c.getValue(), "Authorization", basic);
            assertThat(json(r, 400).get("error")).as(c.getKey()).isEqualTo("invalid_request");
        }
        HttpResponse<String> code = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "authorization_code", "redirect_uri", SERVICE_REDIRECT, "code_verifier", "v"),
                "Authorization",
                basic);
        assertThat(json(code, 400).get("error")).isEqualTo("invalid_request");
        HttpResponse<String> refresh =
                browser.postForm("/oauth2/token", Map.of("grant_type", "refresh_token"), "Authorization", basic);
        assertThat(json(refresh, 400).get("error")).isEqualTo("invalid_request");
    }

    @Test
    void deviceAuthorizationWhenScopeNotRegisteredThenInvalidScope() throws Exception {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/device_authorization",
                Map.of("scope", "admin.everything"),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
        assertThat(json(r, 400).get("error")).isEqualTo("invalid_scope");
    }

    @Test
    void userInfoWhenNoTokenThenUnauthorizedWithBearerChallenge() {
        HttpResponse<String> r = new HttpBrowser(base).getApi("/userinfo");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }

    @Test
    void tokenWhenGrantTypeUnknownThenUnsupportedGrantType() throws Exception {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "password", "username", "demo", "password", "x"),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
        assertThat(json(r, 400).get("error")).isEqualTo("unsupported_grant_type");
    }

    @Test
    void tokenWhenBodyOversizedThenInvalidRequest() throws Exception {
        String huge = "grant_type=client_credentials&pad=" + "a".repeat(200_000);
        HttpResponse<String> r =
                browser.postRaw("/oauth2/token", huge, "Authorization", HttpBrowser.basic(SERVICE, serviceSecret));
        assertThat(json(r, 400).get("error")).isEqualTo("invalid_request");
    }

    @Test
    void badRequestsWhenRefusedThenNoStoredStateChanges() throws Exception {
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid", pkce, "st-bad");
        String basic = HttpBrowser.basic(SERVICE, serviceSecret);
        String unknown = HttpBrowser.basic("no-such-client", serviceSecret);
        String wrong = HttpBrowser.basic(SERVICE, serviceSecret + "x");
        String parForm = HttpBrowser.encode(parParams(Pkce.create(), "bad"));
        Map<String, String> evilPar = new LinkedHashMap<>(parParams(Pkce.create(), "bad"));
        evilPar.put("redirect_uri", "https://evil.example/cb");
        String before = snapshot();
        assertThat(before).contains(code); // the snapshot sees token values

        // Each refused request: what it is, its status, and its RFC 6749 §5.2 error (null: an error page).
        List<Object[]> refused = new java.util.ArrayList<>();
        refused.add(new Object[] {
            "wrong secret at token",
            browser.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"), "Authorization", wrong),
            401,
            "invalid_client"
        });
        refused.add(new Object[] {
            "code repeated",
            browser.postRaw(
                    "/oauth2/token",
                    "grant_type=authorization_code&code=" + code + "&code=" + code,
                    "Authorization",
                    basic),
            400,
            "invalid_request"
        });
        refused.add(new Object[] {
            "unknown refresh token",
            browser.postForm(
                    "/oauth2/token",
                    Map.of("grant_type", "refresh_token", "refresh_token", "nope"),
                    "Authorization",
                    basic),
            400,
            "invalid_grant"
        });
        // A well-formed wrong verifier now burns the code (#13 item 7, see
        // authorizationCodeWhenWrongVerifierThenInvalidGrantNoTokenAndCodeBurned); a malformed one changes nothing.
        refused.add(new Object[] {
            "malformed PKCE verifier",
            browser.postForm(
                    "/oauth2/token",
                    Map.of(
                            "grant_type",
                            "authorization_code",
                            "code",
                            code,
                            "redirect_uri",
                            SERVICE_REDIRECT,
                            "code_verifier",
                            Pkce.create().verifier() + "+"),
                    "Authorization",
                    basic),
            400,
            "invalid_request"
        });
        refused.add(new Object[] {
            "wrong secret at revoke",
            browser.postForm("/oauth2/revoke", Map.of("token", code), "Authorization", wrong),
            401,
            "invalid_client"
        });
        refused.add(new Object[] {
            "wrong secret at introspect",
            browser.postForm("/oauth2/introspect", Map.of("token", code), "Authorization", wrong),
            401,
            "invalid_client"
        });
        for (String endpoint :
                List.of("/oauth2/token", "/oauth2/par", "/oauth2/device_authorization", "/oauth2/introspect")) {
            refused.add(new Object[] {
                "unknown client at " + endpoint,
                // client_id names the Basic client: with another one it is a second identity, invalid_request
                // (RFC 6749 §2.3, #13 item 15), before the unknown client could be found unknown.
                browser.postRaw(
                        endpoint,
                        "grant_type=client_credentials&token=x&"
                                + parForm.replace("client_id=" + SERVICE, "client_id=no-such-client"),
                        "Authorization",
                        unknown),
                401,
                "invalid_client"
            });
        }
        refused.add(new Object[] {
            "redirect URI mismatch at par",
            browser.postForm("/oauth2/par", evilPar, "Authorization", basic),
            400,
            "invalid_request"
        });
        refused.add(new Object[] {
            "parameter repeated at par",
            browser.postRaw("/oauth2/par", parForm + "&scope=openid", "Authorization", basic),
            400,
            "invalid_request"
        });
        refused.add(new Object[] {
            "parameter repeated at device_authorization",
            browser.postRaw("/oauth2/device_authorization", "scope=api.read&scope=api.write", "Authorization", basic),
            400,
            "invalid_request"
        });
        refused.add(new Object[] {
            "oversized body with Content-Length",
            browser.postRaw("/oauth2/token", "x".repeat(100_000), "Authorization", basic),
            400,
            "invalid_request"
        });
        // No Content-Length to refuse up front: caught when the container parses the form (ProtocolRequestGuard).
        refused.add(new Object[] {
            "oversized chunked body",
            browser.postChunked(
                    "/oauth2/token",
                    "grant_type=client_credentials&scope=api.read&pad=" + "a".repeat(200_000),
                    "Authorization",
                    basic),
            400,
            "invalid_request"
        });
        // The signed-in browser at the authorization endpoint: an error page, never a redirect (RFC 6749 §4.1.2.1).
        refused.add(new Object[] {
            "redirect URI mismatch at authorize",
            browser.get(authorizeUrl(SERVICE, "https://evil.example/cb", "openid", Pkce.create(), "S256", "bad")),
            400,
            null
        });
        for (Object[] r : refused) {
            @SuppressWarnings("unchecked")
            HttpResponse<String> response = (HttpResponse<String>) r[1];
            assertThat(response.statusCode()).as(r[0] + ": " + response.body()).isEqualTo(r[2]);
            assertThat(response.headers().firstValue("Location"))
                    .as((String) r[0])
                    .isEmpty();
            if (r[3] != null) {
                assertThat(JSONObjectUtils.parse(response.body()).get("error"))
                        .as((String) r[0])
                        .isEqualTo(r[3]);
            }
            assertThat(snapshot()).as((String) r[0]).isEqualTo(before);
        }
        // The code is still good after all that.
        assertThat(exchange(code, pkce.verifier(), SERVICE_REDIRECT, 200)).containsKey("access_token");
        assertThat(snapshot()).isNotEqualTo(before); // and the snapshot does see a real change
    }

    /**
     * Everything stored about authorizations, consents and clients, every column (token values, metadata,
     * attributes), as one comparable string.
     */
    String snapshot() {
        StringBuilder all = new StringBuilder();
        for (String sql : List.of(
                "SELECT * FROM oauth2_authorization ORDER BY id",
                "SELECT * FROM oauth2_authorization_consent ORDER BY registered_client_id, principal_name",
                "SELECT * FROM oauth2_registered_client ORDER BY id",
                "SELECT * FROM gh_consumed_refresh_token ORDER BY token_hash",
                "SELECT * FROM gh_revoked_authorization ORDER BY 1")) {
            for (Map<String, Object> row : jdbc.queryForList(sql)) {
                all.append(sql).append(": ");
                row.forEach((column, value) -> all.append(column.toLowerCase(java.util.Locale.ROOT))
                        .append('=')
                        .append(
                                value instanceof byte[] bytes
                                        ? Base64.getEncoder().encodeToString(bytes)
                                        : value)
                        .append("; "));
                all.append('\n');
            }
        }
        return all.toString();
    }

    // ---------------------------------------------------------------- authorization code + PKCE

    @Test
    void authorizationCodeWhenPkceThroughLoginFormThenTokensIdTokenAndUserInfo() throws Exception {
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid profile api.read", pkce, "st-1");
        Map<String, Object> tokens = exchange(code, pkce.verifier(), SERVICE_REDIRECT, 200);
        String at = (String) tokens.get("access_token");
        assertThat(tokens).containsKeys("refresh_token", "id_token");

        VerifiedToken access = coreVerifier().verify(at);
        assertThat(access.subject()).contains("demo");
        assertThat(access.claim("roles")).contains(List.of("admin", "user"));
        assertThat(access.claim("scope").map(Object::toString).orElseThrow())
                .contains("openid")
                .contains("api.read");

        Jwt id = springDecoder("JWT").decode((String) tokens.get("id_token"));
        assertThat(id.getSubject()).isEqualTo("demo");
        assertThat(id.getAudience()).containsExactly(SERVICE);
        assertThat(id.getClaimAsString("nonce")).isEqualTo("nonce-st-1");

        Map<String, Object> userInfo = json(browser.getWithBearer("/userinfo", at), 200);
        assertThat(userInfo.get("sub")).isEqualTo("demo");
    }

    @Test
    void authorizationCodeWhenOnlyIdentityScopesGrantedThenAccessTokenCarriesNoRolesOrPermissions() throws Exception {
        // Roles and permissions go with a resource scope (RolesTokenCustomizer): openid and profile unlock claims
        // about the user, not the user's authority at resource servers.
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid profile", pkce, "id-only");
        Map<String, Object> tokens = exchange(code, pkce.verifier(), SERVICE_REDIRECT, 200);
        VerifiedToken access = coreVerifier().verify((String) tokens.get("access_token"));
        assertThat(access.subject()).contains("demo");
        assertThat(access.claim("scope").orElseThrow().toString().split(" "))
                .containsExactlyInAnyOrder("openid", "profile");
        assertThat(access.claim("roles")).isEmpty();
        assertThat(access.claim("permissions")).isEmpty();
        assertThat(tokens).containsKey("id_token");
    }

    @Test
    void authorizationCodeWhenPublicClientWithPkceThenTokensWithoutSecret() throws Exception {
        Pkce pkce = Pkce.create();
        String code = authorize(SPA, SPA_REDIRECT, "openid api.read", pkce, "spa");
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type", "authorization_code",
                        "client_id", SPA,
                        "code", code,
                        "redirect_uri", SPA_REDIRECT,
                        "code_verifier", pkce.verifier()));
        Map<String, Object> tokens = json(r, 200);
        assertThat(coreVerifier().verify((String) tokens.get("access_token")).claim("client_id"))
                .contains(SPA);
    }

    @Test
    void authorizationCodeWhenConsentRequiredThenConsentPageThenCodeAndConsentStored() throws Exception {
        String clientId = "consent-" + UUID.randomUUID();
        String secret = clientSecrets.generate();
        String redirect = "http://127.0.0.1:8082/cb";
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(clientId)
                .clientSecret(clientSecrets.encoder().encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(redirect)
                .scope("openid")
                .scope("api.read")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(true)
                        .build())
                .build());
        Pkce pkce = Pkce.create();
        browser.get(authorizeUrl(clientId, redirect, "openid api.read", pkce, "S256", "c1"));
        HttpResponse<String> login = browser.login("demo", demoPassword);
        // Spring Authorization Server sends the browser to Gatehouse's consent page (its consentPage hook).
        HttpResponse<String> resumed =
                browser.get(login.headers().firstValue("Location").orElseThrow());
        assertThat(resumed.headers().firstValue("Location").orElseThrow()).contains("/oauth2/consent?");
        HttpResponse<String> consent =
                browser.get(resumed.headers().firstValue("Location").orElseThrow());
        assertThat(consent.statusCode()).isEqualTo(200);
        assertThat(consent.body()).contains("Allow access").contains("api.read");
        java.util.regex.Matcher state = java.util.regex.Pattern.compile("name=\"state\" value=\"([^\"]+)\"")
                .matcher(consent.body());
        assertThat(state.find()).isTrue();
        HttpResponse<String> approved = browser.postForm(
                "/oauth2/authorize", Map.of("client_id", clientId, "state", state.group(1), "scope", "api.read"));
        String location = approved.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(redirect + "?");
        assertThat(HttpBrowser.query(location)).containsEntry("state", "c1").containsKey("code");
        Integer stored = jdbc.queryForObject(
                "SELECT COUNT(*) FROM oauth2_authorization_consent WHERE principal_name = 'demo'"
                        + " AND registered_client_id = ?",
                Integer.class,
                clients.findByClientId(clientId).getId());
        assertThat(stored).isEqualTo(1);
        HttpResponse<String> token = browser.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type",
                        "authorization_code",
                        "code",
                        HttpBrowser.query(location).get("code"),
                        "redirect_uri",
                        redirect,
                        "code_verifier",
                        pkce.verifier()),
                "Authorization",
                HttpBrowser.basic(clientId, secret));
        assertThat(coreVerifier()
                        .verify((String) json(token, 200).get("access_token"))
                        .claim("scope"))
                .contains("openid api.read");
    }

    @Test
    void authorizationCodeWhenWrongVerifierThenInvalidGrantNoTokenAndCodeBurned() throws Exception {
        // Changed deliberately (#13 item 7): a well-formed verifier that does not match the challenge used to leave
        // the code live, so whoever held a stolen code could try verifier after verifier until it expired. Now the
        // first wrong proof burns the code, as RFC 6749 §4.1.2 treats a code as single-use and as Spring
        // Authorization Server already does when another client presents it (RFC 9700 §4.5: a failed proof means
        // a stolen or injected code). The legitimate client starts a new authorization; no token was ever issued.
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid", pkce, "st-2");
        assertThat(codeRow(code)).doesNotContain("invalidated\":true");
        Map<String, Object> error = exchange(code, Pkce.create().verifier(), SERVICE_REDIRECT, 400);
        assertThat(error.get("error")).isEqualTo("invalid_grant");
        assertThat(error).doesNotContainKey("access_token");
        assertThat(codeRow(code)).contains("invalidated\":true");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM oauth2_authorization WHERE authorization_code_value = ?"
                                + " AND access_token_value IS NULL AND refresh_token_value IS NULL",
                        Integer.class,
                        code))
                .isEqualTo(1);
        // The right verifier no longer redeems it.
        assertThat(exchange(code, pkce.verifier(), SERVICE_REDIRECT, 400).get("error"))
                .isEqualTo("invalid_grant");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM oauth2_authorization WHERE authorization_code_value = ?"
                                + " AND access_token_value IS NULL AND refresh_token_value IS NULL",
                        Integer.class,
                        code))
                .isEqualTo(1);
    }

    @Test
    void authorizationCodeWhenVerifierMissingOrWrongClientSecretThenCodeNotBurnedByUnauthenticatedCaller()
            throws Exception {
        // Only a caller that passed client authentication can burn a confidential client's code: a wrong secret is
        // invalid_client before any verifier is looked at.
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid", pkce, "st-2b");
        String before = codeRow(code);
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type",
                        "authorization_code",
                        "code",
                        code,
                        "redirect_uri",
                        SERVICE_REDIRECT,
                        "code_verifier",
                        Pkce.create().verifier()),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret + "x"));
        assertThat(json(r, 401).get("error")).isEqualTo("invalid_client");
        assertThat(codeRow(code)).isEqualTo(before);
        assertThat(exchange(code, pkce.verifier(), SERVICE_REDIRECT, 200)).containsKey("access_token");
    }

    /** The stored authorization holding {@code code}: every column, as one string. */
    String codeRow(String code) {
        return jdbc.queryForList("SELECT * FROM oauth2_authorization WHERE authorization_code_value = ?", code)
                .toString();
    }

    @Test
    void authorizationCodeWhenCodeVerifierMalformedThenInvalidRequestNoTokenAndCodeUntouched() throws Exception {
        // RFC 7636 §4.1: a verifier is 43 to 128 characters of [A-Z a-z 0-9 - . _ ~]. A client that hashed a
        // 3-character verifier into a well-formed challenge got tokens for it: a verifier anyone can guess.
        String almost = "A".repeat(42);
        for (String verifier :
                List.of("abc", almost, "A".repeat(129), almost + "+", almost + "/", almost + "=", almost + " ")) {
            browser = new HttpBrowser(base);
            Pkce weak = Pkce.of(verifier);
            String code = authorize(SERVICE, SERVICE_REDIRECT, "openid", weak, "weak");
            String before = codeRow(code);
            Map<String, Object> error = exchange(code, verifier, SERVICE_REDIRECT, 400);
            // RFC 6749 §5.2: a malformed parameter is invalid_request (invalid_grant is for a well-formed verifier
            // that does not match, RFC 7636 §4.6). Refused before anything is looked up: the code is untouched.
            assertThat(error.get("error")).as(verifier).isEqualTo("invalid_request");
            assertThat(error).as(verifier).doesNotContainKey("access_token");
            assertThat(codeRow(code)).as(verifier).isEqualTo(before);
        }
        // The longest and shortest well-formed verifiers, with every allowed character, still work.
        for (String verifier : List.of(
                "abcXYZ019-._~".repeat(4).substring(0, 43),
                "abcXYZ019-._~".repeat(10).substring(0, 128))) {
            browser = new HttpBrowser(base);
            Pkce pkce = Pkce.of(verifier);
            String code = authorize(SERVICE, SERVICE_REDIRECT, "openid", pkce, "edge");
            assertThat(exchange(code, verifier, SERVICE_REDIRECT, 200))
                    .as(verifier)
                    .containsKey("access_token");
        }
    }

    @Test
    void signInWhenNameTypedInOtherCaseOrWidthThenSameAccountAndSubIsCanonical() throws Exception {
        // One canonical form (NFKC, then lower case): "DEMO" and full-width "Ｄｅｍｏ" are the account "demo", with
        // its sub, not accounts of their own (issue #13 item 18).
        for (String typed : List.of("DEMO", "\uFF24\uFF45\uFF4D\uFF4F")) {
            browser = new HttpBrowser(base);
            Pkce pkce = Pkce.create();
            String state = "case-" + UUID.randomUUID();
            String code = authorizeAt(
                    authorizeUrl(SERVICE, SERVICE_REDIRECT, "openid", pkce, "S256", state),
                    SERVICE_REDIRECT,
                    state,
                    typed);
            Map<String, Object> tokens = exchange(code, pkce.verifier(), SERVICE_REDIRECT, 200);
            Jwt id = springDecoder("JWT").decode((String) tokens.get("id_token"));
            assertThat(id.getSubject()).as(typed).isEqualTo("demo");
        }
    }

    @Test
    void authorizationCodeWhenReplayedThenInvalidGrant() throws Exception {
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid", pkce, "st-3");
        exchange(code, pkce.verifier(), SERVICE_REDIRECT, 200);
        assertThat(exchange(code, pkce.verifier(), SERVICE_REDIRECT, 400).get("error"))
                .isEqualTo("invalid_grant");
    }

    @Test
    void authorizationCodeWhenRedirectUriDiffersAtTokenEndpointThenInvalidGrant() throws Exception {
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid", pkce, "st-4");
        assertThat(exchange(code, pkce.verifier(), SERVICE_REDIRECT + "/other", 400)
                        .get("error"))
                .isEqualTo("invalid_grant");
    }

    @Test
    void authorizeWhenRedirectUriNotRegisteredThenErrorAndNoRedirect() {
        browser.login("demo", demoPassword);
        Pkce pkce = Pkce.create();
        for (String evil : List.of(
                "https://evil.example/cb",
                SERVICE_REDIRECT + "/../evil",
                SERVICE_REDIRECT + "?x=1",
                "http://127.0.0.1:8081/login/oauth2/code/gatehouse2")) {
            HttpResponse<String> r = browser.get(authorizeUrl(SERVICE, evil, "openid", pkce, "S256", "s"));
            assertThat(r.statusCode()).as(evil).isEqualTo(400);
            assertThat(r.headers().firstValue("Location")).as(evil).isEmpty();
        }
    }

    /**
     * Redirect URIs that are not valid URIs, or whose port is empty or out of range: Spring Authorization Server's
     * loopback comparison threw ({@code IllegalStateException: The port must be an integer}), a 500 with a stack
     * trace. Each is an invalid redirect_uri: 400, never redirected (RFC 6749 §4.1.2.1), JSON at PAR (RFC 9126 §2.3).
     */
    static List<String> malformedRedirectUris() {
        String path = "/login/oauth2/code/gatehouse";
        return List.of(
                "http://127.0.0.1:" + path,
                "http://127.0.0.1:2147483648" + path,
                "http://127.0.0.1:99999999999999999999" + path,
                "http://127.0.0.1:65536" + path,
                "http://127.0.0.1:0" + path,
                "http://127.0.0.1:-1" + path,
                "http://127.0.0.1:+8081" + path,
                "http://127.0.0.1:8081x" + path,
                "http://[::1]:" + path,
                "http://[::1]:2147483648" + path,
                "http://[0:0:0:0:0:0:0:1]:" + path,
                "http://[::1",
                "http://a b/",
                "http://127.0.0.1:8081" + path + "#x",
                "http://127.0.0.1:8081" + path + "#",
                "http://u@127.0.0.1:8081" + path,
                "http://u:p@127.0.0.1" + path,
                "http://127.0.0.1:8081" + path + "%",
                "http://127.0.0.1:8081" + path + "?" + "a".repeat(3000),
                "//127.0.0.1:8081" + path,
                "127.0.0.1:8081" + path,
                ":",
                "http://");
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void authorizeWhenRedirectUriMalformedOrPortOutOfRangeThenInvalidRequestNoRedirectNoServerError(
            CapturedOutput output) {
        browser.login("demo", demoPassword);
        int before = countAuthorizations();
        for (String uri : malformedRedirectUris()) {
            for (String clientId : List.of(SERVICE, SPA)) {
                HttpResponse<String> r = browser.get(authorizeUrl(clientId, uri, "openid", Pkce.create(), "S256", "s"));
                assertThat(r.statusCode()).as(clientId + " " + uri).isEqualTo(400);
                assertThat(r.headers().firstValue("Location")).as(uri).isEmpty();
            }
        }
        assertThat(countAuthorizations()).isEqualTo(before);
        assertThat(output.getAll()).doesNotContain("The port must be an integer", "IllegalStateException");
    }

    @Test
    void authorizeWhenParameterDuplicatedThenErrorAndNoCode() {
        browser.login("demo", demoPassword);
        Pkce pkce = Pkce.create();
        HttpResponse<String> r = browser.get(authorizeUrl(SPA, SPA_REDIRECT, "openid", pkce, "S256", "s") + "&state=t");
        String location = r.headers().firstValue("Location").orElse("");
        assertThat(location).doesNotContain("code=");
        if (r.statusCode() == 302) {
            assertThat(location).startsWith(SPA_REDIRECT + "?");
            assertThat(HttpBrowser.query(location)).containsEntry("error", "invalid_request");
        } else {
            assertThat(r.statusCode()).isEqualTo(400);
        }
    }

    @Test
    void corsWhenAllowedOriginPreflightsTokenEndpointThenAllowedWithoutCredentials() {
        HttpResponse<String> ok = browser.options("/oauth2/token", "http://127.0.0.1:5173");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).contains("http://127.0.0.1:5173");
        assertThat(ok.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
        HttpResponse<String> evil = browser.options("/oauth2/token", "https://evil.example");
        assertThat(evil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void authorizeWhenUnknownClientThenErrorAndNoRedirect() {
        browser.login("demo", demoPassword);
        HttpResponse<String> r =
                browser.get(authorizeUrl("no-such-client", SERVICE_REDIRECT, "openid", Pkce.create(), "S256", "s"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void authorizeWhenPlainChallengeMethodThenInvalidRequestToClient() {
        browser.login("demo", demoPassword);
        Pkce pkce = Pkce.create();
        HttpResponse<String> r = browser.get(authorizeUrl(SPA, SPA_REDIRECT, "openid", pkce, "plain", "s"));
        assertThat(r.statusCode()).isEqualTo(302);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(SPA_REDIRECT + "?");
        assertThat(HttpBrowser.query(location))
                .containsEntry("error", "invalid_request")
                .doesNotContainKey("code");
    }

    /** Not an S256 challenge: RFC 7636 §4.2, BASE64URL(SHA256(verifier)) is 43 characters of [A-Za-z0-9_-]. */
    static List<String> malformedChallenges() {
        String good = Pkce.create().challenge();
        return List.of(
                "a",
                good.substring(0, 42),
                good + "A",
                good.substring(0, 42) + "=",
                good.substring(0, 42) + "+",
                good.substring(0, 42) + "/",
                good.substring(0, 42) + ".",
                good.substring(0, 42) + "~",
                good.substring(0, 42) + " ",
                "A".repeat(128));
    }

    @Test
    void authorizeWhenCodeChallengeMalformedThenInvalidRequestToClientAndNoCode() {
        browser.login("demo", demoPassword);
        for (String challenge : malformedChallenges()) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("response_type", "code");
            q.put("client_id", SPA);
            q.put("redirect_uri", SPA_REDIRECT);
            q.put("scope", "openid");
            q.put("state", "s");
            q.put("code_challenge", challenge);
            q.put("code_challenge_method", "S256");
            HttpResponse<String> r = browser.get(base + "/oauth2/authorize?" + HttpBrowser.encode(q));
            // The redirect URI is valid, so the error goes to the client (RFC 6749 §4.1.2.1, RFC 7636 §4.4.1).
            assertThat(r.statusCode()).as(challenge).isEqualTo(302);
            String location = r.headers().firstValue("Location").orElseThrow();
            assertThat(location).as(challenge).startsWith(SPA_REDIRECT + "?");
            assertThat(HttpBrowser.query(location))
                    .as(challenge)
                    .containsEntry("error", "invalid_request")
                    .containsEntry("state", "s")
                    .doesNotContainKey("code");
        }
    }

    @Test
    void pushedAuthorizationRequestWhenCodeChallengeMalformedThenInvalidRequestAndNothingStored() throws Exception {
        int before = countAuthorizations();
        for (String challenge : malformedChallenges()) {
            Map<String, String> params = parParams(Pkce.create(), "par-bad-challenge");
            params.put("code_challenge", challenge);
            HttpResponse<String> r =
                    browser.postForm("/oauth2/par", params, "Authorization", HttpBrowser.basic(SERVICE, serviceSecret));
            assertThat(json(r, 400).get("error")).as(challenge).isEqualTo("invalid_request");
        }
        assertThat(countAuthorizations()).isEqualTo(before);
    }

    @Test
    void authorizeWhenPublicClientWithoutPkceThenInvalidRequestToClient() {
        browser.login("demo", demoPassword);
        String url = base + "/oauth2/authorize?"
                + HttpBrowser.encode(Map.of(
                        "response_type", "code",
                        "client_id", SPA,
                        "redirect_uri", SPA_REDIRECT,
                        "scope", "openid",
                        "state", "s"));
        HttpResponse<String> r = browser.get(url);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(SPA_REDIRECT + "?");
        assertThat(HttpBrowser.query(location)).containsEntry("error", "invalid_request");
    }

    @Test
    void authorizeWhenConfidentialClientWithoutPkceThenInvalidRequestToClient() {
        browser.login("demo", demoPassword);
        String url = base + "/oauth2/authorize?"
                + HttpBrowser.encode(Map.of(
                        "response_type", "code",
                        "client_id", SERVICE,
                        "redirect_uri", SERVICE_REDIRECT,
                        "scope", "openid",
                        "state", "s"));
        HttpResponse<String> r = browser.get(url);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(HttpBrowser.query(location)).containsEntry("error", "invalid_request");
    }

    @Test
    void loginWhenWrongPasswordOrUnknownUserThenSameFailure() {
        HttpResponse<String> wrong = browser.login("demo", demoPassword + "x");
        HttpResponse<String> unknown = new HttpBrowser(base).login("nobody", demoPassword);
        assertThat(wrong.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
        assertThat(unknown.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
    }

    // ---------------------------------------------------------------- refresh rotation and reuse detection

    @Test
    void refreshWhenRotatedThenOldTokenReuseRevokesWholeFamily() throws Exception {
        Map<String, Object> first = loginAndExchange();
        String rt1 = (String) first.get("refresh_token");
        String at1 = (String) first.get("access_token");

        Map<String, Object> second = json(refresh(rt1), 200);
        String rt2 = (String) second.get("refresh_token");
        assertThat(rt2).isNotEqualTo(rt1);
        assertThat(introspect(at1).get("active")).isEqualTo(false); // replaced access token is gone too
        assertThat(introspect((String) second.get("access_token")).get("active"))
                .isEqualTo(true);

        // The old refresh token again: a stolen copy. Refused, and the family is revoked.
        assertThat(json(refresh(rt1), 400).get("error")).isEqualTo("invalid_grant");
        assertThat(json(refresh(rt2), 400).get("error")).isEqualTo("invalid_grant");
        assertThat(introspect((String) second.get("access_token")).get("active"))
                .isEqualTo(false);
    }

    @Test
    void refreshWhenUserDisabledThenInvalidGrantUntilEnabledAgain() throws Exception {
        Map<String, Object> tokens = loginAndExchange();
        String refreshToken = (String) tokens.get("refresh_token");
        jdbc.update("UPDATE gh_user SET enabled = FALSE WHERE username = 'demo'");
        try {
            Map<String, Object> refused = json(refresh(refreshToken), 400);
            assertThat(refused.get("error")).isEqualTo("invalid_grant");
        } finally {
            jdbc.update("UPDATE gh_user SET enabled = TRUE WHERE username = 'demo'");
        }
    }

    @Test
    void refreshWhenWrongClientThenInvalidGrant() throws Exception {
        Map<String, Object> tokens = loginAndExchange();
        String otherId = "other-" + UUID.randomUUID();
        String otherSecret = clientSecrets.generate();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(otherId)
                .clientSecret(clientSecrets.encoder().encode(otherSecret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scope("api.read")
                .build());
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "refresh_token", "refresh_token", (String) tokens.get("refresh_token")),
                "Authorization",
                HttpBrowser.basic(otherId, otherSecret));
        assertThat(json(r, 400).get("error")).isEqualTo("invalid_grant");
    }

    // ---------------------------------------------------------------- introspection and revocation

    @Test
    void introspectionWhenActiveTokenThenClaims() throws Exception {
        String at =
                (String) clientCredentials(SERVICE, serviceSecret, "api.read").get("access_token");
        Map<String, Object> info = introspect(at);
        assertThat(info.get("active")).isEqualTo(true);
        assertThat(info.get("client_id")).isEqualTo(SERVICE);
        assertThat(info.get("scope")).isEqualTo("api.read");
        assertThat(introspect("not-a-token").get("active")).isEqualTo(false);
    }

    @Test
    void introspectionWhenClientUnauthenticatedThenInvalidClient() throws Exception {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/introspect", Map.of("token", "x"), "Authorization", HttpBrowser.basic(SERVICE, "wrong"));
        assertThat(json(r, 401).get("error")).isEqualTo("invalid_client");
    }

    @Test
    void revocationWhenRefreshTokenRevokedThenItAndItsAccessTokenInactive() throws Exception {
        Map<String, Object> tokens = loginAndExchange();
        String rt = (String) tokens.get("refresh_token");
        HttpResponse<String> r = browser.postForm(
                "/oauth2/revoke",
                Map.of("token", rt, "token_type_hint", "refresh_token"),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(introspect(rt).get("active")).isEqualTo(false);
        assertThat(introspect((String) tokens.get("access_token")).get("active"))
                .isEqualTo(false);
        assertThat(json(refresh(rt), 400).get("error")).isEqualTo("invalid_grant");
        // RFC 7009 §2.2: unknown tokens also answer 200.
        HttpResponse<String> unknown = browser.postForm(
                "/oauth2/revoke",
                Map.of("token", "unknown"),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
        assertThat(unknown.statusCode()).isEqualTo(200);
    }

    @Test
    void revocationWhenTokenBelongsToAnotherClientThen200AndTokenStillActive() throws Exception {
        // RFC 7009 §2.1/§2.2: a token issued to another client is revoked by nobody but that client, and the answer
        // is the one an unknown token gets (200), so a client cannot probe whether a string is someone's token.
        Map<String, Object> tokens = loginAndExchange();
        String at = (String) tokens.get("access_token");
        String rt = (String) tokens.get("refresh_token");
        String serviceAt =
                (String) clientCredentials(SERVICE, serviceSecret, "api.read").get("access_token");
        String otherId = "other-" + UUID.randomUUID();
        String otherSecret = clientSecrets.generate();
        clients.save(confidentialClient(otherId, otherSecret, false));
        HttpResponse<String> unknown = browser.postForm(
                "/oauth2/revoke",
                Map.of("token", "unknown-" + UUID.randomUUID()),
                "Authorization",
                HttpBrowser.basic(otherId, otherSecret));
        assertThat(unknown.statusCode()).isEqualTo(200);
        Map<String, Map<String, String>> foreign = new LinkedHashMap<>();
        foreign.put("access token", Map.of("token", at));
        foreign.put("refresh token", Map.of("token", rt, "token_type_hint", "refresh_token"));
        foreign.put("client credentials token", Map.of("token", serviceAt, "token_type_hint", "access_token"));
        for (Map.Entry<String, Map<String, String>> e : foreign.entrySet()) {
            HttpResponse<String> r = browser.postForm(
                    "/oauth2/revoke", e.getValue(), "Authorization", HttpBrowser.basic(otherId, otherSecret));
            assertThat(r.statusCode()).as(e.getKey() + ": " + r.body()).isEqualTo(200);
            assertThat(r.body()).as(e.getKey()).isEqualTo(unknown.body());
            assertThat(r.headers().firstValue("WWW-Authenticate"))
                    .as(e.getKey())
                    .isEmpty();
        }
        // A failed client authentication is still refused, whatever the token.
        HttpResponse<String> wrongSecret = browser.postForm(
                "/oauth2/revoke", Map.of("token", at), "Authorization", HttpBrowser.basic(otherId, "wrong"));
        assertThat(json(wrongSecret, 401).get("error")).isEqualTo("invalid_client");
        // Nothing was revoked.
        assertThat(introspect(at).get("active")).isEqualTo(true);
        assertThat(introspect(rt).get("active")).isEqualTo(true);
        assertThat(introspect(serviceAt).get("active")).isEqualTo(true);
        // The token's own client still revokes it.
        HttpResponse<String> own = browser.postForm(
                "/oauth2/revoke",
                Map.of("token", serviceAt),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(introspect(serviceAt).get("active")).isEqualTo(false);
        assertThat(introspect(at).get("active")).isEqualTo(true);
    }

    @Test
    void userInfoWhenNoOrForgedTokenThenUnauthorized() throws Exception {
        assertThat(browser.getWithBearer("/userinfo", "abc.def.ghi").statusCode())
                .isEqualTo(401);
        // No token at all: a browser (Accept: text/html) is sent to sign in, never served user data.
        HttpResponse<String> none = browser.get("/userinfo");
        assertThat(none.statusCode()).isIn(401, 302);
        assertThat(none.body()).doesNotContain("\"sub\"");
        assertThat(browser.getWithBearer("/userinfo", forgedAccessToken()).statusCode())
                .isEqualTo(401);
    }

    // ---------------------------------------------------------------- issue #13: honest endpoints

    @Test
    void discoveryWhenRequestedThenAdvertisesOnlyClientAuthenticationThatWorksAndKnownScopes() throws Exception {
        Map<String, Object> oidc = json(browser.getApi("/.well-known/openid-configuration"), 200);
        Map<String, Object> oauth = json(browser.getApi("/.well-known/oauth-authorization-server"), 200);
        for (Map<String, Object> doc : List.of(oidc, oauth)) {
            assertThat(doc.get("token_endpoint_auth_methods_supported"))
                    .isEqualTo(List.of(
                            "client_secret_basic",
                            "client_secret_post",
                            "private_key_jwt",
                            "client_secret_jwt",
                            "none"));
            assertThat(doc.get("introspection_endpoint_auth_methods_supported"))
                    .isEqualTo(List.of(
                            "client_secret_basic", "client_secret_post", "private_key_jwt", "client_secret_jwt"));
            assertThat(doc.get("revocation_endpoint_auth_methods_supported"))
                    .isEqualTo(List.of(
                            "client_secret_basic", "client_secret_post", "private_key_jwt", "client_secret_jwt"));
            assertThat(doc).doesNotContainKey("tls_client_certificate_bound_access_tokens");
            assertThat(doc.get("code_challenge_methods_supported")).isEqualTo(List.of("S256"));
            assertThat(doc.get("response_types_supported")).isEqualTo(List.of("code"));
            assertThat(doc.get("response_modes_supported")).isEqualTo(List.of("query"));
            assertThat(doc.get("authorization_response_iss_parameter_supported"))
                    .isEqualTo(true);
            assertThat((List<Object>) doc.get("grant_types_supported"))
                    .containsExactlyInAnyOrder(
                            "authorization_code",
                            "client_credentials",
                            "refresh_token",
                            "urn:ietf:params:oauth:grant-type:device_code",
                            "urn:ietf:params:oauth:grant-type:token-exchange");
            // The demo clients' scopes: what some client can actually be granted.
            assertThat((List<Object>) doc.get("scopes_supported"))
                    .contains("openid", "profile", "api.read", "api.write", "admin");
        }
        assertThat(oidc.get("prompt_values_supported")).isEqualTo(List.of("none", "login"));
        assertThat((List<Object>) oidc.get("claims_supported")).contains("sub", "iss", "auth_time", "acr", "amr");
        // OpenID Connect Discovery 1.0 §3: the languages ui_locales chooses from (gatehouse.server.ui.locales).
        assertThat(oidc.get("ui_locales_supported")).isEqualTo(List.of("en", "de", "fr"));
    }

    @Test
    void authorizeWhenCodeIssuedThenResponseNamesIssuer() {
        browser.login("demo", demoPassword);
        HttpResponse<String> r =
                browser.get(authorizeUrl(SERVICE, SERVICE_REDIRECT, "openid", Pkce.create(), "S256", "st-iss"));
        assertThat(r.statusCode()).isEqualTo(302);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(SERVICE_REDIRECT + "?");
        assertThat(HttpBrowser.query(location))
                .containsKey("code")
                .containsEntry("state", "st-iss")
                .containsEntry("iss", base);
    }

    @Test
    void authorizeWhenErrorRedirectedToClientThenResponseNamesIssuer() {
        // login_required: prompt=none without a session (OIDC Core 1.0 §3.1.2.6).
        HttpResponse<String> silent = new HttpBrowser(base)
                .get(authorizeUrl(SPA, SPA_REDIRECT, "openid", Pkce.create(), "S256", "s1") + "&prompt=none");
        assertThat(HttpBrowser.query(silent.headers().firstValue("Location").orElseThrow()))
                .containsEntry("error", "login_required")
                .containsEntry("state", "s1")
                .containsEntry("iss", base);
        // invalid_scope and invalid_request after sign-in.
        browser.login("demo", demoPassword);
        HttpResponse<String> scope =
                browser.get(authorizeUrl(SPA, SPA_REDIRECT, "openid admin", Pkce.create(), "S256", "s2"));
        assertThat(HttpBrowser.query(scope.headers().firstValue("Location").orElseThrow()))
                .containsEntry("error", "invalid_scope")
                .containsEntry("iss", base);
        HttpResponse<String> plain =
                browser.get(authorizeUrl(SPA, SPA_REDIRECT, "openid", Pkce.create(), "plain", "s3"));
        assertThat(HttpBrowser.query(plain.headers().firstValue("Location").orElseThrow()))
                .containsEntry("error", "invalid_request")
                .containsEntry("iss", base);
    }

    @Test
    void introspectionWhenCallerIsNotTheTokensClientNorAudienceThenInactive() throws Exception {
        String at =
                (String) clientCredentials(SERVICE, serviceSecret, "api.read").get("access_token");
        String otherId = "other-" + UUID.randomUUID();
        String otherSecret = clientSecrets.generate();
        clients.save(confidentialClient(otherId, otherSecret, false));
        Map<String, Object> info = introspectAs(otherId, otherSecret, at);
        // RFC 7662 §2.2: exactly what an unknown token gets, nothing about the token.
        assertThat(info).isEqualTo(Map.of("active", false));
        assertThat(introspect(at).get("active")).isEqualTo(true);
    }

    @Test
    void introspectionWhenCallerMayIntrospectAnyTokenThenClaims() throws Exception {
        String at =
                (String) clientCredentials(SERVICE, serviceSecret, "api.read").get("access_token");
        String resourceId = "resource-" + UUID.randomUUID();
        String resourceSecret = clientSecrets.generate();
        clients.save(confidentialClient(resourceId, resourceSecret, true));
        Map<String, Object> info = introspectAs(resourceId, resourceSecret, at);
        assertThat(info.get("active")).isEqualTo(true);
        assertThat(info.get("client_id")).isEqualTo(SERVICE);
    }

    private RegisteredClient confidentialClient(String clientId, String secret, boolean introspectAny) {
        return RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(clientId)
                .clientSecret(clientSecrets.encoder().encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scope("api.read")
                .clientSettings(ClientSettings.builder()
                        .setting("settings.client.gatehouse.introspect-any-token", introspectAny)
                        .build())
                .build();
    }

    @Test
    void clientEndpointsWhenClientAuthenticationFailsThenUnauthorizedWithBasicChallenge() throws Exception {
        for (String path : List.of(
                "/oauth2/token",
                "/oauth2/introspect",
                "/oauth2/revoke",
                "/oauth2/par",
                "/oauth2/device_authorization")) {
            HttpResponse<String> basic = browser.postForm(
                    path,
                    Map.of("grant_type", "client_credentials", "token", "x", "scope", "openid"),
                    "Authorization",
                    HttpBrowser.basic(SERVICE, "wrong"));
            assertThat(json(basic, 401).get("error")).as(path).isEqualTo("invalid_client");
            assertThat(basic.headers().firstValue("WWW-Authenticate")).as(path).contains("Basic realm=\"gatehouse\"");
            HttpResponse<String> post = browser.postForm(
                    path,
                    Map.of(
                            "grant_type", "client_credentials",
                            "token", "x",
                            "scope", "openid",
                            "client_id", SERVICE,
                            "client_secret", "wrong"));
            assertThat(json(post, 401).get("error")).as(path).isEqualTo("invalid_client");
            // RFC 9110 §15.5.2: every 401 carries a challenge.
            assertThat(post.headers().firstValue("WWW-Authenticate")).as(path).contains("Basic realm=\"gatehouse\"");
        }
    }

    @Test
    void userInfoWhenNoTokenEvenFromBrowserThenBearerChallengeNamingServedResourceMetadata() throws Exception {
        String metadataUrl = base + "/.well-known/oauth-protected-resource/userinfo";
        for (HttpResponse<String> r : List.of(new HttpBrowser(base).get("/userinfo"), browser.getApi("/userinfo"))) {
            assertThat(r.statusCode()).isEqualTo(401);
            // RFC 6750 §3.1: no error code when the request had no token.
            assertThat(r.headers().firstValue("WWW-Authenticate"))
                    .contains("Bearer resource_metadata=\"" + metadataUrl + "\"");
        }
        // RFC 9728 §3: the document is served, for this resource, from the issuer.
        Map<String, Object> metadata = json(new HttpBrowser(base).getApi(metadataUrl), 200);
        assertThat(metadata.get("resource")).isEqualTo(base + "/userinfo");
        assertThat(metadata.get("authorization_servers")).isEqualTo(List.of(base));
        assertThat(metadata.get("bearer_methods_supported")).isEqualTo(List.of("header"));
        assertThat(metadata).doesNotContainKey("tls_client_certificate_bound_access_tokens");
    }

    @Test
    void userInfoWhenTokenRevokedThenInvalidTokenChallenge() throws Exception {
        String at = (String) loginAndExchange().get("access_token");
        browser.postForm(
                "/oauth2/revoke", Map.of("token", at), "Authorization", HttpBrowser.basic(SERVICE, serviceSecret));
        HttpResponse<String> r = browser.getWithBearer("/userinfo", at);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer error=\"invalid_token\""));
    }

    @Test
    void userInfoWhenTokenWithoutOpenidThenInsufficientScopeChallenge() throws Exception {
        String at =
                (String) clientCredentials(SERVICE, serviceSecret, "api.read").get("access_token");
        HttpResponse<String> r = browser.getWithBearer("/userinfo", at);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v)
                        .startsWith("Bearer error=\"insufficient_scope\"")
                        .contains("scope=\"openid\""));
    }

    @Test
    void actuatorWhenNoOrInvalidTokenThenBearerChallengeNamingNoUnservedMetadata() throws Exception {
        HttpResponse<String> none = new HttpBrowser(base).getApi("/actuator/prometheus");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        HttpResponse<String> forged = browser.getWithBearer("/actuator/prometheus", forgedAccessToken());
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v)
                        .startsWith("Bearer error=\"invalid_token\"")
                        .doesNotContain("resource_metadata"));
    }

    // ---------------------------------------------------------------- keys and maintenance

    @Test
    void contextWhenStarterOnTheClasspathThenOneBeanOfEachKindAndTheServersOwnWin() {
        // The starter's hasher and policy; the server's key ring, client-secret encoder, decoder, MFA and health.
        assertThat(context.getBeanNamesForType(PasswordHasher.class)).containsExactly("gatehousePasswordHasher");
        assertThat(context.getBeanNamesForType(PasswordPolicy.class)).containsExactly("gatehousePasswordPolicy");
        assertThat(context.getBeanNamesForType(PasswordEncoder.class)).containsExactly("clientSecretEncoder");
        assertThat(context.getBeanNamesForType(KeyRing.class)).containsExactly("keyRing");
        assertThat(context.getBeanNamesForType(JwtDecoder.class)).containsExactly("jwtDecoder");
        // The starter's GatehouseJwtDecoder over the ring, inside the server's audience rule (RFC 8707 §2).
        assertThat(context.getBean(JwtDecoder.class).getClass().getName())
                .isEqualTo("dev.gatehouse.server.keys.OwnAudienceJwtDecoder");
        assertThat(context.getBeanNamesForType(TotpService.class)).containsExactly("totpService");
        assertThat(context.getBeanNamesForType(TokenIssuer.class)).isEmpty();
        assertThat(context.containsBean("gatehouseKeyRingRotation")).isFalse();
        assertThat(context.containsBean("gatehouseKeyRingHealthIndicator")).isFalse();
        assertThat(context.containsBean("keyRingHealthIndicator")).isTrue();
        assertThat(ring.algorithm()).isEqualTo(JwsAlgorithm.RS256);
        // The starter's defaults are the server's former PasswordHasher.defaults(): parameters, no pepper, slots.
        assertThat(hasher.toString()).isEqualTo(PasswordHasher.defaults().toString());
    }

    @Test
    void jwtDecoderWhenOwnAccessTokenThenNumericDatesAreInstantsAndForgeriesAreRefusedWithTheCode() throws Exception {
        String at =
                (String) clientCredentials(SERVICE, serviceSecret, "api.read").get("access_token");
        JwtDecoder decoder = context.getBean(JwtDecoder.class);

        Jwt jwt = decoder.decode(at);

        assertThat(jwt.getClaims().get("exp")).isInstanceOf(Instant.class).isEqualTo(jwt.getExpiresAt());
        assertThat(jwt.getClaims().get("iat")).isInstanceOf(Instant.class).isEqualTo(jwt.getIssuedAt());
        assertThat(jwt.getHeaders()).containsEntry("typ", "at+jwt").containsEntry("alg", "RS256");
        String forged = forgedAccessToken();
        assertThatThrownBy(() -> decoder.decode(forged))
                .isInstanceOf(BadJwtException.class)
                .hasMessageStartingWith("invalid token (token.")
                .hasMessageNotContaining(forged);
    }

    @Test
    void keyRotationWhenForcedThenOldTokensStillVerifyAndNewOnesUseNewKey() throws Exception {
        String before =
                (String) clientCredentials(SERVICE, serviceSecret, "api.read").get("access_token");
        String oldKid = ring.activeKey().kid();
        String newKid = ring.rotateNow().kid();
        assertThat(newKid).isNotEqualTo(oldKid);
        String after =
                (String) clientCredentials(SERVICE, serviceSecret, "api.read").get("access_token");
        TokenVerifier verifier = coreVerifier();
        assertThat(verifier.verify(before).kid()).contains(oldKid);
        assertThat(verifier.verify(after).kid()).contains(newKid);
        String jwks = browser.get("/oauth2/jwks").body();
        assertThat(jwks).contains(oldKid).contains(newKid);
        Integer active =
                jdbc.queryForObject("SELECT COUNT(*) FROM gh_signing_key WHERE state = 'ACTIVE'", Integer.class);
        assertThat(active).isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT sealed_private_jwk FROM gh_signing_key", String.class))
                .noneMatch(s -> s.contains("\"d\""));
    }

    @Test
    void purgeWhenAuthorizationsExpiredThenDeleted() throws Exception {
        Map<String, Object> tokens = loginAndExchange();
        String at = (String) tokens.get("access_token");
        Timestamp longAgo = Timestamp.from(Instant.now().minusSeconds(3 * 86400));
        int aged = jdbc.update(
                "UPDATE oauth2_authorization SET authorization_code_expires_at = ?, access_token_expires_at = ?,"
                        + " refresh_token_expires_at = ?, oidc_id_token_expires_at = ?, user_code_expires_at = NULL,"
                        + " device_code_expires_at = NULL WHERE principal_name = ? AND refresh_token_expires_at IS NOT NULL",
                longAgo,
                longAgo,
                longAgo,
                longAgo,
                "demo");
        assertThat(aged).isGreaterThanOrEqualTo(1);
        String fresh =
                (String) clientCredentials(SERVICE, serviceSecret, "api.read").get("access_token");
        assertThat(purger.purge()).isGreaterThanOrEqualTo(aged);
        Integer left = jdbc.queryForObject(
                "SELECT COUNT(*) FROM oauth2_authorization WHERE refresh_token_expires_at < ?", Integer.class, longAgo);
        assertThat(left).isZero();
        assertThat(introspect(at).get("active")).isEqualTo(false);
        assertThat(introspect(fresh).get("active")).isEqualTo(true);
    }

    @Test
    void purgeWhenPendingRequestsAbandonedPastLifetimeAndGraceThenDeletedAndYoungerOnesKept() throws Exception {
        java.util.Set<String> before = authorizationIds();
        // Two kinds of row with no expiry at all: an unused pushed request, and a request waiting for consent.
        push(Pkce.create(), "abandoned-par");
        String clientId = "consent-" + UUID.randomUUID();
        String redirect = "http://127.0.0.1:8082/cb";
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(clientId)
                .clientSecret(clientSecrets.encoder().encode(clientSecrets.generate()))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(redirect)
                .scope("openid")
                .scope("api.read")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(true)
                        .build())
                .build());
        HttpBrowser user = new HttpBrowser(base);
        user.get(authorizeUrl(clientId, redirect, "openid api.read", Pkce.create(), "S256", "abandoned"));
        HttpResponse<String> resumed = user.get(user.login("demo", demoPassword)
                .headers()
                .firstValue("Location")
                .orElseThrow());
        assertThat(resumed.headers().firstValue("Location").orElseThrow()).contains("/oauth2/consent?");
        java.util.Set<String> abandoned = new java.util.HashSet<>(authorizationIds());
        abandoned.removeAll(before);
        assertThat(abandoned).hasSize(2);
        for (String id : abandoned) {
            assertThat(jdbc.queryForObject(
                            "SELECT COUNT(*) FROM oauth2_authorization WHERE id = ? AND authorization_code_expires_at"
                                    + " IS NULL AND access_token_expires_at IS NULL AND refresh_token_expires_at IS NULL"
                                    + " AND created_at IS NOT NULL",
                            Integer.class,
                            id))
                    .isEqualTo(1);
        }
        // Older than the pending lifetime plus the grace (1 hour in this suite): purged.
        Instant abandonedAt = Instant.now()
                .minus(ExpiredStatePurger.PENDING_LIFETIME)
                .minus(java.time.Duration.ofHours(1))
                .minus(java.time.Duration.ofMinutes(5));
        for (String id : abandoned) {
            jdbc.update("UPDATE oauth2_authorization SET created_at = ? WHERE id = ?", Timestamp.from(abandonedAt), id);
        }
        // Pending, but past the lifetime and still inside the grace: kept.
        java.util.Set<String> beforeYoung = authorizationIds();
        Pkce youngPkce = Pkce.create();
        String young = push(youngPkce, "young-par");
        java.util.Set<String> youngIds = new java.util.HashSet<>(authorizationIds());
        youngIds.removeAll(beforeYoung);
        assertThat(youngIds).hasSize(1);
        jdbc.update(
                "UPDATE oauth2_authorization SET created_at = ? WHERE id = ?",
                Timestamp.from(Instant.now()
                        .minus(ExpiredStatePurger.PENDING_LIFETIME)
                        .minus(java.time.Duration.ofMinutes(50))),
                youngIds.iterator().next());
        String at = (String) loginAndExchange().get("access_token");

        assertThat(purger.purge()).isGreaterThanOrEqualTo(2);

        assertThat(authorizationIds()).doesNotContainAnyElementsOf(abandoned).containsAll(youngIds);
        assertThat(introspect(at).get("active")).isEqualTo(true);
        // The younger pushed request still works (the browser is signed in by loginAndExchange).
        String location = browser.get(parUrl(SERVICE, young))
                .headers()
                .firstValue("Location")
                .orElseThrow();
        assertThat(location).startsWith(SERVICE_REDIRECT + "?");
        String code = HttpBrowser.query(location).get("code");
        assertThat(exchange(code, youngPkce.verifier(), SERVICE_REDIRECT, 200)).containsKey("access_token");
    }

    java.util.Set<String> authorizationIds() {
        return new java.util.HashSet<>(jdbc.queryForList("SELECT id FROM oauth2_authorization", String.class));
    }

    // ---------------------------------------------------------------- users: throttling, rehash, logout

    @Test
    void loginWhenRepeatedFailuresThenThrottledEvenWithRightPassword() {
        String name = "throttle-" + UUID.randomUUID();
        users.create(name, hasher.hash("right password 123"), List.of("user"));
        for (int i = 0; i < 4; i++) {
            assertThat(new HttpBrowser(base).login(name, "wrong").headers().firstValue("Location"))
                    .hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
        }
        // Now delayed: the right password is refused without being checked.
        assertThat(new HttpBrowser(base)
                        .login(name, "right password 123")
                        .headers()
                        .firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
    }

    @Test
    void loginWhenManyParallelWrongPasswordsThenOnlyTheFreeAttemptsAreVerified() throws Exception {
        String name = "burst-" + UUID.randomUUID();
        users.create(name, hasher.hash("right password 123"), List.of("user"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<?>> all = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                all.add(pool.submit(() -> new HttpBrowser(base).login(name, "wrong")));
            }
            for (java.util.concurrent.Future<?> f : all) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // Each verified wrong password is counted; throttled attempts are not verified and not counted. Without
        // serialisation all 24 were verified and counted.
        Integer counted = jdbc.queryForObject(
                "SELECT MAX(failures) FROM gh_attempt_counter WHERE counter_key LIKE ?",
                Integer.class,
                "%" + name + "%");
        assertThat(counted).isBetween(1, 5);
    }

    @Test
    void attemptStoreWhenFailuresOnOneNodeThenAnotherNodeSeesThem() throws Exception {
        String scope = "s-" + UUID.randomUUID();
        AttemptLimiter a = AttemptLimiter.builder()
                .scope(scope)
                .store(new JdbcAttemptStore(jdbc))
                .build();
        AttemptLimiter b = AttemptLimiter.builder()
                .scope(scope)
                .store(new JdbcAttemptStore(jdbc))
                .build();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> all = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                AttemptLimiter node = i % 2 == 0 ? a : b;
                all.add(pool.submit(() -> node.recordFailure("victim", "198.51.100.7")));
            }
            for (var f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // No lost updates: all 8 concurrent failures from two nodes are counted in the pair counter.
        String pairCount = jdbc.queryForList(
                        "SELECT failures FROM gh_attempt_counter WHERE counter_key LIKE ? ORDER BY failures DESC",
                        Integer.class,
                        "%" + scope + "%")
                .toString();
        assertThat(pairCount).startsWith("[8");
        assertThat(b.check("victim", "198.51.100.7").allowed()).isFalse();
        AttemptLimiter otherScope = AttemptLimiter.builder()
                .scope("o-" + UUID.randomUUID())
                .store(new JdbcAttemptStore(jdbc))
                .build();
        assertThat(otherScope.check("victim", "198.51.100.7").allowed()).isTrue();
    }

    @Test
    void loginWhenHashUnderOldPolicyThenUpgradedToCurrent() {
        String name = "legacy-" + UUID.randomUUID();
        PasswordHasher legacy =
                PasswordHasher.builder().parameters(BcryptParameters.of(10)).build();
        String oldHash = legacy.hash("legacy password 123");
        users.create(name, oldHash, List.of("user"));
        assertThat(hasher.needsRehash(oldHash)).isTrue();
        HttpResponse<String> r = new HttpBrowser(base).login(name, "legacy password 123");
        assertThat(r.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
        String newHash = users.find(name).orElseThrow().passwordHash();
        assertThat(newHash).isNotEqualTo(oldHash);
        assertThat(hasher.needsRehash(newHash)).isFalse();
        assertThat(hasher.verify("legacy password 123", newHash).matched()).isTrue();
    }

    @Test
    void refreshWhenSameTokenUsedConcurrentlyThenAtMostOneSucceedsAndFamilyRevoked() throws Exception {
        for (int round = 0; round < 5; round++) {
            concurrentRefreshRound();
        }
    }

    private void concurrentRefreshRound() throws Exception {
        Map<String, Object> tokens = loginAndExchange();
        String rt = (String) tokens.get("refresh_token");
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<Integer> statuses;
        List<String> newTokens = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            java.util.concurrent.Callable<Integer> use = () -> {
                start.await();
                HttpResponse<String> r = new HttpBrowser(base)
                        .postForm(
                                "/oauth2/token",
                                Map.of("grant_type", "refresh_token", "refresh_token", rt),
                                "Authorization",
                                HttpBrowser.basic(SERVICE, serviceSecret));
                if (r.statusCode() == 200) {
                    newTokens.add((String) JSONObjectUtils.parse(r.body()).get("refresh_token"));
                }
                return r.statusCode();
            };
            var a = pool.submit(use);
            var b = pool.submit(use);
            statuses = List.of(a.get(), b.get());
        } finally {
            pool.shutdownNow();
        }
        assertThat(statuses).contains(400);
        // Whatever won the race, a second use of one refresh token leaves no usable family behind.
        for (String issued : newTokens) {
            assertThat(json(refresh(issued), 400).get("error")).isEqualTo("invalid_grant");
        }
    }

    @Test
    void logoutWhenIdTokenHintAndRegisteredUriThenRedirectedAndSessionEnded() throws Exception {
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid", pkce, "logout");
        String idToken =
                (String) exchange(code, pkce.verifier(), SERVICE_REDIRECT, 200).get("id_token");
        HttpResponse<String> r = browser.get("/connect/logout?"
                + HttpBrowser.encode(Map.of(
                        "id_token_hint", idToken,
                        "post_logout_redirect_uri", "http://127.0.0.1:8081/",
                        "state", "bye")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location").orElseThrow()).isEqualTo("http://127.0.0.1:8081/?state=bye");
        // The session is gone: authorizing again asks for the login form.
        HttpResponse<String> again =
                browser.get(authorizeUrl(SERVICE, SERVICE_REDIRECT, "openid", Pkce.create(), "S256", "x"));
        assertThat(again.headers().firstValue("Location").orElseThrow()).endsWith("/login");
    }

    @Test
    void logoutWhenPostLogoutUriNotRegisteredThenInvalidRequestNoRedirectAndSessionKept() throws Exception {
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid", pkce, "logout2");
        String idToken =
                (String) exchange(code, pkce.verifier(), SERVICE_REDIRECT, 200).get("id_token");
        HttpResponse<String> r = browser.get("/connect/logout?"
                + HttpBrowser.encode(
                        Map.of("id_token_hint", idToken, "post_logout_redirect_uri", "https://evil.example/")));
        // OpenID Connect RP-Initiated Logout 1.0 §3: an unregistered post_logout_redirect_uri is never followed.
        assertThat(json(r, 400).get("error")).isEqualTo("invalid_request");
        assertThat(r.headers().firstValue("Location")).isEmpty();
        assertSessionAlive();
    }

    @Test
    void logoutWhenIdTokenHintMissingOrInvalidThenRefusedNoRedirectAndSessionKept() throws Exception {
        authorize(SERVICE, SERVICE_REDIRECT, "openid", Pkce.create(), "logout3");
        Map<String, String> cases = new LinkedHashMap<>();
        // Spring Authorization Server's codes: the parameter is required (invalid_request); a token it did not
        // issue is invalid_token.
        cases.put("", "invalid_request");
        cases.put("not-a-token", "invalid_token");
        cases.put(forgedAccessToken(), "invalid_token");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Map<String, String> query = new LinkedHashMap<>();
            if (!c.getKey().isEmpty()) {
                query.put("id_token_hint", c.getKey());
            }
            query.put("post_logout_redirect_uri", "http://127.0.0.1:8081/");
            HttpResponse<String> r = browser.get("/connect/logout?" + HttpBrowser.encode(query));
            assertThat(json(r, 400).get("error")).as(c.getValue()).isEqualTo(c.getValue());
            assertThat(r.headers().firstValue("Location")).isEmpty();
        }
        assertSessionAlive();
    }

    /** The browser's session still signs the user in: the authorization endpoint issues a code without a login. */
    void assertSessionAlive() {
        HttpResponse<String> again =
                browser.get(authorizeUrl(SERVICE, SERVICE_REDIRECT, "openid", Pkce.create(), "S256", "alive"));
        assertThat(again.headers().firstValue("Location").orElseThrow()).startsWith(SERVICE_REDIRECT + "?code=");
    }

    // ---------------------------------------------------------------- PAR, device flow, token exchange, DPoP

    @Test
    void pushedAuthorizationRequestWhenUsedAtAuthorizeThenCode() throws Exception {
        Pkce pkce = Pkce.create();
        String requestUri = push(pkce, "par-1");
        assertThat(requestUri).startsWith("urn:ietf:params:oauth:request_uri:");
        String code = authorizeAt(parUrl(SERVICE, requestUri), SERVICE_REDIRECT, "par-1");
        assertThat(exchange(code, pkce.verifier(), SERVICE_REDIRECT, 200)).containsKey("access_token");
    }

    @Test
    void authorizeWhenAccessTokenPresentedInsteadOfSignInThenNoCodeAndNoDeviceApproval() throws Exception {
        // An access token is a credential at UserInfo only (RFC 6750 §2.1 is for protected resources). The resource
        // server Spring Authorization Server adds to its chain read it everywhere: a pushed request (whose early
        // validation SAS skips) with "Authorization: Bearer" and no session got a code for the token's client, no
        // sign-in, no consent, max_age and prompt=login met by the token's "sign-in".
        String accessToken =
                (String) clientCredentials(SERVICE, serviceSecret, "api.read").get("access_token");
        String requestUri = push(Pkce.create(), "bearer-instead-of-user");
        HttpResponse<String> authorize = browser.getWithBearer(parUrl(SERVICE, requestUri), accessToken);
        String location = authorize.headers().firstValue("Location").orElse("");
        assertThat(location).doesNotStartWith(SERVICE_REDIRECT).doesNotContain("code=");
        assertThat(authorize.statusCode()).isIn(302, 401);
        // The device code entry page: no session, so no page (and nothing to approve with).
        HttpResponse<String> device = browser.getWithBearer("/oauth2/device_verification", accessToken);
        assertThat(device.statusCode()).isIn(302, 401);
        assertThat(device.body()).doesNotContain("user_code");
    }

    @Test
    void pushedAuthorizationRequestWhenRequestUriUsedTwiceThenRefusedTheSecondTime() throws Exception {
        // RFC 9126 §4: a request_uri is one-time use.
        Pkce pkce = Pkce.create();
        String requestUri = push(pkce, "par-twice");
        String code = authorizeAt(parUrl(SERVICE, requestUri), SERVICE_REDIRECT, "par-twice");
        int before = countAuthorizations();
        HttpResponse<String> again = browser.get(parUrl(SERVICE, requestUri)); // same signed-in browser
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.headers().firstValue("Location")).isEmpty();
        assertThat(countAuthorizations()).isEqualTo(before);
        assertThat(exchange(code, pkce.verifier(), SERVICE_REDIRECT, 200)).containsKey("access_token");
    }

    @Test
    void pushedAuthorizationRequestWhenRequestUriUsedWithAnotherClientIdThenRefusedAndNoRedirect() throws Exception {
        Pkce pkce = Pkce.create();
        String requestUri = push(pkce, "par-other");
        browser.login("demo", demoPassword);
        int before = countAuthorizations();
        HttpResponse<String> other = browser.get(parUrl(SPA, requestUri));
        assertThat(other.statusCode()).isEqualTo(400);
        assertThat(other.headers().firstValue("Location")).isEmpty();
        assertThat(countAuthorizations()).isEqualTo(before);
        // The refusal does not consume the request: its own client still completes it.
        browser = new HttpBrowser(base);
        String code = authorizeAt(parUrl(SERVICE, requestUri), SERVICE_REDIRECT, "par-other");
        assertThat(exchange(code, pkce.verifier(), SERVICE_REDIRECT, 200)).containsKey("access_token");
    }

    @Test
    void pushedAuthorizationRequestWhenClientAuthenticationFailsThenInvalidClientAndNothingStored() throws Exception {
        Map<String, String> params = parParams(Pkce.create(), "par-auth");
        int before = countAuthorizations();
        Map<String, String[]> headers = new LinkedHashMap<>();
        headers.put("wrong secret", new String[] {"Authorization", HttpBrowser.basic(SERVICE, serviceSecret + "x")});
        headers.put("unknown client", new String[] {"Authorization", HttpBrowser.basic("no-such-client", "x")});
        headers.put("no authentication", new String[0]);
        for (Map.Entry<String, String[]> h : headers.entrySet()) {
            // The body's client_id names the Basic client: naming another is invalid_request (#13 item 15).
            Map<String, String> form = new LinkedHashMap<>(params);
            if (h.getKey().equals("unknown client")) {
                form.put("client_id", "no-such-client");
            }
            HttpResponse<String> r = browser.postForm("/oauth2/par", form, h.getValue());
            assertThat(r.statusCode()).as(h.getKey()).isEqualTo(401);
            assertThat(json(r, 401).get("error")).as(h.getKey()).isEqualTo("invalid_client");
        }
        // RFC 6749 §5.2: no client authentication at all is invalid_client too, with a challenge, also for an API
        // client that accepts anything (it was a 302 to the sign-in page).
        for (String endpoint : List.of("/oauth2/par", "/oauth2/token", "/oauth2/introspect", "/oauth2/revoke")) {
            HttpResponse<String> r = browser.postForm(endpoint, params, "Accept", "*/*");
            assertThat(r.statusCode()).as(endpoint).isEqualTo(401);
            assertThat(json(r, 401).get("error")).as(endpoint).isEqualTo("invalid_client");
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(endpoint).isPresent();
        }
        assertThat(countAuthorizations()).isEqualTo(before);
    }

    @Test
    void pushedAuthorizationRequestWhenRedirectUriUnregisteredThenInvalidRequest() throws Exception {
        int before = countAuthorizations();
        Map<String, Object> r = json(
                browser.postForm(
                        "/oauth2/par",
                        Map.of(
                                "response_type", "code",
                                "client_id", SERVICE,
                                "redirect_uri", "https://evil.example/cb",
                                "scope", "openid",
                                "code_challenge", Pkce.create().challenge(),
                                "code_challenge_method", "S256"),
                        "Authorization",
                        HttpBrowser.basic(SERVICE, serviceSecret)),
                400);
        assertThat(r.get("error")).isEqualTo("invalid_request");
        assertThat(countAuthorizations()).isEqualTo(before);
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void pushedAuthorizationRequestWhenRedirectUriMalformedOrPortOutOfRangeThenInvalidRequestNoServerError(
            CapturedOutput output) throws Exception {
        int before = countAuthorizations();
        List<String> uris = new java.util.ArrayList<>(malformedRedirectUris());
        uris.add("http://127.0.0.1:8081/login/oauth2/code/gatehouse?" + "a".repeat(30_000));
        for (String uri : uris) {
            Map<String, String> params = parParams(Pkce.create(), "par-bad-uri");
            params.put("redirect_uri", uri);
            HttpResponse<String> r =
                    browser.postForm("/oauth2/par", params, "Authorization", HttpBrowser.basic(SERVICE, serviceSecret));
            assertThat(json(r, 400).get("error")).as(uri).isEqualTo("invalid_request");
        }
        assertThat(countAuthorizations()).isEqualTo(before);
        assertThat(output.getAll()).doesNotContain("The port must be an integer", "IllegalStateException");
    }

    Map<String, String> parParams(Pkce pkce, String state) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("response_type", "code");
        params.put("client_id", SERVICE);
        params.put("redirect_uri", SERVICE_REDIRECT);
        params.put("scope", "openid api.read");
        params.put("state", state);
        params.put("code_challenge", pkce.challenge());
        params.put("code_challenge_method", "S256");
        return params;
    }

    /** Pushes an authorization request for the service client (RFC 9126 §2) and returns its request_uri. */
    String push(Pkce pkce, String state) throws Exception {
        Map<String, Object> pushed = json(
                browser.postForm(
                        "/oauth2/par",
                        parParams(pkce, state),
                        "Authorization",
                        HttpBrowser.basic(SERVICE, serviceSecret)),
                201);
        return (String) pushed.get("request_uri");
    }

    String parUrl(String clientId, String requestUri) {
        return base + "/oauth2/authorize?"
                + HttpBrowser.encode(Map.of("client_id", clientId, "request_uri", requestUri));
    }

    @Test
    void deviceFlowWhenUserApprovesThenTokens() throws Exception {
        String basic = HttpBrowser.basic(SERVICE, serviceSecret);
        Map<String, Object> device = json(
                browser.postForm("/oauth2/device_authorization", Map.of("scope", "api.read"), "Authorization", basic),
                200);
        String deviceCode = (String) device.get("device_code");
        String userCode = (String) device.get("user_code");
        assertThat(device.get("verification_uri")).isEqualTo(base + "/oauth2/device_verification");
        Map<String, String> poll =
                Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code", "device_code", deviceCode);
        assertThat(json(browser.postForm("/oauth2/token", poll, "Authorization", basic), 400)
                        .get("error"))
                .isEqualTo("authorization_pending");

        approveDevice(userCode);

        Map<String, Object> tokens = json(browser.postForm("/oauth2/token", poll, "Authorization", basic), 200);
        VerifiedToken at = coreVerifier().verify((String) tokens.get("access_token"));
        assertThat(at.subject()).contains("demo");
        assertThat(at.claim("roles")).contains(List.of("admin", "user"));
        // A device code is single-use: used again it is an invalid grant (RFC 6749 §5.2), not access_denied (RFC 8628
        // §3.5 keeps that for a user's refusal).
        assertThat(json(browser.postForm("/oauth2/token", poll, "Authorization", basic), 400)
                        .get("error"))
                .isEqualTo("invalid_grant");
    }

    /** The demo user signs in and approves {@code userCode} at the device verification endpoint (RFC 8628 §3.3). */
    void approveDevice(String userCode) {
        HttpBrowser user = new HttpBrowser(base);
        user.login("demo", demoPassword);
        // verification_uri_complete's form: the code in the query is filled in on the entry page, never submitted
        // by the link itself; the user's post (with the page's CSRF token) leads to Gatehouse's consent page.
        HttpResponse<String> link = user.get("/oauth2/device_verification?user_code=" + userCode);
        String entryUrl = link.headers().firstValue("Location").orElseThrow();
        assertThat(entryUrl).endsWith("/oauth2/device_verification?code=" + userCode);
        HttpResponse<String> entry = user.get(entryUrl);
        assertThat(entry.body()).contains("value=\"" + userCode + "\"");
        java.util.regex.Matcher entryCsrf = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"")
                .matcher(entry.body());
        assertThat(entryCsrf.find()).isTrue();
        HttpResponse<String> toConsent = user.postForm(
                "/oauth2/device_verification", Map.of("user_code", userCode, "_csrf", entryCsrf.group(1)));
        HttpResponse<String> consent =
                user.get(toConsent.headers().firstValue("Location").orElseThrow());
        assertThat(consent.body()).contains("id=\"user-code\">" + userCode + "<");
        Map<String, String> form = new LinkedHashMap<>();
        java.util.regex.Matcher hidden = java.util.regex.Pattern.compile(
                        "<input type=\"hidden\" name=\"([a-z_]+)\" value=\"([^\"]*)\">")
                .matcher(consent.body());
        while (hidden.find()) {
            form.put(hidden.group(1), hidden.group(2));
        }
        assertThat(form).containsEntry("user_code", userCode).containsKeys("client_id", "state");
        form.put("scope", "api.read");
        HttpResponse<String> verified = user.postForm("/oauth2/device_verification", form);
        assertThat(verified.statusCode()).as(verified.body()).isEqualTo(302);
        assertThat(verified.headers().firstValue("Location").orElseThrow()).endsWith("?outcome=success");
    }

    @Test
    void tokenExchangeWhenSubjectTokenValidThenNewTokenForSameUser() throws Exception {
        String subjectToken = (String) loginAndExchange().get("access_token");
        Map<String, Object> exchanged = json(
                browser.postForm(
                        "/oauth2/token",
                        Map.of(
                                "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                                "subject_token", subjectToken,
                                "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                                "scope", "api.read"),
                        "Authorization",
                        HttpBrowser.basic(SERVICE, serviceSecret)),
                200);
        assertThat(exchanged.get("issued_token_type")).isEqualTo("urn:ietf:params:oauth:token-type:access_token");
        VerifiedToken at = coreVerifier().verify((String) exchanged.get("access_token"));
        assertThat(at.subject()).contains("demo");
        assertThat(at.jti()).isNotEqualTo(coreVerifier().verify(subjectToken).jti());
    }

    @Test
    void tokenExchangeWhenSubjectTokenBelongsToAnotherClientThenInvalidRequest() throws Exception {
        // A token the SPA got for its user must not become a service token (with the service's broader scopes).
        Pkce pkce = Pkce.create();
        String code = authorize(SPA, SPA_REDIRECT, "openid", pkce, "spa-x");
        String spaToken = (String) json(
                        browser.postForm(
                                "/oauth2/token",
                                Map.of(
                                        "grant_type", "authorization_code",
                                        "client_id", SPA,
                                        "code", code,
                                        "redirect_uri", SPA_REDIRECT,
                                        "code_verifier", pkce.verifier())),
                        200)
                .get("access_token");

        Map<String, Object> r = json(
                browser.postForm(
                        "/oauth2/token",
                        Map.of(
                                "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                                "subject_token", spaToken,
                                "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                                "scope", "api.write"),
                        "Authorization",
                        HttpBrowser.basic(SERVICE, serviceSecret)),
                400);

        assertThat(r.get("error")).isEqualTo("invalid_request");
    }

    @Test
    void tokenExchangeWhenScopeWiderThanSubjectTokenOrMissingThenInvalidScope() throws Exception {
        String subjectToken = (String) loginAndExchange().get("access_token"); // openid api.read
        for (Map<String, String> extra : List.of(Map.of("scope", "api.write"), Map.<String, String>of())) {
            Map<String, String> form = new java.util.HashMap<>(Map.of(
                    "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                    "subject_token", subjectToken,
                    "subject_token_type", "urn:ietf:params:oauth:token-type:access_token"));
            form.putAll(extra);

            Map<String, Object> r = json(
                    browser.postForm("/oauth2/token", form, "Authorization", HttpBrowser.basic(SERVICE, serviceSecret)),
                    400);

            assertThat(r.get("error")).isEqualTo("invalid_scope");
        }
    }

    @Test
    void tokenExchangeWhenSubjectTokenUnknownForgedExpiredOrRevokedThenInvalidRequest() throws Exception {
        // RFC 8693 §2.2.2: an invalid subject token is invalid_request (Spring Authorization Server: invalid_grant).
        Map<String, String> subjects = new LinkedHashMap<>();
        subjects.put("unknown", "forged");
        subjects.put("forged JWT", forgedAccessToken());
        String expired = (String) loginAndExchange().get("access_token");
        assertThat(jdbc.update(
                        "UPDATE oauth2_authorization SET access_token_issued_at = ?, access_token_expires_at = ?"
                                + " WHERE access_token_value = ?",
                        Timestamp.from(Instant.now().minusSeconds(600)),
                        Timestamp.from(Instant.now().minusSeconds(300)),
                        expired))
                .isEqualTo(1);
        subjects.put("expired", expired);
        String revoked = (String) loginAndExchange().get("access_token");
        assertThat(browser.postForm(
                                "/oauth2/revoke",
                                Map.of("token", revoked, "token_type_hint", "access_token"),
                                "Authorization",
                                HttpBrowser.basic(SERVICE, serviceSecret))
                        .statusCode())
                .isEqualTo(200);
        subjects.put("revoked", revoked);
        for (Map.Entry<String, String> subject : subjects.entrySet()) {
            Map<String, Object> r = json(tokenExchange(subject.getValue(), Map.of()), 400);
            assertThat(r.get("error")).as(subject.getKey()).isEqualTo("invalid_request");
        }
    }

    @Test
    void tokenExchangeWhenActorTokenUnknownThenInvalidRequest() throws Exception {
        String subjectToken = (String) loginAndExchange().get("access_token");
        Map<String, Object> r = json(
                tokenExchange(
                        subjectToken,
                        Map.of(
                                "actor_token", "forged",
                                "actor_token_type", "urn:ietf:params:oauth:token-type:access_token")),
                400);
        assertThat(r.get("error")).isEqualTo("invalid_request");
    }

    HttpResponse<String> tokenExchange(String subjectToken, Map<String, String> extra) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
        form.put("subject_token", subjectToken);
        form.put("subject_token_type", "urn:ietf:params:oauth:token-type:access_token");
        form.put("scope", "api.read");
        form.putAll(extra);
        return browser.postForm("/oauth2/token", form, "Authorization", HttpBrowser.basic(SERVICE, serviceSecret));
    }

    /** A well-formed RFC 9068 token for demo, claiming the ring's active kid, signed by someone else's key. */
    String forgedAccessToken() throws Exception {
        com.nimbusds.jose.jwk.RSAKey attacker = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).generate();
        SignedJWT forged = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .type(new JOSEObjectType("at+jwt"))
                        .keyID(ring.activeKey().kid())
                        .build(),
                new JWTClaimsSet.Builder()
                        .issuer(base)
                        .subject("demo")
                        .audience(SERVICE)
                        .claim("client_id", SERVICE)
                        .claim("scope", "openid api.read")
                        .jwtID(UUID.randomUUID().toString())
                        .issueTime(new java.util.Date())
                        .expirationTime(new java.util.Date(System.currentTimeMillis() + 300_000))
                        .build());
        forged.sign(new com.nimbusds.jose.crypto.RSASSASigner(attacker));
        return forged.serialize();
    }

    @Test
    void dpopWhenProofPresentedThenSenderConstrainedToken() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        Map<String, Object> tokens =
                json(dpopClientCredentials(dpopProof(key, "POST", base + "/oauth2/token", null)), 200);
        assertThat(tokens.get("token_type")).isEqualTo("DPoP");
        Object cnf = coreVerifier()
                .verify((String) tokens.get("access_token"))
                .claim("cnf")
                .orElseThrow();
        assertThat(((Map<?, ?>) cnf).get("jkt"))
                .isEqualTo(key.computeThumbprint().toString());
    }

    @Test
    void dpopWhenProofForOtherMethodOrUriThenInvalidDpopProofAndNoToken() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        int before = countAuthorizations();
        // RFC 9449 §4.3 checks 8 and 9: htm and htu must match the request the proof is sent with.
        for (String[] wrong : List.of(
                new String[] {"GET", base + "/oauth2/token"},
                new String[] {"PUT", base + "/oauth2/token"},
                new String[] {"POST", base + "/oauth2/introspect"},
                new String[] {"POST", "https://evil.example/oauth2/token"})) {
            Map<String, Object> r = json(dpopClientCredentials(dpopProof(key, wrong[0], wrong[1], null)), 400);
            assertThat(r.get("error")).as(String.join(" ", wrong)).isEqualTo("invalid_dpop_proof");
        }
        assertThat(countAuthorizations()).isEqualTo(before);
    }

    @Test
    void dpopWhenProofReplayedThenInvalidDpopProof() throws Exception {
        // RFC 9449 §11.1: a proof is single-use. Spring Authorization Server 7.0.6 remembers proof jti values in
        // memory on each node, which refuses a replay to the same node; gh_used_jti refuses it on the others
        // (the tests below and PostgresDPoPAcrossNodesTests).
        String proof = dpopProof(new ECKeyGenerator(Curve.P_256).generate(), "POST", base + "/oauth2/token", null);
        assertThat(json(dpopClientCredentials(proof), 200).get("token_type")).isEqualTo("DPoP");
        assertThat(json(dpopClientCredentials(proof), 400).get("error")).isEqualTo("invalid_dpop_proof");
    }

    @Test
    void dpopWhenBoundTokenPresentedAsBearerAtUserInfoThenRefused() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid", pkce, "dpop-ui");
        Map<String, Object> tokens = json(
                browser.postForm(
                        "/oauth2/token",
                        Map.of(
                                "grant_type",
                                "authorization_code",
                                "code",
                                code,
                                "redirect_uri",
                                SERVICE_REDIRECT,
                                "code_verifier",
                                pkce.verifier()),
                        "Authorization",
                        HttpBrowser.basic(SERVICE, serviceSecret),
                        "DPoP",
                        dpopProof(key, "POST", base + "/oauth2/token", null)),
                200);
        assertThat(tokens.get("token_type")).isEqualTo("DPoP");
        String at = (String) tokens.get("access_token");
        // RFC 9449 §7.2: a DPoP-bound token presented as a bearer token (without the proof) is refused.
        HttpResponse<String> bearer = browser.getWithBearer("/userinfo", at);
        assertThat(bearer.statusCode()).as(bearer.body()).isEqualTo(401);
        assertThat(bearer.body()).doesNotContain("\"sub\"");
        // RFC 9449 §7.1: with the DPoP scheme and a proof by the bound key (ath = the token's hash) it is served.
        HttpResponse<String> bound = browser.getApi(
                "/userinfo", "Authorization", "DPoP " + at, "DPoP", dpopProof(key, "GET", base + "/userinfo", at));
        assertThat(json(bound, 200).get("sub")).isEqualTo("demo");
        // And a proof by any other key is not enough.
        HttpResponse<String> otherKey = browser.getApi(
                "/userinfo",
                "Authorization",
                "DPoP " + at,
                "DPoP",
                dpopProof(new ECKeyGenerator(Curve.P_256).generate(), "GET", base + "/userinfo", at));
        assertThat(otherKey.statusCode()).isEqualTo(401);
    }

    // A proof "used on another node": its jti is in gh_used_jti, but this node's own (Spring's) map has not seen it.

    @Test
    void dpopWhenProofUsedOnAnotherNodeThenClientCredentialsRefusedAndNothingIssued() throws Exception {
        String proof = dpopProof(new ECKeyGenerator(Curve.P_256).generate(), "POST", base + "/oauth2/token", null);
        usedOnAnotherNode(proof);
        int before = countAuthorizations();

        Map<String, Object> r = json(dpopClientCredentials(proof), 400);

        assertThat(r.get("error")).isEqualTo("invalid_dpop_proof");
        assertThat((String) r.get("error_description")).doesNotContain(jti(proof));
        assertThat(countAuthorizations()).isEqualTo(before);
    }

    @Test
    void dpopWhenProofUsedOnAnotherNodeThenCodeExchangeRefusedAndCodeUsableWithFreshProof() throws Exception {
        // As when Spring refuses a proof itself (wrong htu, replay to the same node), the code is not burned: the
        // replay is refused before the authorization is saved, and only a failed PKCE proof burns a code
        // (FailedProofInvalidatesCode). The client that holds the code and the verifier retries with a new proof.
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid", pkce, "dpop-replayed-code");
        String replayed = dpopProof(key, "POST", base + "/oauth2/token", null);
        usedOnAnotherNode(replayed);

        Map<String, Object> refused = json(dpopCodeExchange(code, pkce, replayed), 400);
        Map<String, Object> tokens =
                json(dpopCodeExchange(code, pkce, dpopProof(key, "POST", base + "/oauth2/token", null)), 200);

        assertThat(refused.get("error")).isEqualTo("invalid_dpop_proof");
        assertThat(tokens.get("token_type")).isEqualTo("DPoP");
    }

    @Test
    void dpopWhenProofUsedOnAnotherNodeThenRefreshRefusedAndRefreshTokenNotRotated() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid api.read", pkce, "dpop-replayed-refresh");
        String rt =
                (String) json(dpopCodeExchange(code, pkce, dpopProof(key, "POST", base + "/oauth2/token", null)), 200)
                        .get("refresh_token");
        String replayed = dpopProof(key, "POST", base + "/oauth2/token", null);
        usedOnAnotherNode(replayed);

        Map<String, Object> refused = json(dpopRefresh(rt, replayed), 400);

        assertThat(refused.get("error")).isEqualTo("invalid_dpop_proof");
        assertThat(storedRefreshTokens(rt)).isEqualTo(1);
        // Not rotated: the same refresh token still works once (a rotated-away one would be reuse, invalid_grant).
        Map<String, Object> rotated = json(dpopRefresh(rt, dpopProof(key, "POST", base + "/oauth2/token", null)), 200);
        assertThat(rotated.get("token_type")).isEqualTo("DPoP");
        assertThat(rotated.get("refresh_token")).isNotEqualTo(rt);
    }

    @Test
    void dpopWhenProofUsedOnAnotherNodeThenDeviceCodeRefusedAndDeviceCodeUsableWithFreshProof() throws Exception {
        String basic = HttpBrowser.basic(SERVICE, serviceSecret);
        Map<String, Object> device = json(
                browser.postForm("/oauth2/device_authorization", Map.of("scope", "api.read"), "Authorization", basic),
                200);
        // A consent saved by another device flow test would skip the consent page approveDevice walks; this
        // test's own would skip it for the others.
        forgetDemoConsentToService();
        try {
            approveDevice((String) device.get("user_code"));
        } finally {
            forgetDemoConsentToService();
        }
        Map<String, String> poll =
                Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code", "device_code", (String)
                        device.get("device_code"));
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        String replayed = dpopProof(key, "POST", base + "/oauth2/token", null);
        usedOnAnotherNode(replayed);

        Map<String, Object> refused =
                json(browser.postForm("/oauth2/token", poll, "Authorization", basic, "DPoP", replayed), 400);
        Map<String, Object> tokens = json(
                browser.postForm(
                        "/oauth2/token",
                        poll,
                        "Authorization",
                        basic,
                        "DPoP",
                        dpopProof(key, "POST", base + "/oauth2/token", null)),
                200);

        assertThat(refused.get("error")).isEqualTo("invalid_dpop_proof");
        assertThat(tokens.get("token_type")).isEqualTo("DPoP");
    }

    @Test
    void dpopWhenProofUsedOnAnotherNodeThenTokenExchangeRefused() throws Exception {
        String subjectToken = (String) loginAndExchange().get("access_token");
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        String replayed = dpopProof(key, "POST", base + "/oauth2/token", null);
        usedOnAnotherNode(replayed);

        Map<String, Object> refused = json(dpopTokenExchange(subjectToken, replayed), 400);
        Map<String, Object> exchanged =
                json(dpopTokenExchange(subjectToken, dpopProof(key, "POST", base + "/oauth2/token", null)), 200);

        assertThat(refused.get("error")).isEqualTo("invalid_dpop_proof");
        assertThat(exchanged.get("token_type")).isEqualTo("DPoP");
    }

    @Test
    void dpopWhenProofUsedOnAnotherNodeThenUserInfoRefusedWithDpopChallenge() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        Pkce pkce = Pkce.create();
        String code = authorize(SERVICE, SERVICE_REDIRECT, "openid", pkce, "dpop-replayed-userinfo");
        String at =
                (String) json(dpopCodeExchange(code, pkce, dpopProof(key, "POST", base + "/oauth2/token", null)), 200)
                        .get("access_token");
        String usedElsewhere = dpopProof(key, "GET", base + "/userinfo", at);
        usedOnAnotherNode(usedElsewhere);
        String fresh = dpopProof(key, "GET", base + "/userinfo", at);

        HttpResponse<String> refused = dpopUserInfo(at, usedElsewhere);
        HttpResponse<String> served = dpopUserInfo(at, fresh);
        HttpResponse<String> replayedHere = dpopUserInfo(at, fresh);

        // RFC 9449 §7.1, RFC 6750 §3: the same answer as Spring's for a replay to the same node.
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain("\"sub\"");
        assertThat(refused.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(c -> assertThat(c).startsWith("DPoP error=\"invalid_dpop_proof\""));
        assertThat(json(served, 200).get("sub")).isEqualTo("demo");
        assertThat(replayedHere.statusCode()).isEqualTo(401);
        assertThat(replayedHere.headers().firstValue("WWW-Authenticate"))
                .isEqualTo(refused.headers().firstValue("WWW-Authenticate"));
    }

    @Test
    void dpopWhenBearerOrNoTokenAtUserInfoThenNoProofClaimed() throws Exception {
        int before = countUsedProofIds();
        Map<String, Object> tokens = loginAndExchange();

        json(browser.getWithBearer("/userinfo", (String) tokens.get("access_token")), 200);
        browser.getApi("/userinfo");

        // Only the token endpoint's proofs count; a Bearer request carries none.
        assertThat(countUsedProofIds()).isEqualTo(before);
    }

    @Test
    void authorizationServerChainWhenBuiltThenProofReplayFilterRightAfterSpringsDpopAuthentication() {
        List<Class<?>> filters = context
                .getBean("authorizationServerChain", org.springframework.security.web.SecurityFilterChain.class)
                .getFilters()
                .stream()
                .<Class<?>>map(Object::getClass)
                .toList();

        int dpopAuthentication =
                filters.indexOf(org.springframework.security.web.authentication.AuthenticationFilter.class);
        int replay = filters.indexOf(dev.gatehouse.server.tokens.ProofReplayFilter.class);
        assertThat(dpopAuthentication).isNotNegative();
        assertThat(filters.lastIndexOf(org.springframework.security.web.authentication.AuthenticationFilter.class))
                .as("one AuthenticationFilter, Spring's DPoP one")
                .isEqualTo(dpopAuthentication);
        assertThat(replay).isEqualTo(dpopAuthentication + 1);
        assertThat(replay)
                .isLessThan(
                        filters.indexOf(org.springframework.security.web.access.intercept.AuthorizationFilter.class))
                .isLessThan(filters.indexOf(
                        org.springframework.security.oauth2.server.authorization.oidc.web.OidcUserInfoEndpointFilter
                                .class));
    }

    @Test
    void purgeWhenUsedProofIdsExpiredThenDeleted() {
        jdbc.update(
                "INSERT INTO gh_used_jti (jti_hash, expires_at) VALUES (?, ?)",
                "expired-row-of-the-purge-test-0000000000000",
                Timestamp.from(Instant.now().minusSeconds(1)));
        jdbc.update(
                "INSERT INTO gh_used_jti (jti_hash, expires_at) VALUES (?, ?)",
                "current-row-of-the-purge-test-0000000000000",
                Timestamp.from(Instant.now().plusSeconds(3600)));

        purger.purge();

        assertThat(jdbc.queryForList(
                        "SELECT jti_hash FROM gh_used_jti WHERE jti_hash LIKE '%-purge-test-%'", String.class))
                .map(String::strip)
                .containsExactly("current-row-of-the-purge-test-0000000000000");
    }

    void forgetDemoConsentToService() {
        jdbc.update(
                "DELETE FROM oauth2_authorization_consent WHERE registered_client_id = ? AND principal_name = ?",
                clients.findByClientId(SERVICE).getId(),
                "demo");
    }

    /** What another node sharing the database did when it accepted {@code proof}. */
    void usedOnAnotherNode(String proof) throws Exception {
        assertThat(usedProofIds.claim(jti(proof), Instant.now())).isInstanceOf(UsedProofIds.Claim.First.class);
    }

    static String jti(String proof) throws java.text.ParseException {
        return SignedJWT.parse(proof).getJWTClaimsSet().getJWTID();
    }

    int countUsedProofIds() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM gh_used_jti", Integer.class);
    }

    int storedRefreshTokens(String refreshToken) {
        return jdbc.queryForObject(
                "SELECT COUNT(*) FROM oauth2_authorization WHERE refresh_token_value = ?", Integer.class, refreshToken);
    }

    HttpResponse<String> dpopCodeExchange(String code, Pkce pkce, String proof) {
        return browser.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type",
                        "authorization_code",
                        "code",
                        code,
                        "redirect_uri",
                        SERVICE_REDIRECT,
                        "code_verifier",
                        pkce.verifier()),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret),
                "DPoP",
                proof);
    }

    HttpResponse<String> dpopRefresh(String refreshToken, String proof) {
        return browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "refresh_token", "refresh_token", refreshToken),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret),
                "DPoP",
                proof);
    }

    HttpResponse<String> dpopTokenExchange(String subjectToken, String proof) {
        return browser.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                        "subject_token", subjectToken,
                        "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                        "scope", "api.read"),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret),
                "DPoP",
                proof);
    }

    HttpResponse<String> dpopUserInfo(String accessToken, String proof) {
        return browser.getApi("/userinfo", "Authorization", "DPoP " + accessToken, "DPoP", proof);
    }

    HttpResponse<String> dpopClientCredentials(String proof) {
        return browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", "api.read"),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret),
                "DPoP",
                proof);
    }

    /** A DPoP proof (RFC 9449 §4.2) by {@code key}; {@code ath} is the bound access token, if any. */
    static String dpopProof(ECKey key, String htm, String htu, String accessToken) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .jwtID(UUID.randomUUID().toString())
                .claim("htm", htm)
                .claim("htu", htu)
                .issueTime(new java.util.Date());
        if (accessToken != null) {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
            claims.claim("ath", Base64.getUrlEncoder().withoutPadding().encodeToString(hash));
        }
        SignedJWT proof = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .type(new JOSEObjectType("dpop+jwt"))
                        .jwk(key.toPublicJWK())
                        .build(),
                claims.build());
        proof.sign(new ECDSASigner(key));
        return proof.serialize();
    }

    int countAuthorizations() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM oauth2_authorization", Integer.class);
    }

    @Test
    void dpopWhenProofMalformedThenInvalidDpopProof() throws Exception {
        Map<String, Object> r = json(
                browser.postForm(
                        "/oauth2/token",
                        Map.of("grant_type", "client_credentials"),
                        "Authorization",
                        HttpBrowser.basic(SERVICE, serviceSecret),
                        "DPoP",
                        "not.a.proof"),
                400);
        assertThat(r.get("error")).isEqualTo("invalid_dpop_proof");
    }

    // ---------------------------------------------------------------- key ring on the shared database

    @Test
    void keyRingWhenTwoNodesRotateAtOnceThenOneRotationAndOneActiveKey() throws Exception {
        Clock later = Clock.fixed(Instant.now().plus(java.time.Duration.ofDays(100)), java.time.ZoneOffset.UTC);
        KeyRing nodeA = KeyRing.builder()
                .repository(new JdbcKeyRepository(jdbc, tx))
                .envelope(envelope)
                .clock(later)
                .build();
        KeyRing nodeB = KeyRing.builder()
                .repository(new JdbcKeyRepository(jdbc, tx))
                .envelope(envelope)
                .clock(later)
                .build();
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Future<Boolean> a = pool.submit(() -> {
                start.await();
                return nodeA.rotateIfDue();
            });
            java.util.concurrent.Future<Boolean> b = pool.submit(() -> {
                start.await();
                return nodeB.rotateIfDue();
            });
            assertThat(List.of(a.get(), b.get())).containsExactlyInAnyOrder(true, false);
        } finally {
            pool.shutdownNow();
            ring.refresh();
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_signing_key WHERE state = 'ACTIVE'", Integer.class))
                .isEqualTo(1);
        nodeA.refresh();
        nodeB.refresh();
        assertThat(nodeA.activeKey().kid())
                .isEqualTo(nodeB.activeKey().kid())
                .isEqualTo(ring.activeKey().kid());
    }

    @Test
    void keyRepositoryWhenVersionStaleThenReplaceRefused() {
        JdbcKeyRepository repository = new JdbcKeyRepository(jdbc, tx);
        KeyRepository.Snapshot snapshot = repository.load();
        assertThat(repository.replace(snapshot.version() - 1, snapshot.keys())).isFalse();
        assertThat(repository.load().version()).isEqualTo(snapshot.version());
    }

    // ---------------------------------------------------------------- resource indicators (RFC 8707)

    static final String RESOURCE_A = "https://a.resources.example/api";
    static final String RESOURCE_B = "https://b.resources.example/api?v=2";
    static final String RESOURCE_C = "http://127.0.0.1:8443/c";

    @Test
    void demoClientWhenResourceRequestedThenAccessTokenAudienceIsTheResourceServerExample() throws Exception {
        HttpResponse<String> r = resourceToken(
                SERVICE,
                serviceSecret,
                "grant_type",
                "client_credentials",
                "scope",
                "api.read",
                "resource",
                "http://localhost:8082");
        assertThat(audience(json(r, 200), "access_token")).containsExactly("http://localhost:8082");
    }

    @Test
    void authorizeWhenResourceUnknownForeignFragmentOrRelativeThenInvalidTargetAtRedirectUriAndNothingStored()
            throws Exception {
        String other = "other-" + UUID.randomUUID();
        clients.save(resourceClient(other, "https://foreign.resources.example/api"));
        String id = "ri-" + UUID.randomUUID();
        clients.save(resourceClient(id, RESOURCE_A, RESOURCE_B));
        for (String resource : List.of(
                "https://unknown.resources.example/api",
                "https://foreign.resources.example/api",
                RESOURCE_A + "#fragment",
                "/api")) {
            int before = countAuthorizations();
            Map<String, String> error =
                    authorizeRefused(authorizeUrl(id, SERVICE_REDIRECT, "openid api.read", Pkce.create(), "S256", "st")
                            + "&resource=" + HttpBrowser.urlEncode(RESOURCE_A)
                            + "&resource=" + HttpBrowser.urlEncode(resource));
            assertThat(error)
                    .as(resource)
                    .containsEntry("error", "invalid_target")
                    .containsEntry("iss", base);
            assertThat(error.getOrDefault("error_description", "")).doesNotContain(resource);
            assertThat(countAuthorizations()).as(resource).isEqualTo(before);
        }
    }

    @Test
    void codeExchangeWhenRepeatedResourcesGrantedThenAudienceIsExactlyThemAndIdTokenKeepsClientId() throws Exception {
        String id = "ri-" + UUID.randomUUID();
        clients.save(resourceClient(id, RESOURCE_A, RESOURCE_B, RESOURCE_C));
        Pkce pkce = Pkce.create();
        String code = authorizeWithResources(id, pkce, RESOURCE_A, RESOURCE_B);
        Map<String, Object> tokens = json(codeExchange(id, code, pkce), 200);
        assertThat(audience(tokens, "access_token")).containsExactly(RESOURCE_A, RESOURCE_B);
        assertThat(audience(tokens, "id_token")).containsExactly(id);
        // RFC 7662: the token's client still introspects it; a client merely allowed the same resources does not.
        Map<String, Object> own = introspectAs(id, secretOf(id), (String) tokens.get("access_token"));
        assertThat(own.get("active")).isEqualTo(true);
        assertThat(own.get("aud")).isEqualTo(List.of(RESOURCE_A, RESOURCE_B));
        String stranger = "ri-" + UUID.randomUUID();
        clients.save(resourceClient(stranger, RESOURCE_A, RESOURCE_B));
        assertThat(introspectAs(stranger, secretOf(stranger), (String) tokens.get("access_token")))
                .isEqualTo(Map.of("active", false));
    }

    @Test
    void codeExchangeWhenResourceNotGrantedThenInvalidTargetAndCodeStillRedeemableForGrantedSubset() throws Exception {
        String id = "ri-" + UUID.randomUUID();
        clients.save(resourceClient(id, RESOURCE_A, RESOURCE_B, RESOURCE_C));
        Pkce pkce = Pkce.create();
        String code = authorizeWithResources(id, pkce, RESOURCE_A, RESOURCE_B);
        int before = countAuthorizations();
        // RESOURCE_C is in the allow-list but was not granted at the authorization endpoint.
        HttpResponse<String> refused = codeExchange(id, code, pkce, RESOURCE_A, RESOURCE_C);
        assertThat(json(refused, 400).get("error")).isEqualTo("invalid_target");
        assertThat(refused.body()).doesNotContain(RESOURCE_C);
        assertThat(countAuthorizations()).isEqualTo(before);
        // Refused before anything was saved (RFC 6749 §5.2 does not void the grant): the code still works, narrowed.
        Map<String, Object> tokens = json(codeExchange(id, code, pkce, RESOURCE_B), 200);
        assertThat(audience(tokens, "access_token")).containsExactly(RESOURCE_B);
    }

    @Test
    void refreshWhenResourceNarrowedThenAudienceNarrowedAndWhenWidenedThenInvalidTarget() throws Exception {
        String id = "ri-" + UUID.randomUUID();
        clients.save(resourceClient(id, RESOURCE_A, RESOURCE_B, RESOURCE_C));
        Pkce pkce = Pkce.create();
        String code = authorizeWithResources(id, pkce, RESOURCE_A, RESOURCE_B);
        Map<String, Object> tokens = json(codeExchange(id, code, pkce, RESOURCE_A), 200);
        assertThat(audience(tokens, "access_token")).containsExactly(RESOURCE_A);
        String refreshToken = (String) tokens.get("refresh_token");

        // A subset of the original grant, also one the code exchange did not name (RFC 8707 §2.2).
        Map<String, Object> narrowed = json(
                resourceToken(
                        id,
                        secretOf(id),
                        "grant_type",
                        "refresh_token",
                        "refresh_token",
                        refreshToken,
                        "resource",
                        RESOURCE_B),
                200);
        assertThat(audience(narrowed, "access_token")).containsExactly(RESOURCE_B);
        refreshToken = (String) narrowed.get("refresh_token");

        // Widening: in the allow-list but never granted. Refused, and the refresh token is not rotated.
        HttpResponse<String> widened = resourceToken(
                id, secretOf(id), "grant_type", "refresh_token", "refresh_token", refreshToken, "resource", RESOURCE_C);
        assertThat(json(widened, 400).get("error")).isEqualTo("invalid_target");
        HttpResponse<String> foreign = resourceToken(
                id,
                secretOf(id),
                "grant_type",
                "refresh_token",
                "refresh_token",
                refreshToken,
                "resource",
                "https://unknown.resources.example/api");
        assertThat(json(foreign, 400).get("error")).isEqualTo("invalid_target");

        // No resource: every granted resource again.
        Map<String, Object> all = json(
                resourceToken(id, secretOf(id), "grant_type", "refresh_token", "refresh_token", refreshToken), 200);
        assertThat(audience(all, "access_token")).containsExactly(RESOURCE_A, RESOURCE_B);
    }

    @Test
    void refreshWhenNoResourceGrantedThenResourceIsInvalidTargetAndWithoutResourceAudienceIsClientId()
            throws Exception {
        String id = "ri-" + UUID.randomUUID();
        clients.save(resourceClient(id, RESOURCE_A));
        Pkce pkce = Pkce.create();
        String code = authorizeWithResources(id, pkce);
        // Nothing granted at the authorization endpoint: nothing can be asked for at the token endpoint.
        assertThat(json(codeExchange(id, code, pkce, RESOURCE_A), 400).get("error"))
                .isEqualTo("invalid_target");
        Map<String, Object> tokens = json(codeExchange(id, code, pkce), 200);
        assertThat(audience(tokens, "access_token")).containsExactly(id);
        String refreshToken = (String) tokens.get("refresh_token");
        assertThat(json(
                                resourceToken(
                                        id,
                                        secretOf(id),
                                        "grant_type",
                                        "refresh_token",
                                        "refresh_token",
                                        refreshToken,
                                        "resource",
                                        RESOURCE_A),
                                400)
                        .get("error"))
                .isEqualTo("invalid_target");
    }

    @Test
    void clientCredentialsWhenResourcesAllowedThenAudienceIsThemOtherwiseInvalidTarget() throws Exception {
        String id = "ri-" + UUID.randomUUID();
        clients.save(resourceClient(id, RESOURCE_A, RESOURCE_B));
        String other = "other-" + UUID.randomUUID();
        clients.save(resourceClient(other, RESOURCE_C));
        assertThat(audience(
                        json(
                                resourceToken(
                                        id,
                                        secretOf(id),
                                        "grant_type",
                                        "client_credentials",
                                        "resource",
                                        RESOURCE_A,
                                        "resource",
                                        RESOURCE_B),
                                200),
                        "access_token"))
                .containsExactly(RESOURCE_A, RESOURCE_B);
        assertThat(audience(
                        json(resourceToken(id, secretOf(id), "grant_type", "client_credentials"), 200), "access_token"))
                .containsExactly(id);
        for (String resource : List.of(RESOURCE_C, RESOURCE_A + "#f", "api", "urn:x:" + "a".repeat(3000))) {
            HttpResponse<String> r =
                    resourceToken(id, secretOf(id), "grant_type", "client_credentials", "resource", resource);
            assertThat(json(r, 400).get("error")).as(resource).isEqualTo("invalid_target");
            assertThat(r.body()).as(resource).doesNotContain(resource);
        }
    }

    @Test
    void parWhenResourceRefusedThenInvalidTargetAndWhenAllowedThenAudienceAfterAuthorization() throws Exception {
        String id = "ri-" + UUID.randomUUID();
        clients.save(resourceClient(id, RESOURCE_A, RESOURCE_B));
        Pkce pkce = Pkce.create();
        Map<String, String> params = new LinkedHashMap<>(parParams(pkce, "par-ri"));
        params.put("client_id", id);
        int before = countAuthorizations();
        for (String resource : List.of("https://unknown.resources.example/api", RESOURCE_A + "#f", "/relative")) {
            HttpResponse<String> refused = browser.postRaw(
                    "/oauth2/par",
                    HttpBrowser.encode(params) + "&resource=" + HttpBrowser.urlEncode(resource),
                    "Authorization",
                    HttpBrowser.basic(id, secretOf(id)));
            assertThat(json(refused, 400).get("error")).as(resource).isEqualTo("invalid_target");
            assertThat(refused.body()).as(resource).doesNotContain(resource);
        }
        assertThat(countAuthorizations()).isEqualTo(before);
        Map<String, Object> pushed = json(
                browser.postRaw(
                        "/oauth2/par",
                        HttpBrowser.encode(params) + "&resource=" + HttpBrowser.urlEncode(RESOURCE_A) + "&resource="
                                + HttpBrowser.urlEncode(RESOURCE_B),
                        "Authorization",
                        HttpBrowser.basic(id, secretOf(id))),
                201);
        browser = new HttpBrowser(base);
        String code = authorizeAt(parUrl(id, (String) pushed.get("request_uri")), SERVICE_REDIRECT, "par-ri");
        assertThat(audience(json(codeExchange(id, code, pkce), 200), "access_token"))
                .containsExactly(RESOURCE_A, RESOURCE_B);
    }

    @Test
    void tokenExchangeWhenResourceWidensBeyondSubjectOrAllowListThenInvalidTarget() throws Exception {
        String id = "ri-" + UUID.randomUUID();
        clients.save(resourceClient(id, RESOURCE_A, RESOURCE_B));
        Pkce pkce = Pkce.create();
        String subject = (String) json(codeExchange(id, authorizeWithResources(id, pkce, RESOURCE_A), pkce), 200)
                .get("access_token");
        // Not in the allow-list, or in it but beyond the subject token's resources: refused.
        for (String resource : List.of("https://unknown.resources.example/api", RESOURCE_B)) {
            HttpResponse<String> r = resourceToken(
                    id,
                    secretOf(id),
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:token-exchange",
                    "subject_token",
                    subject,
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:access_token",
                    "scope",
                    "api.read",
                    "resource",
                    resource);
            assertThat(json(r, 400).get("error")).as(resource).isEqualTo("invalid_target");
        }
        Map<String, Object> exchanged = json(
                resourceToken(
                        id,
                        secretOf(id),
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:token-exchange",
                        "subject_token",
                        subject,
                        "subject_token_type",
                        "urn:ietf:params:oauth:token-type:access_token",
                        "scope",
                        "api.read",
                        "resource",
                        RESOURCE_A),
                200);
        assertThat(audience(exchanged, "access_token")).containsExactly(RESOURCE_A);
    }

    @Test
    void userInfoWhenTokenIssuedForAnotherResourceThenInvalidTokenAndWhenForIssuerOrNoResourceThenServed()
            throws Exception {
        String outside = "http://localhost:8082";
        String id = "ri-" + UUID.randomUUID();
        clients.save(resourceClient(id, outside, base));
        Pkce pkce = Pkce.create();
        String code = authorizeWithResources(id, pkce, outside, base);
        Map<String, Object> tokens = json(codeExchange(id, code, pkce, outside), 200);
        String foreign = (String) tokens.get("access_token");
        assertThat(audience(tokens, "access_token")).containsExactly(outside);
        // RFC 8707 §2, RFC 9068 §4: minted for the resource server at :8082, not for this server's UserInfo.
        HttpResponse<String> refused = browser.getWithBearer("/userinfo", foreign);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer error=\"invalid_token\""));
        assertThat(refused.body()).doesNotContain("\"sub\"").doesNotContain(foreign);

        // Narrowed by refresh to the issuer itself: meant for this server.
        Map<String, Object> own = json(
                resourceToken(
                        id,
                        secretOf(id),
                        "grant_type",
                        "refresh_token",
                        "refresh_token",
                        (String) tokens.get("refresh_token"),
                        "resource",
                        base),
                200);
        assertThat(audience(own, "access_token")).containsExactly(base);
        assertThat(json(browser.getWithBearer("/userinfo", (String) own.get("access_token")), 200))
                .containsKey("sub");

        // Without resource indicators (aud = client_id, as always): served.
        Pkce plain = Pkce.create();
        Map<String, Object> ordinary = json(codeExchange(id, authorizeWithResources(id, plain), plain), 200);
        assertThat(audience(ordinary, "access_token")).containsExactly(id);
        assertThat(json(browser.getWithBearer("/userinfo", (String) ordinary.get("access_token")), 200))
                .containsKey("sub");
    }

    @Test
    void authorizeAndParWhenSingleValuedParameterRepeatedThenInvalidRequestAndResourceMayRepeat() throws Exception {
        // RFC 6749 §3.1. Passed on by Spring Authorization Server: refused at the client's redirect URI, nothing stored
        // (a repeated nonce used to be stored as a list and fail the code exchange with a server error).
        for (String extra : List.of("&nonce=second", "&login_hint=a&login_hint=b")) {
            int before = countAuthorizations();
            Map<String, String> error = authorizeRefused(
                    authorizeUrl(SERVICE, SERVICE_REDIRECT, "openid api.read", Pkce.create(), "S256", "rep") + extra);
            assertThat(error).as(extra).containsEntry("error", "invalid_request");
            assertThat(countAuthorizations()).as(extra).isEqualTo(before);
        }
        // Read by Spring Authorization Server itself: refused before the redirect URI is trusted, so not redirected.
        for (String extra :
                List.of("&state=other", "&scope=openid", "&redirect_uri=" + HttpBrowser.urlEncode(SERVICE_REDIRECT))) {
            HttpResponse<String> r = new HttpBrowser(base)
                    .get(authorizeUrl(SERVICE, SERVICE_REDIRECT, "openid api.read", Pkce.create(), "S256", "rep")
                            + extra);
            assertThat(r.statusCode()).as(extra).isEqualTo(400);
            assertThat(r.headers().firstValue("Location")).as(extra).isEmpty();
        }
        String parForm = HttpBrowser.encode(parParams(Pkce.create(), "rep"));
        for (String extra : List.of(
                "&nonce=a&nonce=b",
                "&state=other",
                "&scope=openid",
                "&redirect_uri=" + HttpBrowser.urlEncode(SERVICE_REDIRECT))) {
            HttpResponse<String> r = browser.postRaw(
                    "/oauth2/par", parForm + extra, "Authorization", HttpBrowser.basic(SERVICE, serviceSecret));
            assertThat(json(r, 400).get("error")).as(extra).isEqualTo("invalid_request");
        }

        // resource may repeat (RFC 8707 §2), at the authorization endpoint and at PAR.
        String id = "ri-" + UUID.randomUUID();
        clients.save(resourceClient(id, RESOURCE_A, RESOURCE_B));
        Pkce pkce = Pkce.create();
        assertThat(audience(
                        json(codeExchange(id, authorizeWithResources(id, pkce, RESOURCE_A, RESOURCE_B), pkce), 200),
                        "access_token"))
                .containsExactly(RESOURCE_A, RESOURCE_B);
        Map<String, String> params = new LinkedHashMap<>(parParams(Pkce.create(), "rep"));
        params.put("client_id", id);
        HttpResponse<String> pushed = browser.postRaw(
                "/oauth2/par",
                HttpBrowser.encode(params) + "&resource=" + HttpBrowser.urlEncode(RESOURCE_A) + "&resource="
                        + HttpBrowser.urlEncode(RESOURCE_B),
                "Authorization",
                HttpBrowser.basic(id, secretOf(id)));
        assertThat(json(pushed, 201)).containsKey("request_uri");
    }

    /** Each client's own secret (the stored HMAC of a secret must be unique). */
    static String secretOf(String clientId) {
        return "secret-of-" + clientId;
    }

    /** A confidential client for the resource-indicator tests, allowed the given resources. */
    RegisteredClient resourceClient(String clientId, String... resources) {
        return RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(clientId)
                .clientSecret(clientSecrets.encoder().encode(secretOf(clientId)))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .authorizationGrantType(AuthorizationGrantType.TOKEN_EXCHANGE)
                .redirectUri(SERVICE_REDIRECT)
                .scope("openid")
                .scope("api.read")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(false)
                        .setting(
                                dev.gatehouse.server.tokens.ResourceIndicators.RESOURCES_SETTING,
                                new java.util.ArrayList<>(List.of(resources)))
                        .build())
                .tokenSettings(org.springframework.security.oauth2.server.authorization.settings.TokenSettings.builder()
                        .accessTokenFormat(
                                org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat
                                        .SELF_CONTAINED)
                        .reuseRefreshTokens(false)
                        .build())
                .build();
    }

    /** Signs in (fresh browser) through an authorization request with the given resources; returns the code. */
    String authorizeWithResources(String clientId, Pkce pkce, String... resources) {
        browser = new HttpBrowser(base);
        StringBuilder url = new StringBuilder(
                authorizeUrl(clientId, SERVICE_REDIRECT, "openid api.read", pkce, "S256", "ri-state"));
        for (String r : resources) {
            url.append("&resource=").append(HttpBrowser.urlEncode(r));
        }
        return authorizeAt(url.toString(), SERVICE_REDIRECT, "ri-state");
    }

    /**
     * An authorization request expected to fail (fresh browser): refused before the sign-in (Spring Authorization
     * Server runs its validators before it asks for a user) or after it; returns the error redirect's query.
     */
    Map<String, String> authorizeRefused(String url) {
        browser = new HttpBrowser(base);
        HttpResponse<String> r = browser.get(url);
        assertThat(r.statusCode()).isEqualTo(302);
        String location = r.headers().firstValue("Location").orElseThrow();
        if (location.endsWith("/login")) {
            HttpResponse<String> login = browser.login("demo", demoPassword);
            HttpResponse<String> back =
                    browser.get(login.headers().firstValue("Location").orElseThrow());
            assertThat(back.statusCode()).isEqualTo(302);
            location = back.headers().firstValue("Location").orElseThrow();
        }
        assertThat(location).startsWith(SERVICE_REDIRECT + "?");
        return HttpBrowser.query(location);
    }

    HttpResponse<String> codeExchange(String clientId, String code, Pkce pkce, String... resources) {
        List<String> form = new java.util.ArrayList<>(List.of(
                "grant_type",
                "authorization_code",
                "code",
                code,
                "redirect_uri",
                SERVICE_REDIRECT,
                "code_verifier",
                pkce.verifier()));
        for (String r : resources) {
            form.add("resource");
            form.add(r);
        }
        return resourceToken(clientId, secretOf(clientId), form.toArray(String[]::new));
    }

    /** A token request with the given name/value pairs (names may repeat), by HTTP Basic. */
    HttpResponse<String> resourceToken(String clientId, String secret, String... pairs) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            body.append(body.length() == 0 ? "" : "&")
                    .append(HttpBrowser.urlEncode(pairs[i]))
                    .append('=')
                    .append(HttpBrowser.urlEncode(pairs[i + 1]));
        }
        return browser.postRaw("/oauth2/token", body.toString(), "Authorization", HttpBrowser.basic(clientId, secret));
    }

    static List<String> audience(Map<String, Object> tokens, String name) throws java.text.ParseException {
        return SignedJWT.parse((String) tokens.get(name)).getJWTClaimsSet().getAudience();
    }

    // ---------------------------------------------------------------- FAPI 2.0 Security Profile (per client)

    @Test
    void fapi2WhenPushedRequestAndDpopThenCodeNamesIssuerAndTokensAreDpopBound() throws Exception {
        PrivateKeyJwtClient fapi = fapi2Client();
        String id = fapi.clientId();
        Pkce pkce = Pkce.create();
        String requestUri = fapi2Push(fapi, fapi2Par(id, pkce, "fapi-ok"));
        browser = new HttpBrowser(base);
        assertThat(browser.get(parUrl(id, requestUri))
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .endsWith("/login");
        HttpResponse<String> login = browser.login("demo", demoPassword);
        HttpResponse<String> back =
                browser.get(login.headers().firstValue("Location").orElseThrow());
        // RFC 9207 §2 (FAPI 2.0 §5.3.2.2): the response names the issuer.
        Map<String, String> response =
                HttpBrowser.query(back.headers().firstValue("Location").orElseThrow());
        assertThat(response)
                .containsEntry("state", "fapi-ok")
                .containsEntry("iss", base)
                .containsKey("code");
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        Map<String, Object> tokens = json(
                fapi2Token(
                        fapi,
                        fapi2CodeForm(response.get("code"), pkce),
                        dpopProof(key, "POST", base + "/oauth2/token", null)),
                200);
        assertThat(tokens.get("token_type")).isEqualTo("DPoP");
        Map<String, Object> refreshed = json(
                fapi2Token(
                        fapi,
                        Map.of("grant_type", "refresh_token", "refresh_token", (String) tokens.get("refresh_token")),
                        dpopProof(key, "POST", base + "/oauth2/token", null)),
                200);
        assertThat(refreshed.get("token_type")).isEqualTo("DPoP");
    }

    @Test
    void fapi2WhenAuthorizationRequestNotPushedThenInvalidRequestAtRedirectUriAndNothingStored() {
        String id = fapi2Client().clientId();
        int before = countAuthorizations();
        HttpResponse<String> front = new HttpBrowser(base)
                .get(authorizeUrl(id, SERVICE_REDIRECT, "openid api.read", Pkce.create(), "S256", "fapi-front"));
        String location = front.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(SERVICE_REDIRECT + "?");
        assertThat(HttpBrowser.query(location))
                .containsEntry("error", "invalid_request")
                .containsEntry("state", "fapi-front")
                .containsEntry("iss", base)
                .doesNotContainKey("code");
        // Signed in, the same: no code from a front-channel request.
        browser = new HttpBrowser(base);
        browser.login("demo", demoPassword);
        HttpResponse<String> signedIn = browser.get(
                authorizeUrl(id, SERVICE_REDIRECT, "openid api.read", Pkce.create(), "S256", "fapi-front-2"));
        assertThat(HttpBrowser.query(signedIn.headers().firstValue("Location").orElseThrow()))
                .containsEntry("error", "invalid_request")
                .doesNotContainKey("code");
        // An unregistered redirect URI: never redirected to (RFC 6749 §4.1.2.1), the error page instead.
        HttpResponse<String> foreign = new HttpBrowser(base)
                .get(authorizeUrl(id, "https://attacker.example/cb", "openid", Pkce.create(), "S256", "fapi-foreign"));
        assertThat(foreign.statusCode()).isEqualTo(400);
        assertThat(foreign.headers().firstValue("Location")).isEmpty();
        assertThat(countAuthorizations()).isEqualTo(before);
    }

    @Test
    void fapi2WhenPushedRequestLacksS256ChallengeOrRedirectUriThenInvalidRequestAndNothingStored() throws Exception {
        PrivateKeyJwtClient fapi = fapi2Client();
        String id = fapi.clientId();
        int before = countAuthorizations();
        Map<String, String> noChallenge = fapi2Par(id, Pkce.create(), "fapi-no-pkce");
        noChallenge.remove("code_challenge");
        noChallenge.remove("code_challenge_method");
        Map<String, String> plain = fapi2Par(id, Pkce.create(), "fapi-plain");
        plain.put("code_challenge_method", "plain");
        Map<String, String> noRedirect = fapi2Par(id, Pkce.create(), "fapi-no-redirect");
        noRedirect.remove("redirect_uri");
        for (Map<String, String> form : List.of(noChallenge, plain, noRedirect)) {
            Map<String, Object> r = json(browser.postForm("/oauth2/par", fapi.authenticated(form, base)), 400);
            assertThat(r.get("error")).as(form.toString()).isEqualTo("invalid_request");
        }
        assertThat(countAuthorizations()).isEqualTo(before);
    }

    @Test
    void fapi2WhenTokenRequestWithoutDpopThenInvalidDpopProofAndCodeAndRefreshTokenStayUsable() throws Exception {
        PrivateKeyJwtClient fapi = fapi2Client();
        String id = fapi.clientId();
        Pkce pkce = Pkce.create();
        String requestUri = fapi2Push(fapi, fapi2Par(id, pkce, "fapi-nodpop"));
        browser = new HttpBrowser(base);
        String code = authorizeAt(parUrl(id, requestUri), SERVICE_REDIRECT, "fapi-nodpop");
        Map<String, Object> refused = json(fapi2Token(fapi, fapi2CodeForm(code, pkce), null), 400);
        assertThat(refused.get("error")).isEqualTo("invalid_dpop_proof");
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        Map<String, Object> tokens = json(
                fapi2Token(fapi, fapi2CodeForm(code, pkce), dpopProof(key, "POST", base + "/oauth2/token", null)), 200);
        String refreshToken = (String) tokens.get("refresh_token");
        Map<String, String> refresh = Map.of("grant_type", "refresh_token", "refresh_token", refreshToken);
        assertThat(json(fapi2Token(fapi, refresh, null), 400).get("error")).isEqualTo("invalid_dpop_proof");
        assertThat(storedRefreshTokens(refreshToken)).isEqualTo(1);
        assertThat(json(fapi2Token(fapi, refresh, dpopProof(key, "POST", base + "/oauth2/token", null)), 200)
                        .get("token_type"))
                .isEqualTo("DPoP");
        // Client credentials too (FAPI 2.0 §5.3.2.1: only sender-constrained access tokens).
        Map<String, String> cc = Map.of("grant_type", "client_credentials", "scope", "api.read");
        assertThat(json(fapi2Token(fapi, cc, null), 400).get("error")).isEqualTo("invalid_dpop_proof");
        assertThat(json(fapi2Token(fapi, cc, dpopProof(key, "POST", base + "/oauth2/token", null)), 200)
                        .get("token_type"))
                .isEqualTo("DPoP");
    }

    @Test
    void fapi2WhenClientAuthenticatesWithAnotherMethodThenInvalidClientAndNothingStored() throws Exception {
        String id = fapi2Client().clientId();
        int before = countAuthorizations();
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        // FAPI 2.0 §5.3.2.1: private_key_jwt (or mTLS) only. The client is registered for both secret methods too,
        // and its secret is right: the profile alone refuses them.
        Map<String, String> par = fapi2Par(id, Pkce.create(), "fapi-post");
        par.put("client_secret", secretOf(id));
        assertThat(json(browser.postForm("/oauth2/par", par), 401).get("error")).isEqualTo("invalid_client");
        Map<String, String> cc = Map.of(
                "grant_type",
                "client_credentials",
                "scope",
                "api.read",
                "client_id",
                id,
                "client_secret",
                secretOf(id));
        HttpResponse<String> token =
                browser.postForm("/oauth2/token", cc, "DPoP", dpopProof(key, "POST", base + "/oauth2/token", null));
        assertThat(json(token, 401).get("error")).isEqualTo("invalid_client");
        String basic = HttpBrowser.basic(id, secretOf(id));
        HttpResponse<String> basicPar =
                browser.postForm("/oauth2/par", fapi2Par(id, Pkce.create(), "fapi-basic"), "Authorization", basic);
        assertThat(json(basicPar, 401).get("error")).isEqualTo("invalid_client");
        HttpResponse<String> basicToken = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", "api.read"),
                "Authorization",
                basic,
                "DPoP",
                dpopProof(key, "POST", base + "/oauth2/token", null));
        assertThat(json(basicToken, 401).get("error")).isEqualTo("invalid_client");
        assertThat(countAuthorizations()).isEqualTo(before);
    }

    /**
     * A FAPI 2.0 client saved through the repository: private_key_jwt with its public key registered (FAPI 2.0
     * §5.3.2.1), and, with a secret, client_secret_basic and client_secret_post, which only the profile refuses;
     * requireProofKey off, so only the profile's own check requires PKCE.
     *
     * @return the client's side: its id and the key its assertions are signed with
     */
    PrivateKeyJwtClient fapi2Client() {
        String id = "fapi2-" + UUID.randomUUID();
        PrivateKeyJwtClient fapi = PrivateKeyJwtClient.generate(id);
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(id)
                .clientSecret(clientSecrets.encoder().encode(secretOf(id)))
                .clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .redirectUri(SERVICE_REDIRECT)
                .scope("openid")
                .scope("api.read")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(false)
                        .requireAuthorizationConsent(false)
                        .setting(Fapi2Profile.SETTING, true)
                        .setting(ClientKeys.JWKS_SETTING, fapi.publicJwks())
                        .build())
                .tokenSettings(org.springframework.security.oauth2.server.authorization.settings.TokenSettings.builder()
                        .accessTokenFormat(
                                org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat
                                        .SELF_CONTAINED)
                        .authorizationCodeTimeToLive(Fapi2Profile.MAX_AUTHORIZATION_CODE_LIFETIME)
                        .reuseRefreshTokens(false)
                        .build())
                .build());
        return fapi;
    }

    Map<String, String> fapi2Par(String id, Pkce pkce, String state) {
        Map<String, String> params = parParams(pkce, state);
        params.put("client_id", id);
        return params;
    }

    /** Pushes the request (RFC 9126 §2.1), the client authenticating with a fresh assertion. */
    String fapi2Push(PrivateKeyJwtClient fapi, Map<String, String> form) throws Exception {
        return (String) json(browser.postForm("/oauth2/par", fapi.authenticated(form, base)), 201)
                .get("request_uri");
    }

    static Map<String, String> fapi2CodeForm(String code, Pkce pkce) {
        return Map.of(
                "grant_type",
                "authorization_code",
                "code",
                code,
                "redirect_uri",
                SERVICE_REDIRECT,
                "code_verifier",
                pkce.verifier());
    }

    /**
     * A token request by the FAPI client (private_key_jwt, a fresh assertion), with a DPoP proof unless {@code proof}
     * is null.
     */
    HttpResponse<String> fapi2Token(PrivateKeyJwtClient fapi, Map<String, String> form, String proof) {
        Map<String, String> authenticated = fapi.authenticated(form, base);
        return proof == null
                ? browser.postForm("/oauth2/token", authenticated)
                : browser.postForm("/oauth2/token", authenticated, "DPoP", proof);
    }

    // ---------------------------------------------------------------- helpers

    record Pkce(String verifier, String challenge) {
        static Pkce create() {
            byte[] raw = new byte[32];
            new SecureRandom().nextBytes(raw);
            return of(Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
        }

        /** The S256 pair for a chosen verifier, well-formed or not. */
        static Pkce of(String verifier) {
            try {
                byte[] digest =
                        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
                return new Pkce(
                        verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    String authorizeUrl(String clientId, String redirectUri, String scope, Pkce pkce, String method, String state) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", clientId);
        q.put("redirect_uri", redirectUri);
        q.put("scope", scope);
        q.put("state", state);
        q.put("nonce", "nonce-" + state);
        q.put("code_challenge", method.equals("plain") ? pkce.verifier() : pkce.challenge());
        q.put("code_challenge_method", method);
        return base + "/oauth2/authorize?" + HttpBrowser.encode(q);
    }

    /** Drives the authorization endpoint through the login form and returns the code. */
    String authorize(String clientId, String redirectUri, String scope, Pkce pkce, String state) {
        return authorizeAt(authorizeUrl(clientId, redirectUri, scope, pkce, "S256", state), redirectUri, state);
    }

    String authorizeAt(String url, String redirectUri, String state) {
        return authorizeAt(url, redirectUri, state, "demo");
    }

    String authorizeAt(String url, String redirectUri, String state, String username) {
        HttpResponse<String> r = browser.get(url);
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location").orElseThrow()).endsWith("/login");
        HttpResponse<String> login = browser.login(username, demoPassword);
        assertThat(login.statusCode()).isEqualTo(302);
        String next = login.headers().firstValue("Location").orElseThrow();
        assertThat(next).doesNotContain("error");
        HttpResponse<String> back = browser.get(next);
        assertThat(back.statusCode()).as(next + " -> " + back.body()).isEqualTo(302);
        String location = back.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(redirectUri + "?");
        Map<String, String> params = HttpBrowser.query(location);
        assertThat(params).containsEntry("state", state).containsKey("code");
        return params.get("code");
    }

    Map<String, Object> exchange(String code, String verifier, String redirectUri, int status) throws Exception {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type", "authorization_code",
                        "code", code,
                        "redirect_uri", redirectUri,
                        "code_verifier", verifier),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
        return json(r, status);
    }

    Map<String, Object> loginAndExchange() throws Exception {
        browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        String code = authorize(
                SERVICE,
                SERVICE_REDIRECT,
                "openid api.read",
                pkce,
                UUID.randomUUID().toString());
        return exchange(code, pkce.verifier(), SERVICE_REDIRECT, 200);
    }

    HttpResponse<String> refresh(String refreshToken) {
        return browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "refresh_token", "refresh_token", refreshToken),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
    }

    Map<String, Object> introspect(String token) throws Exception {
        return introspectAs(SERVICE, serviceSecret, token);
    }

    /** RFC 7662 introspection by the given client (HTTP Basic); the answer is always 200. */
    Map<String, Object> introspectAs(String clientId, String secret, String token) throws Exception {
        return json(
                browser.postForm(
                        "/oauth2/introspect",
                        Map.of("token", token),
                        "Authorization",
                        HttpBrowser.basic(clientId, secret)),
                200);
    }

    Map<String, Object> clientCredentials(String id, String secret, String scope) throws Exception {
        return json(
                browser.postForm(
                        "/oauth2/token",
                        Map.of("grant_type", "client_credentials", "scope", scope),
                        "Authorization",
                        HttpBrowser.basic(id, secret)),
                200);
    }

    TokenVerifier coreVerifier() {
        return TokenVerifier.builder()
                .remoteJwks(
                        RemoteJwks.builder(URI.create(base + "/oauth2/jwks")).build())
                .issuer(base)
                .accessTokens()
                .build();
    }

    /** Spring Security's own decoder, from the published JWKS, checking {@code typ}, issuer and times. */
    NimbusJwtDecoder springDecoder(String type) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(base + "/oauth2/jwks")
                .jwsAlgorithm(SignatureAlgorithm.RS256)
                .validateType(false)
                .build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                new JwtTypeValidator(type), new JwtTimestampValidator(), new JwtIssuerValidator(base)));
        return decoder;
    }

    static Map<String, Object> json(HttpResponse<String> r, int status) throws java.text.ParseException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return JSONObjectUtils.parse(r.body());
    }
}
