package dev.gatehouse.server;

import static dev.gatehouse.server.MfaSignInFlow.csrf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.AbstractAdminApiTests.RecordingAuditLog;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.logout.BackchannelLogoutUris;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Dynamic client registration (RFC 7591) and client configuration (RFC 7592) over real HTTP, in the default mode
 * (initial access tokens minted through the admin API): the tokens' life (required, expired, reused, revoked), the
 * registration policy's refusals (redirect URIs, scopes, body size, software statements) storing nothing, the
 * management of a registration with its registration access token, what the database keeps (hashes only), discovery,
 * the audit trail, and a code + PKCE flow with a registered client. Subclasses choose the database.
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
            "gatehouse.server.registration.scopes=openid,profile",
            "gatehouse.server.registration.resources=https://mcp.example.test/",
            "gatehouse.server.registration.max-body-bytes=4096"
        })
@Import(AbstractAdminApiTests.RecordingAuditConfiguration.class)
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
abstract class AbstractDynamicRegistrationTests {

    static final String SERVICE = "gatehouse-demo-service";
    static final String REDIRECT = "http://127.0.0.1:49152/callback";
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern STATE_INPUT = Pattern.compile("name=\"state\"[^>]*value=\"([^\"]+)\"");

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RecordingAuditLog audit;

    @Autowired
    RegisteredClientRepository clients;

    final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String base;
    String demoPassword;
    String serviceSecret;

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
    }

    // ---------------------------------------------------------------- initial access tokens

    @Test
    void registerWhenNoInitialAccessTokenThenUnauthorizedAndNothingStored() throws Exception {
        long before = clientCount();
        HttpResponse<String> r = register(null, publicClient());
        Map<String, Object> error = object(r, 401);
        assertThat(error.get("error")).isEqualTo("invalid_token");
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer");
        assertThat(clientCount()).isEqualTo(before);
        assertThat(audit.events)
                .anyMatch(e -> e.type().equals("client.register")
                        && e.outcome().equals(AuditEvent.DENIED)
                        && e.details().getOrDefault("error", "").equals("invalid_token"));
        assertThat(object(register("not-a-token-of-this-server", publicClient()), 401)
                        .get("error"))
                .isEqualTo("invalid_token");
        assertThat(clientCount()).isEqualTo(before);
        assertThat(audit.events)
                .anyMatch(e -> e.type().equals("client.register")
                        && e.details().getOrDefault("reason", "").equals("initial_access_token_unknown"));
    }

    @Test
    void registerWhenInitialAccessTokenValidThenCreatedWithRegistrationCredentialsAndPolicySettings() throws Exception {
        String iat = mint(1, 3600);
        long epoch = jdbc.queryForObject("SELECT version FROM gh_client_epoch WHERE id = 1", Long.class);
        HttpResponse<String> r = register(iat, publicClient());
        Map<String, Object> created = object(r, 201);
        // Every node's client cache hears of the new client (the client change epoch moved).
        assertThat(jdbc.queryForObject("SELECT version FROM gh_client_epoch WHERE id = 1", Long.class))
                .isGreaterThan(epoch);
        assertThat(r.headers().firstValue("Cache-Control").orElseThrow()).contains("no-store");
        String clientId = (String) created.get("client_id");
        assertThat(created)
                .containsEntry("token_endpoint_auth_method", "none")
                .containsEntry("redirect_uris", List.of(REDIRECT))
                .containsEntry("registration_client_uri", base + "/oauth2/register/" + clientId)
                .doesNotContainKey("client_secret");
        assertThat((String) created.get("registration_access_token")).hasSizeGreaterThanOrEqualTo(43);
        RegisteredClient stored = clients.findByClientId(clientId);
        assertThat(stored).isNotNull();
        assertThat(stored.getClientSettings().isRequireProofKey()).isTrue();
        assertThat(stored.getTokenSettings().isReuseRefreshTokens()).isFalse();
        assertThat((Object) stored.getClientSettings().getSetting("settings.client.gatehouse.resources"))
                .isEqualTo(List.of("https://mcp.example.test/"));
        assertThat(stored.getScopes()).containsExactlyInAnyOrder("openid", "profile");
        String iatId = jdbc.queryForObject(
                "SELECT id FROM gh_initial_access_token WHERE description = ?", String.class, lastDescription);
        assertThat(audit.events)
                .anyMatch(e -> e.type().equals("client.register")
                        && e.outcome().equals(AuditEvent.SUCCESS)
                        && clientId.equals(e.subject())
                        && iatId.equals(e.details().get("initial_access_token")));
    }

    @Test
    void registerWhenInitialAccessTokenExpiredThenUnauthorized() throws Exception {
        String iat = mint(5, 3600);
        jdbc.update(
                "UPDATE gh_initial_access_token SET expires_at = ? WHERE description = ?",
                java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(1)),
                lastDescription);
        assertThat(object(register(iat, publicClient()), 401).get("error")).isEqualTo("invalid_token");
        assertThat(audit.events)
                .anyMatch(e -> e.type().equals("client.register")
                        && e.details().getOrDefault("reason", "").equals("initial_access_token_expired"));
    }

    @Test
    void registerWhenInitialAccessTokenUsedUpThenSecondRegistrationUnauthorized() throws Exception {
        String iat = mint(1, 3600);
        object(register(iat, publicClient()), 201);
        assertThat(object(register(iat, publicClient()), 401).get("error")).isEqualTo("invalid_token");
        assertThat(audit.events)
                .anyMatch(e -> e.type().equals("client.register")
                        && e.details().getOrDefault("reason", "").equals("initial_access_token_used_up"));
    }

    @Test
    void registerWhenInitialAccessTokenRevokedThroughAdminApiThenUnauthorizedAndListedAsRevoked() throws Exception {
        String admin = adminToken();
        Map<String, Object> minted = object(
                call(
                        "POST",
                        "/admin/initial-access-tokens",
                        admin,
                        "{\"description\":\"to revoke\",\"maxUses\":3,\"expiresInSeconds\":600}"),
                201);
        String iat = (String) minted.get("token");
        @SuppressWarnings("unchecked")
        String id = (String) ((Map<String, Object>) minted.get("initialAccessToken")).get("id");
        assertThat(call("DELETE", "/admin/initial-access-tokens/" + id, admin, null)
                        .statusCode())
                .isEqualTo(204);
        assertThat(object(register(iat, publicClient()), 401).get("error")).isEqualTo("invalid_token");
        HttpResponse<String> list = call("GET", "/admin/initial-access-tokens", admin, null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains(id).contains("revokedAt").doesNotContain(iat);
    }

    @Test
    void initialAccessTokenWhenMintedThenOnlyItsHashStoredAndAdminAuthRequired() throws Exception {
        String iat = mint(1, 600);
        List<String> hashes = jdbc.queryForList("SELECT token_hash FROM gh_initial_access_token", String.class);
        assertThat(hashes).isNotEmpty().noneMatch(h -> h.equals(iat));
        assertThat(call("POST", "/admin/initial-access-tokens", null, "{\"description\":\"x\"}")
                        .statusCode())
                .isEqualTo(401);
    }

    // ---------------------------------------------------------------- registration policy

    @ParameterizedTest
    @ValueSource(
            strings = {
                "javascript:alert(1)",
                "data:text/html,hi",
                "https://app.example.test/cb#frag",
                "https://*.example.test/cb",
                "https://user:pw@app.example.test/cb",
                "http://app.example.test/cb",
                "http://localhost:8080/cb",
                "/relative/cb",
                "myapp:/cb",
                "com.example.app://host/cb"
            })
    void registerWhenRedirectUriRefusedThenInvalidRedirectUriAndNothingStoredOrSpent(String uri) throws Exception {
        String iat = mint(1, 3600);
        long before = clientCount();
        Map<String, Object> error = object(register(iat, metadata(List.of(uri), "none", "openid")), 400);
        assertThat(error.get("error")).isEqualTo("invalid_redirect_uri");
        assertThat(clientCount()).isEqualTo(before);
        // The refusal spent nothing: the one-time token still registers.
        object(register(iat, publicClient()), 201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:51234/cb", "http://[::1]:8080/cb", "com.example.app:/oauth2redirect"})
    void registerWhenLoopbackOrPrivateUseRedirectUriThenCreated(String uri) throws Exception {
        object(register(mint(1, 3600), metadata(List.of(uri), "none", "openid")), 201);
    }

    @Test
    void registerWhenScopeBeyondPolicyThenInvalidClientMetadataAndNothingStored() throws Exception {
        long before = clientCount();
        Map<String, Object> error =
                object(register(mint(1, 3600), metadata(List.of(REDIRECT), "none", "openid admin")), 400);
        assertThat(error.get("error")).isEqualTo("invalid_client_metadata");
        assertThat((String) error.get("error_description")).contains("admin");
        assertThat(clientCount()).isEqualTo(before);
    }

    @Test
    void registerWhenGrantOrMethodOutsidePolicyThenInvalidClientMetadata() throws Exception {
        String iat = mint(5, 3600);
        String grant = "{\"redirect_uris\":[\"" + REDIRECT + "\"],\"token_endpoint_auth_method\":\"none\","
                + "\"grant_types\":[\"authorization_code\",\"password\"]}";
        assertThat(object(register(iat, grant), 400).get("error")).isEqualTo("invalid_client_metadata");
        assertThat(object(register(iat, metadata(List.of(REDIRECT), "private_key_jwt", "openid")), 400)
                        .get("error"))
                .isEqualTo("invalid_client_metadata");
    }

    @Test
    void registerWhenBodyTooLargeOrNameTooLongThenRefused() throws Exception {
        String iat = mint(5, 3600);
        String huge = "{\"redirect_uris\":[\"" + REDIRECT + "\"],\"client_name\":\"" + "a".repeat(5000) + "\"}";
        assertThat(object(register(iat, huge), 400).get("error")).isEqualTo("invalid_request");
        String longName = "{\"redirect_uris\":[\"" + REDIRECT + "\"],\"token_endpoint_auth_method\":\"none\","
                + "\"client_name\":\"" + "a".repeat(101) + "\"}";
        assertThat(object(register(iat, longName), 400).get("error")).isEqualTo("invalid_client_metadata");
    }

    @Test
    void registerWhenSoftwareStatementThenInvalidSoftwareStatement() throws Exception {
        String body = "{\"redirect_uris\":[\"" + REDIRECT + "\"],\"software_statement\":\"eyJ.x.y\"}";
        assertThat(object(register(mint(1, 3600), body), 400).get("error")).isEqualTo("invalid_software_statement");
    }

    @Test
    void registerWhenConfidentialThenSecretReturnedOnceAndStoredAsHmac() throws Exception {
        Map<String, Object> created =
                object(register(mint(1, 3600), metadata(List.of(REDIRECT), "client_secret_basic", "openid")), 201);
        String secret = (String) created.get("client_secret");
        assertThat(secret).hasSizeGreaterThanOrEqualTo(43);
        assertThat(created.get("client_secret_expires_at")).isEqualTo(0);
        String stored = jdbc.queryForObject(
                "SELECT client_secret FROM oauth2_registered_client WHERE client_id = ?",
                String.class,
                created.get("client_id"));
        assertThat(stored).startsWith("{hmac-sha256}").doesNotContain(secret);
    }

    // ---------------------------------------------------------------- OIDC Back-Channel Logout 1.0 §2.2

    @Test
    void registerWhenBackchannelLogoutUriPublicHttpsThenStoredReturnedAndKeptOnUpdate() throws Exception {
        String uri = "https://93.184.215.14/logout/back-channel";
        String body = publicClient()
                .replaceFirst(
                        "\\}$",
                        ",\"backchannel_logout_uri\":\"" + uri + "\",\"backchannel_logout_session_required\":true}");
        Map<String, Object> created = object(register(mint(1, 3600), body), 201);
        assertThat(created)
                .containsEntry("backchannel_logout_uri", uri)
                .containsEntry("backchannel_logout_session_required", true);
        String clientId = (String) created.get("client_id");
        RegisteredClient stored = clients.findByClientId(clientId);
        assertThat(BackchannelLogoutUris.uri(stored)).isEqualTo(uri);
        assertThat(BackchannelLogoutUris.sessionRequired(stored)).isTrue();

        // RFC 7592 §2.2: an update that names it keeps it; one without it removes it.
        String configuration = "/oauth2/register/" + clientId;
        String rat = (String) created.get("registration_access_token");
        String update = "{\"client_id\":\"" + clientId + "\",\"redirect_uris\":[\"" + REDIRECT
                + "\"],\"token_endpoint_auth_method\":\"none\",\"backchannel_logout_uri\":\"" + uri + "\"}";
        Map<String, Object> updated = object(call("PUT", configuration, rat, update), 200);
        assertThat(updated).containsEntry("backchannel_logout_uri", uri);
        assertThat(BackchannelLogoutUris.uri(clients.findByClientId(clientId))).isEqualTo(uri);
        String without = "{\"client_id\":\"" + clientId + "\",\"redirect_uris\":[\"" + REDIRECT
                + "\"],\"token_endpoint_auth_method\":\"none\"}";
        Map<String, Object> removed =
                object(call("PUT", configuration, (String) updated.get("registration_access_token"), without), 200);
        assertThat(removed).doesNotContainKey("backchannel_logout_uri");
        assertThat(BackchannelLogoutUris.uri(clients.findByClientId(clientId))).isNull();
    }

    @Test
    void registerWhenBackchannelLogoutUriNotHttpsPublicOrHasFragmentThenInvalidClientMetadataAndNothingStored()
            throws Exception {
        String iat = mint(20, 3600);
        long before = clientCount();
        for (String bad : List.of(
                "http://example.com/logout",
                "https://93.184.215.14/logout#fragment",
                "javascript:alert(1)",
                "/relative",
                "https://user@93.184.215.14/logout",
                "https://127.0.0.1/logout",
                "https://10.1.2.3/logout",
                "https://169.254.169.254/latest/meta-data",
                "https://100.64.0.1/logout",
                "https://[fd00::1]/logout",
                "https://[::1]/logout")) {
            String body = publicClient().replaceFirst("\\}$", ",\"backchannel_logout_uri\":\"" + bad + "\"}");
            Map<String, Object> error = object(register(iat, body), 400);
            assertThat(error.get("error")).as(bad).isEqualTo("invalid_client_metadata");
            assertThat((String) error.get("error_description")).as(bad).contains("backchannel_logout_uri");
        }
        String notBoolean = publicClient()
                .replaceFirst(
                        "\\}$",
                        ",\"backchannel_logout_uri\":\"https://93.184.215.14/l\",\"backchannel_logout_session_required\":\"yes\"}");
        assertThat(object(register(iat, notBoolean), 400).get("error")).isEqualTo("invalid_client_metadata");
        assertThat(clientCount()).isEqualTo(before);
    }

    // ---------------------------------------------------------------- RFC 7592 client configuration

    @Test
    void configurationWhenReadUpdatedAndDeletedWithRegistrationAccessTokenThenDoneAndTokensHashed() throws Exception {
        Map<String, Object> created = object(register(mint(1, 3600), publicClient()), 201);
        String clientId = (String) created.get("client_id");
        String rat = (String) created.get("registration_access_token");
        String uri = "/oauth2/register/" + clientId;
        assertThat(jdbc.queryForList("SELECT token_hash FROM gh_registration_access_token", String.class))
                .isNotEmpty()
                .noneMatch(h -> h.equals(rat));
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM oauth2_authorization WHERE access_token_value = ?", Integer.class, rat))
                .isZero();

        // Read: the metadata, and a new registration access token (the old one stops working).
        Map<String, Object> read = object(call("GET", uri, rat, null), 200);
        assertThat(read).containsEntry("client_id", clientId).doesNotContainKey("client_secret");
        String rat2 = (String) read.get("registration_access_token");
        assertThat(rat2).isNotEqualTo(rat);
        assertThat(object(call("GET", uri, rat, null), 401).get("error")).isEqualTo("invalid_token");
        assertThat(audit.events)
                .anyMatch(e -> e.type().equals("client.registration.read")
                        && clientId.equals(e.subject())
                        && "rotated".equals(e.details().get("registration_access_token")));

        // Update: a second redirect URI; checked by the same policy. Users' consents go (they are asked again).
        String registrationId = clients.findByClientId(clientId).getId();
        jdbc.update(
                "INSERT INTO oauth2_authorization_consent (registered_client_id, principal_name, authorities)"
                        + " VALUES (?, 'demo', 'SCOPE_openid')",
                registrationId);
        String second = "http://[::1]:49153/callback";
        String update = "{\"client_id\":\"" + clientId + "\",\"redirect_uris\":[\"" + REDIRECT + "\",\"" + second
                + "\"],\"token_endpoint_auth_method\":\"none\",\"client_name\":\"Renamed\"}";
        Map<String, Object> updated = object(call("PUT", uri, rat2, update), 200);
        assertThat(updated.get("client_name")).isEqualTo("Renamed");
        assertThat(clients.findByClientId(clientId).getRedirectUris()).containsExactlyInAnyOrder(REDIRECT, second);
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM oauth2_authorization_consent WHERE registered_client_id = ?",
                        Integer.class,
                        registrationId))
                .isZero();
        String rat3 = (String) updated.get("registration_access_token");
        String bad = "{\"client_id\":\"" + clientId + "\",\"redirect_uris\":[\"javascript:alert(1)\"],"
                + "\"token_endpoint_auth_method\":\"none\"}";
        assertThat(object(call("PUT", uri, rat3, bad), 400).get("error")).isEqualTo("invalid_redirect_uri");
        assertThat(clients.findByClientId(clientId).getRedirectUris()).containsExactlyInAnyOrder(REDIRECT, second);

        // Delete: gone, with its registration access token.
        HttpResponse<String> deleted = call("DELETE", uri, rat3, null);
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(clients.findByClientId(clientId)).isNull();
        assertThat(object(call("GET", uri, rat3, null), 401).get("error")).isEqualTo("invalid_token");
        assertThat(audit.events)
                .anyMatch(e -> e.type().equals("client.registration.update") && clientId.equals(e.subject()));
        assertThat(audit.events)
                .anyMatch(e -> e.type().equals("client.registration.delete") && clientId.equals(e.subject()));
    }

    @Test
    void configurationWhenWrongTokenOrOtherClientOrStaticClientThenUnauthorizedAlike() throws Exception {
        Map<String, Object> a = object(register(mint(1, 3600), publicClient()), 201);
        Map<String, Object> b = object(register(mint(1, 3600), publicClient()), 201);
        String uriA = "/oauth2/register/" + a.get("client_id");
        for (String token : new String[] {null, "wrong", (String) b.get("registration_access_token")}) {
            HttpResponse<String> r = call("GET", uriA, token, null);
            assertThat(object(r, 401).get("error")).isEqualTo("invalid_token");
            assertThat(call("DELETE", uriA, token, null).statusCode()).isEqualTo(401);
            // The body of an update is not even read for a wrong token.
            assertThat(call("PUT", uriA, token, "not client metadata").statusCode())
                    .isEqualTo(401);
        }
        // A client the admin API registered is not managed here, whatever the token.
        assertThat(call("GET", "/oauth2/register/" + SERVICE, (String) a.get("registration_access_token"), null)
                        .statusCode())
                .isEqualTo(401);
        assertThat(clients.findByClientId((String) a.get("client_id"))).isNotNull();
    }

    // ---------------------------------------------------------------- discovery and a flow

    @Test
    void discoveryWhenRegistrationOnThenBothDocumentsNameTheEndpoint() throws Exception {
        for (String doc : List.of("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration")) {
            assertThat(object(call("GET", doc, null, null), 200))
                    .containsEntry("registration_endpoint", base + "/oauth2/register");
        }
    }

    @Test
    void registeredClientWhenCodeFlowWithPkceThenTokensIssued() throws Exception {
        Map<String, Object> created = object(register(mint(1, 3600), publicClient()), 201);
        String clientId = (String) created.get("client_id");
        AbstractAuthorizationServerTests.Pkce pkce = AbstractAuthorizationServerTests.Pkce.create();
        HttpBrowser browser = new HttpBrowser(base);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", clientId);
        q.put("redirect_uri", REDIRECT);
        q.put("scope", "openid profile");
        q.put("state", "s1");
        q.put("code_challenge", pkce.challenge());
        q.put("code_challenge_method", "S256");
        String authorize = base + "/oauth2/authorize?" + HttpBrowser.encode(q);
        // Without PKCE the request is refused: every registered client requires it.
        Map<String, String> noPkce = new LinkedHashMap<>(q);
        noPkce.remove("code_challenge");
        noPkce.remove("code_challenge_method");
        HttpResponse<String> refused = browser.get(base + "/oauth2/authorize?" + HttpBrowser.encode(noPkce));
        assertThat(refused.headers().firstValue("Location").orElse("")).contains("error=invalid_request");

        assertThat(browser.get(authorize).statusCode()).isEqualTo(302);
        HttpResponse<String> login = browser.login("demo", demoPassword);
        HttpResponse<String> resumed =
                browser.get(login.headers().firstValue("Location").orElseThrow());
        String consentUrl = resumed.headers().firstValue("Location").orElseThrow();
        assertThat(consentUrl).contains("/oauth2/consent?");
        HttpResponse<String> page = browser.get(consentUrl);
        Matcher state = STATE_INPUT.matcher(page.body());
        assertThat(state.find()).as(page.body()).isTrue();
        String body = HttpBrowser.encode(Map.of("client_id", clientId, "state", state.group(1), "_csrf", csrf(page)))
                + "&" + HttpBrowser.encode(Map.of("scope", "profile"));
        HttpResponse<String> approved = browser.postRaw("/oauth2/authorize", body);
        String location = approved.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        Map<String, String> params = HttpBrowser.query(location);
        HttpResponse<String> token = browser.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type",
                        "authorization_code",
                        "code",
                        params.get("code"),
                        "redirect_uri",
                        REDIRECT,
                        "client_id",
                        clientId,
                        "code_verifier",
                        pkce.verifier()));
        Map<String, Object> tokens = object(token, 200);
        // A public client gets no refresh token from Spring Authorization Server, as the admin API's public clients.
        assertThat(tokens).containsKeys("access_token", "id_token");
        assertThat(claimsOf((String) tokens.get("access_token"))).containsEntry("client_id", clientId);
    }

    // ---------------------------------------------------------------- helpers

    @SuppressWarnings("unchecked")
    static Map<String, Object> claimsOf(String jwt) {
        String payload = jwt.split("\\.")[1];
        return JSON.readValue(java.util.Base64.getUrlDecoder().decode(payload), Map.class);
    }

    String lastDescription;

    String mint(int uses, long seconds) throws Exception {
        lastDescription = "test " + java.util.UUID.randomUUID();
        Map<String, Object> minted = object(
                call(
                        "POST",
                        "/admin/initial-access-tokens",
                        adminToken(),
                        "{\"description\":\"" + lastDescription + "\",\"maxUses\":" + uses + ",\"expiresInSeconds\":"
                                + seconds + "}"),
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

    static String publicClient() {
        return metadata(List.of(REDIRECT), "none", null);
    }

    static String metadata(List<String> redirectUris, String method, String scope) {
        StringBuilder s = new StringBuilder("{\"client_name\":\"Test MCP client\",\"redirect_uris\":[");
        for (int i = 0; i < redirectUris.size(); i++) {
            s.append(i == 0 ? "" : ",").append(JSON.writeValueAsString(redirectUris.get(i)));
        }
        s.append("],\"token_endpoint_auth_method\":\"").append(method).append('"');
        s.append(",\"grant_types\":[\"authorization_code\",\"refresh_token\"],\"response_types\":[\"code\"]");
        if (scope != null) {
            s.append(",\"scope\":\"").append(scope).append('"');
        }
        return s.append('}').toString();
    }

    HttpResponse<String> register(String token, String json) throws Exception {
        return call("POST", "/oauth2/register", token, json);
    }

    long clientCount() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM oauth2_registered_client", Long.class);
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

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        return JSON.readValue(r.body(), Map.class);
    }
}
