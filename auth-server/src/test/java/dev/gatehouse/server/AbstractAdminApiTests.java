package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.audit.LoggingAuditLog;
import dev.gatehouse.server.clients.Fapi2Profile;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.passkeys.PasskeyIds;
import dev.gatehouse.server.testsupport.PasskeyRows;
import dev.gatehouse.server.users.JdbcUserStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin API end to end over real HTTP: real tokens from the token endpoint (client credentials and authorization
 * code + PKCE through the login form), forged, unsigned and expired tokens, every resource, RFC 9457 problems and the
 * audit trail. Subclasses choose the database (H2 file, embedded PostgreSQL).
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
@Import(AbstractAdminApiTests.RecordingAuditConfiguration.class)
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
abstract class AbstractAdminApiTests {

    static final String SERVICE = "gatehouse-demo-service";
    static final String SERVICE_REDIRECT = "http://127.0.0.1:8081/login/oauth2/code/gatehouse";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String STRONG = "correct horse battery staple 42";
    static final String MFA_REDIRECT = "http://127.0.0.1:8082/cb";

    /** Keeps every audit event (and still logs it). */
    static final class RecordingAuditLog implements AuditLog {
        final List<AuditEvent> events = new CopyOnWriteArrayList<>();
        private final LoggingAuditLog log = new LoggingAuditLog();

        @Override
        public void record(AuditEvent event) {
            events.add(event);
            log.record(event);
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class RecordingAuditConfiguration {
        @Bean
        @Primary
        RecordingAuditLog recordingAuditLog() {
            return new RecordingAuditLog();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    @Autowired
    KeyRing ring;

    @Autowired
    JwtEncoder encoder;

    @Autowired
    TotpService totp;

    @Autowired
    RecoveryCodes recoveryCodes;

    @Autowired
    RecordingAuditLog audit;

    @Autowired
    RegisteredClientRepository registeredClients;

    final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String base;
    String demoPassword;
    String serviceSecret;
    HttpBrowser browser;

    abstract Path dataDir();

    @BeforeEach
    void setUp() throws IOException {
        base = "http://localhost:" + port;
        browser = new HttpBrowser(base);
        for (String line : Files.readAllLines(dataDir().resolve("demo-credentials.txt"), StandardCharsets.UTF_8)) {
            String[] words = line.strip().split(" ");
            if (line.contains("password:")) {
                demoPassword = words[words.length - 1];
            } else if (line.contains(SERVICE + " secret:")) {
                serviceSecret = words[words.length - 1];
            }
        }
        assertThat(serviceSecret).hasSizeGreaterThanOrEqualTo(43);
    }

    // ---------------------------------------------------------------- OpenAPI

    @Test
    void openApiWhenFetchedWithoutTokenThenDescribesAdminPathsAndBearerScheme() throws Exception {
        HttpResponse<String> r = call("GET", "/admin/openapi.json", null, null);
        Map<String, Object> doc = object(r, 200);
        @SuppressWarnings("unchecked")
        Map<String, Object> paths = (Map<String, Object>) doc.get("paths");
        assertThat(paths)
                .containsKeys(
                        "/admin/users",
                        "/admin/users/{username}",
                        "/admin/users/{username}/password",
                        "/admin/users/{username}/sessions",
                        "/admin/users/{username}/roles/{role}",
                        "/admin/users/{username}/mfa-required",
                        "/admin/users/{username}/passkey-required",
                        "/admin/users/{username}/passkeys",
                        "/admin/users/{username}/passkeys/{id}",
                        "/admin/roles",
                        "/admin/roles/{role}",
                        "/admin/clients",
                        "/admin/clients/{clientId}/mfa-required",
                        "/admin/clients/{clientId}/phishing-resistant-required",
                        "/admin/clients/{clientId}/introspection",
                        "/admin/clients/{clientId}/resources",
                        "/admin/clients/{clientId}/secret",
                        "/admin/clients/{clientId}/redirect-uris",
                        "/admin/keys",
                        "/admin/keys/rotate");
        assertThat(paths.keySet()).allMatch(p -> p.startsWith("/admin/"));
        assertThat(r.body()).contains("\"bearer\"").contains("\"scheme\":\"bearer\"");
    }

    // ---------------------------------------------------------------- back-channel logout (OIDC BCL 1.0 §2.2)

    @Test
    void clientsWhenDynamicClientGivenPrivateBackchannelLogoutUriThenProblemAsDeliveryWouldRefuseIt() throws Exception {
        String admin = adminToken();
        String id = "bcl-dyn-" + suffix();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", id);
        body.put("clientName", "Client " + id);
        body.put("grantTypes", List.of("authorization_code"));
        body.put("scopes", List.of("openid"));
        body.put("redirectUris", List.of("https://app.example/cb"));
        created(call("POST", "/admin/clients", admin, JSON.writeValueAsString(body)));
        RegisteredClient client = registeredClients.findByClientId(id);
        assertThat(client).isNotNull();
        registeredClients.save(RegisteredClient.from(client)
                .clientSettings(
                        ClientSettings.withSettings(client.getClientSettings().getSettings())
                                .setting("settings.client.gatehouse.dynamically-registered", true)
                                .build())
                .build());

        for (String refused : List.of("https://10.0.0.5/logout/back-channel", "http://127.0.0.1:9000/bcl")) {
            assertThat(problem(
                                    call(
                                            "PUT",
                                            "/admin/clients/" + id + "/backchannel-logout",
                                            admin,
                                            "{\"backchannelLogoutUri\":\"" + refused + "\"}"),
                                    400)
                            .toString())
                    .contains("admin.invalid_backchannel_logout_uri");
        }
        assertThat(object(call("GET", "/admin/clients/" + id, admin, null), 200).get("backchannelLogoutUri"))
                .isNull();
    }

    @Test
    void clientsWhenBackchannelLogoutUriRegisteredReplacedAndRemovedThenViewFollowsAndBadUrisAreProblems()
            throws Exception {
        String admin = adminToken();
        String id = "bcl-" + suffix();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", id);
        body.put("clientName", "Client " + id);
        body.put("grantTypes", List.of("authorization_code"));
        body.put("scopes", List.of("openid"));
        body.put("redirectUris", List.of("https://app.example/cb"));
        body.put("backchannelLogoutUri", "http://10.0.0.5:8080/logout/back-channel");
        body.put("backchannelLogoutSessionRequired", true);
        // Plain http only on a loopback host: refused, and nothing stored.
        assertThat(problem(call("POST", "/admin/clients", admin, JSON.writeValueAsString(body)), 400)
                        .toString())
                .contains("admin.invalid_backchannel_logout_uri");
        assertThat(call("GET", "/admin/clients/" + id, admin, null).statusCode())
                .isEqualTo(404);

        // An operator's client may name a private host over https.
        body.put("clientId", id + "-ok");
        body.put("backchannelLogoutUri", "https://10.0.0.5/logout/back-channel");
        Map<?, ?> ok = (Map<?, ?>) created(call("POST", "/admin/clients", admin, JSON.writeValueAsString(body)))
                .get("client");
        assertThat(ok.get("backchannelLogoutUri")).isEqualTo("https://10.0.0.5/logout/back-channel");
        assertThat(ok.get("backchannelLogoutSessionRequired")).isEqualTo(true);

        Map<String, Object> replaced = object(
                call(
                        "PUT",
                        "/admin/clients/" + id + "-ok/backchannel-logout",
                        admin,
                        "{\"backchannelLogoutUri\":\"http://127.0.0.1:9000/bcl\"}"),
                200);
        assertThat(replaced.get("backchannelLogoutUri")).isEqualTo("http://127.0.0.1:9000/bcl");
        assertThat(replaced.get("backchannelLogoutSessionRequired")).isEqualTo(false);
        Map<String, Object> removed =
                object(call("PUT", "/admin/clients/" + id + "-ok/backchannel-logout", admin, "{}"), 200);
        assertThat(removed.get("backchannelLogoutUri")).isNull();

        for (String bad : List.of(
                "https://app.example/logout#frag",
                "/relative",
                "http://app.example/plain-http",
                "javascript:alert(1)",
                "https://user@app.example/",
                "https://app.example/" + "x".repeat(2100))) {
            Map<String, Object> problem = problem(
                    call(
                            "PUT",
                            "/admin/clients/" + id + "-ok/backchannel-logout",
                            admin,
                            JSON.writeValueAsString(Map.of("backchannelLogoutUri", bad))),
                    400);
            assertThat((List<?>) problem.get("errors"))
                    .as(bad)
                    .singleElement()
                    .satisfies(e ->
                            assertThat(((Map<?, ?>) e).get("code")).isEqualTo("admin.invalid_backchannel_logout_uri"));
            assertThat(problem.toString()).as(bad).doesNotContain(bad);
        }
    }

    // ---------------------------------------------------------------- authentication and authorization

    @Test
    void adminWhenNoTokenThenUnauthorizedWithBareBearerChallengeAndProblem() throws Exception {
        int before = audit.events.size();
        HttpResponse<String> r = call("GET", "/admin/users", null, null);
        Map<String, Object> problem = problem(r, 401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(problem.get("code")).isEqualTo("admin.unauthenticated");
        assertThat(audit.events.subList(before, audit.events.size()))
                .anyMatch(e -> e.type().equals("admin.denied") && e.outcome().equals(AuditEvent.DENIED));
    }

    @Test
    void adminWhenForgedUnsignedOrExpiredTokenThenUnauthorizedInvalidToken() throws Exception {
        // RFC 9068 claims for the service client, claiming the ring's active kid, signed by someone else's key.
        RSAKey attacker = new RSAKeyGenerator(2048).generate();
        SignedJWT forged = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .type(new JOSEObjectType("at+jwt"))
                        .keyID(ring.activeKey().kid())
                        .build(),
                claims(Instant.now(), Instant.now().plusSeconds(300)));
        forged.sign(new RSASSASigner(attacker));
        String unsigned = new PlainJWT(claims(Instant.now(), Instant.now().plusSeconds(300))).serialize();
        // Signed by the server's own ring, but expired (and never issued through the token endpoint).
        String expired = encoder.encode(JwtEncoderParameters.from(
                        JwsHeader.with(() -> "RS256").type("at+jwt").build(),
                        JwtClaimsSet.builder()
                                .issuer(base)
                                .subject(SERVICE)
                                .audience(List.of(SERVICE))
                                .claim("client_id", SERVICE)
                                .claim("scope", "admin")
                                .issuedAt(Instant.now().minusSeconds(3600))
                                .expiresAt(Instant.now().minusSeconds(1800))
                                .build()))
                .getTokenValue();
        for (String token : List.of(forged.serialize(), unsigned, expired, "abc.def.ghi")) {
            HttpResponse<String> r = call("GET", "/admin/users", token, null);
            Map<String, Object> problem = problem(r, 401);
            assertThat(problem.get("code")).isEqualTo("admin.invalid_token");
            assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
                    .startsWith("Bearer error=\"invalid_token\"");
            assertThat(r.body()).doesNotContain(token);
        }
    }

    @Test
    void adminWhenTokenIssuedForAnotherResourceThenInvalidTokenAndWithoutResourceThenServed() throws Exception {
        // The demo service client may ask for scope admin and for the resource server example: that token goes to
        // the resource server, which must not be able to replay it here (RFC 8707 §2, RFC 9068 §4).
        HttpResponse<String> issued = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", "admin", "resource", "http://localhost:8082"),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
        String foreign = (String) object(issued, 200).get("access_token");
        assertThat(com.nimbusds.jwt.SignedJWT.parse(foreign).getJWTClaimsSet().getAudience())
                .containsExactly("http://localhost:8082");
        HttpResponse<String> r = call("GET", "/admin/users", foreign, null);
        assertThat(problem(r, 401).get("code")).isEqualTo("admin.invalid_token");
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
                .startsWith("Bearer error=\"invalid_token\"");
        assertThat(r.body()).doesNotContain(foreign);

        assertThat(call("GET", "/admin/users", adminToken(), null).statusCode()).isEqualTo(200);
    }

    @Test
    void adminWhenTokenSignedByServerButNeverIssuedThenUnauthorized() throws Exception {
        // Valid signature and times, but no stored authorization: the admin API trusts only tokens it issued and
        // has not revoked.
        String token = encoder.encode(JwtEncoderParameters.from(
                        JwsHeader.with(() -> "RS256").type("at+jwt").build(),
                        JwtClaimsSet.builder()
                                .issuer(base)
                                .subject(SERVICE)
                                .audience(List.of(SERVICE))
                                .claim("client_id", SERVICE)
                                .claim("scope", "admin")
                                .issuedAt(Instant.now())
                                .expiresAt(Instant.now().plusSeconds(300))
                                .build()))
                .getTokenValue();
        assertThat(problem(call("GET", "/admin/users", token, null), 401).get("code"))
                .isEqualTo("admin.invalid_token");
    }

    @Test
    void adminWhenClientTokenWithoutAdminScopeThenForbiddenProblemAndAudited() throws Exception {
        String token = clientToken(SERVICE, serviceSecret, "api.read");
        int before = audit.events.size();
        HttpResponse<String> r = call("GET", "/admin/users", token, null);
        Map<String, Object> problem = problem(r, 403);
        assertThat(problem.get("code")).isEqualTo("admin.forbidden");
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("error=\"insufficient_scope\"")
                .contains("scope=\"admin\"");
        List<AuditEvent> denied = audit.events.subList(before, audit.events.size()).stream()
                .filter(e -> e.type().equals("admin.denied"))
                .toList();
        assertThat(denied).hasSize(1);
        assertThat(denied.get(0).actor()).isEqualTo(SERVICE);
        assertThat(denied.get(0).outcome()).isEqualTo(AuditEvent.DENIED);
        assertThat(denied.get(0).toString()).doesNotContain(token);
    }

    @Test
    void adminWhenClientTokenWithAdminScopeThenAllowed() throws Exception {
        String token = adminToken();
        Map<String, Object> page = object(call("GET", "/admin/users", token, null), 200);
        assertThat(page).containsKeys("items", "page", "size", "totalItems", "totalPages");
    }

    @Test
    void adminWhenClientTokenRevokedThenUnauthorized() throws Exception {
        String token = adminToken();
        assertThat(call("GET", "/admin/keys", token, null).statusCode()).isEqualTo(200);
        HttpResponse<String> revoke = browser.postForm(
                "/oauth2/revoke", Map.of("token", token), "Authorization", HttpBrowser.basic(SERVICE, serviceSecret));
        assertThat(revoke.statusCode()).isEqualTo(200);
        assertThat(problem(call("GET", "/admin/keys", token, null), 401).get("code"))
                .isEqualTo("admin.invalid_token");
    }

    @Test
    void adminWhenUserTokenWithAdminRoleButNoAdminScopeThenForbidden() throws Exception {
        String token = userToken("demo", demoPassword, "openid api.read");
        assertThat(problem(call("GET", "/admin/users", token, null), 403).get("code"))
                .isEqualTo("admin.forbidden");
    }

    @Test
    void adminWhenUserTokenWithAdminScopeAndRoleThenAllowed() throws Exception {
        String token = userToken("demo", demoPassword, "openid admin");
        Map<String, Object> demo = object(call("GET", "/admin/users/demo", token, null), 200);
        assertThat(demo.get("roles")).isEqualTo(List.of("admin", "user"));
    }

    @Test
    void adminWhenUserTokenWithAdminScopeButWithoutRoleThenForbiddenUntilRoleGivenAndAgainWhenTaken() throws Exception {
        String admin = adminToken();
        String name = "carol-" + suffix();
        created(createUser(admin, name, STRONG, List.of("user")));
        String token = userToken(name, STRONG, "openid admin");
        assertThat(problem(call("GET", "/admin/users", token, null), 403).get("code"))
                .isEqualTo("admin.forbidden");

        object(call("PUT", "/admin/users/" + name + "/roles/admin", admin, null), 200);
        String promoted = userToken(name, STRONG, "openid admin");
        assertThat(call("GET", "/admin/users", promoted, null).statusCode()).isEqualTo(200);

        // The role is taken away: the token still names it, but only roles still held count.
        object(call("DELETE", "/admin/users/" + name + "/roles/admin", admin, null), 200);
        assertThat(call("GET", "/admin/users", promoted, null).statusCode()).isEqualTo(403);
    }

    @Test
    void adminWhenAuditorRoleThenReadsButCannotWrite() throws Exception {
        String admin = adminToken();
        String name = "audrey-" + suffix();
        created(createUser(admin, name, STRONG, List.of("auditor")));
        String token = userToken(name, STRONG, "openid admin");
        long permits = decisions("permit");
        long denies = decisions("deny");

        assertThat(call("GET", "/admin/users", token, null).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/admin/keys/rotate", token, null).statusCode()).isEqualTo(403);

        // Both went through the policy decision point, which times every decision (issue #7: decision latencies).
        assertThat(decisions("permit")).isGreaterThan(permits);
        assertThat(decisions("deny")).isGreaterThan(denies);
    }

    private long decisions(String outcome) {
        return meters.get("gatehouse.admin.decisions")
                .tag("outcome", outcome)
                .timer()
                .count();
    }

    @Test
    void adminWhenReservedRoleAssignedThenBadRequest() throws Exception {
        String admin = adminToken();
        String name = "rex-" + suffix();
        created(createUser(admin, name, STRONG, null));
        assertThat(problem(call("PUT", "/admin/users/" + name + "/roles/admin-client", admin, null), 400)
                        .get("code"))
                .isEqualTo("admin.reserved_role");
        List<?> roles =
                (List<?>) object(call("GET", "/admin/roles", admin, null), 200).get("items");
        assertThat(roles).anyMatch(r -> ((Map<?, ?>) r).get("name").equals("admin"));
    }

    // ---------------------------------------------------------------- users

    @Test
    void usersWhenCreatedThenHashVerifiesUserSignsInAndNoSecretAnywhere() throws Exception {
        String admin = adminToken();
        String name = "alice-" + suffix();
        int before = audit.events.size();
        HttpResponse<String> r = createUser(admin, name, STRONG, List.of("user"));
        Map<String, Object> user = created(r);
        assertThat(user.get("username")).isEqualTo(name);
        assertThat(user.get("enabled")).isEqualTo(true);
        assertThat(r.headers().firstValue("Location")).contains("/admin/users/" + name);
        String hash = users.find(name).orElseThrow().passwordHash();
        assertThat(hasher.verify(STRONG, hash).matched()).isTrue();
        assertThat(r.body()).doesNotContain(STRONG).doesNotContain(hash).doesNotContain("password");

        HttpResponse<String> login = new HttpBrowser(base).login(name, STRONG);
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElseThrow()).doesNotContain("error");

        AuditEvent event = only(before, "admin.user.create");
        assertThat(event.outcome()).isEqualTo(AuditEvent.SUCCESS);
        assertThat(event.actor()).isEqualTo(SERVICE);
        assertThat(event.subject()).isEqualTo(name);
        assertThat(event.toString()).doesNotContain(STRONG).doesNotContain(hash);

        Map<String, Object> fetched = object(call("GET", "/admin/users/" + name, admin, null), 200);
        assertThat(fetched).doesNotContainKeys("password", "passwordHash");
    }

    @Test
    void usersWhenWeakPasswordThenBadRequestWithPolicyReasonsAndAuditedFailure() throws Exception {
        String admin = adminToken();
        String name = "weak-" + suffix();
        int before = audit.events.size();
        for (String weak : List.of("short", "qwerty123", "aaaaaaaaaaaa", name + "x1")) {
            HttpResponse<String> r = createUser(admin, name, weak, null);
            Map<String, Object> problem = problem(r, 400);
            assertThat(problem.get("code")).isEqualTo("admin.weak_password");
            List<?> errors = (List<?>) problem.get("errors");
            assertThat(errors).isNotEmpty();
            assertThat(errors).allMatch(e -> ((Map<?, ?>) e).get("field").equals("password"));
            assertThat(r.body()).doesNotContain("\"" + weak + "\"");
        }
        assertThat(users.find(name)).isEmpty();
        AuditEvent failure = audit.events.subList(before, audit.events.size()).stream()
                .filter(e -> e.type().equals("admin.user.create"))
                .findFirst()
                .orElseThrow();
        assertThat(failure.outcome()).isEqualTo(AuditEvent.FAILURE);
        assertThat(failure.details()).containsEntry("problem", "admin.weak_password");
    }

    @Test
    void usersWhenDuplicateThenConflict() throws Exception {
        String admin = adminToken();
        assertThat(problem(createUser(admin, "demo", STRONG, null), 409).get("code"))
                .isEqualTo("admin.user.exists");
    }

    @Test
    void usersWhenUnknownOrInvalidFieldsOrBadJsonThenBadRequestProblems() throws Exception {
        String admin = adminToken();
        Map<String, Object> unknown = problem(
                call(
                        "POST",
                        "/admin/users",
                        admin,
                        "{\"username\":\"u-" + suffix() + "\",\"password\":\"" + STRONG + "\",\"isAdmin\":true}"),
                400);
        assertThat(unknown.get("detail").toString()).contains("isAdmin");
        assertThat(unknown.toString()).doesNotContain(STRONG);

        Map<String, Object> invalid =
                problem(call("POST", "/admin/users", admin, "{\"username\":\"-bad name\",\"roles\":[\"1x\"]}"), 400);
        assertThat(invalid.get("code")).isEqualTo("admin.invalid_fields");
        assertThat(((List<?>) invalid.get("errors"))
                        .stream()
                                .map(e -> String.valueOf(((Map<?, ?>) e).get("field")))
                                .toList())
                .contains("username", "password", "roles[0]");
        assertThat(((List<?>) invalid.get("errors")))
                .anyMatch(e -> "roles[0]".equals(((Map<?, ?>) e).get("field"))
                        && "Pattern".equals(((Map<?, ?>) e).get("code")));

        assertThat(problem(call("POST", "/admin/users", admin, "{\"username\":"), 400)
                        .get("code"))
                .isEqualTo("admin.unreadable_body");
        assertThat(problem(call("POST", "/admin/users", admin, "{\"username\":\"x\",\"password\":42,\"roles\":7}"), 400)
                        .get("code"))
                .isEqualTo("admin.unreadable_body");
        assertThat(problem(call("GET", "/admin/users/nobody-" + suffix(), admin, null), 404)
                        .get("code"))
                .isEqualTo("admin.not_found");
    }

    @Test
    void usersAndClientsWhenBodyRepeatsAKeyAtAnyDepthThenBadRequestAndNothingStored() throws Exception {
        String admin = adminToken();
        String user = "dup-" + suffix();
        String client = "dup-" + suffix();
        // Last-wins parsing would create the user without the admin role a reviewer saw first, or the client with
        // the second name; each body is refused whole (issue #13 item 20).
        List<String> bodies = List.of(
                "{\"username\":\"" + user + "\",\"password\":\"" + STRONG + "\",\"roles\":[\"user\"],"
                        + "\"roles\":[\"admin\"]}",
                "{\"username\":\"" + user + "\",\"username\":\"" + user + "x\",\"password\":\"" + STRONG + "\"}",
                // Nested: inside a value that binding would otherwise refuse for its type or name.
                "{\"username\":\"" + user + "\",\"password\":\"" + STRONG + "\",\"roles\":[{\"a\":1,\"a\":2}]}",
                "{\"username\":\"" + user + "\",\"password\":\"" + STRONG + "\",\"x\":{\"y\":{\"z\":1,\"z\":1}}}");
        for (String body : bodies) {
            Map<String, Object> problem = problem(call("POST", "/admin/users", admin, body), 400);
            assertThat(problem.get("code")).as(body).isEqualTo("admin.duplicate_field");
            assertThat(problem.toString()).doesNotContain(STRONG);
        }
        assertThat(call("GET", "/admin/users/" + user, admin, null).statusCode())
                .isEqualTo(404);
        assertThat(call("GET", "/admin/users/" + user + "x", admin, null).statusCode())
                .isEqualTo(404);

        for (String body : List.of(
                "{\"clientId\":\"" + client + "\",\"clientName\":\"One\",\"clientName\":\"Two\","
                        + "\"grantTypes\":[\"client_credentials\"]}",
                "{\"clientId\":\"" + client + "\",\"clientName\":\"One\","
                        + "\"grantTypes\":[\"client_credentials\"],\"requireMfa\":{\"on\":true,\"on\":false}}")) {
            Map<String, Object> problem = problem(call("POST", "/admin/clients", admin, body), 400);
            assertThat(problem.get("code")).as(body).isEqualTo("admin.duplicate_field");
        }
        assertThat(call("GET", "/admin/clients/" + client, admin, null).statusCode())
                .isEqualTo(404);
        // The same bodies without the repetition are accepted.
        created(call(
                "POST",
                "/admin/users",
                admin,
                "{\"username\":\"" + user + "\",\"password\":\"" + STRONG + "\",\"roles\":[\"user\"]}"));
        created(call(
                "POST",
                "/admin/clients",
                admin,
                "{\"clientId\":\"" + client + "\",\"clientName\":\"One\",\"grantTypes\":[\"client_credentials\"]}"));
    }

    @Test
    void usersWhenNameDiffersOnlyInCaseThenStoredCanonicalAndSecondRefused() throws Exception {
        String admin = adminToken();
        String name = "Case-" + suffix().toUpperCase(java.util.Locale.ROOT);
        String canonical = name.toLowerCase(java.util.Locale.ROOT);
        Map<String, Object> created = created(createUser(admin, name, STRONG, null));
        // Stored (and so the token subject) in canonical form (issue #13 item 18).
        assertThat(created.get("username")).isEqualTo(canonical);
        assertThat(users.find(canonical)).map(u -> u.username()).contains(canonical);
        assertThat(users.find(name)).map(u -> u.username()).contains(canonical);
        for (String again : List.of(name, canonical, name.toUpperCase(java.util.Locale.ROOT))) {
            assertThat(problem(createUser(admin, again, STRONG, null), 409).get("code"))
                    .as(again)
                    .isEqualTo("admin.user.exists");
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_user WHERE username_key = ?", Integer.class, canonical))
                .isEqualTo(1);
    }

    @Test
    void usersWhenPagingThenBoundedPagesAndOutOfBoundsIsBadRequest() throws Exception {
        String admin = adminToken();
        for (int i = 0; i < 3; i++) {
            created(createUser(admin, "page-" + suffix(), STRONG, null));
        }
        Map<String, Object> first = object(call("GET", "/admin/users?page=0&size=2", admin, null), 200);
        assertThat((List<?>) first.get("items")).hasSize(2);
        long total = ((Number) first.get("totalItems")).longValue();
        assertThat(total).isGreaterThanOrEqualTo(4);
        assertThat(((Number) first.get("totalPages")).longValue()).isEqualTo((total + 1) / 2);
        Map<String, Object> beyond = object(call("GET", "/admin/users?page=100000&size=2", admin, null), 200);
        assertThat((List<?>) beyond.get("items")).isEmpty();
        for (String q : List.of("size=0", "size=101", "page=-1", "size=abc", "page=1e3")) {
            assertThat(problem(call("GET", "/admin/users?" + q, admin, null), 400)
                            .get("code"))
                    .as(q)
                    .isIn("admin.invalid_page_size", "admin.invalid_page", "admin.invalid_parameters");
        }
        assertThat(call("GET", "/admin/clients?size=101", admin, null).statusCode())
                .isEqualTo(400);
    }

    @Test
    void usersWhenDisabledThenSignInFailsAndEnableRestores() throws Exception {
        String admin = adminToken();
        String name = "dis-" + suffix();
        created(createUser(admin, name, STRONG, null));
        assertThat(object(call("POST", "/admin/users/" + name + "/disable", admin, null), 200)
                        .get("enabled"))
                .isEqualTo(false);
        assertThat(new HttpBrowser(base)
                        .login(name, STRONG)
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .contains("error");
        assertThat(object(call("POST", "/admin/users/" + name + "/enable", admin, null), 200)
                        .get("enabled"))
                .isEqualTo(true);
        assertThat(only(0, "admin.user.disable", name).outcome()).isEqualTo(AuditEvent.SUCCESS);
    }

    @Test
    void passwordResetWhenSetOrGeneratedThenStoredHashVerifiesAndGeneratedShownOnce() throws Exception {
        String admin = adminToken();
        String name = "reset-" + suffix();
        created(createUser(admin, name, STRONG, null));
        String next = "another fine passphrase 7";
        HttpResponse<String> set =
                call("POST", "/admin/users/" + name + "/password", admin, "{\"password\":\"" + next + "\"}");
        assertThat(set.statusCode()).isEqualTo(204);
        assertThat(hasher.verify(next, users.find(name).orElseThrow().passwordHash())
                        .matched())
                .isTrue();
        assertThat(problem(call("POST", "/admin/users/" + name + "/password", admin, "{\"password\":\"123\"}"), 400)
                        .get("code"))
                .isEqualTo("admin.weak_password");
        assertThat(problem(call("POST", "/admin/users/" + name + "/password", admin, "{}"), 400)
                        .get("code"))
                .isEqualTo("admin.password_or_generate");

        int before = audit.events.size();
        HttpResponse<String> generated =
                call("POST", "/admin/users/" + name + "/password", admin, "{\"generate\":true}");
        Map<String, Object> body = object(generated, 200);
        String password = (String) body.get("password");
        assertThat(password).hasSizeGreaterThanOrEqualTo(24);
        assertThat(generated.headers().firstValue("Cache-Control").orElseThrow())
                .contains("no-store");
        assertThat(hasher.verify(password, users.find(name).orElseThrow().passwordHash())
                        .matched())
                .isTrue();
        assertThat(call("GET", "/admin/users/" + name, admin, null).body()).doesNotContain(password);
        AuditEvent event = only(before, "admin.user.password.reset");
        assertThat(event.toString()).doesNotContain(password);
        assertThat(event.details()).containsEntry("generated", "true");
    }

    @Test
    void mfaResetWhenFactorAndCodesExistThenBothRemoved() throws Exception {
        String admin = adminToken();
        String name = "mfa-" + suffix();
        created(createUser(admin, name, STRONG, null));
        totp.enrol(name, name);
        recoveryCodes.generate(name);
        assertThat(count("gatehouse_totp_factor", "user_id", name)).isEqualTo(1);
        assertThat(count("gatehouse_recovery_code", "user_id", name)).isPositive();
        assertThat(call("DELETE", "/admin/users/" + name + "/mfa", admin, null).statusCode())
                .isEqualTo(204);
        assertThat(count("gatehouse_totp_factor", "user_id", name)).isZero();
        assertThat(count("gatehouse_recovery_code", "user_id", name)).isZero();
        assertThat(only(0, "admin.user.mfa.reset", name).details()).containsEntry("removed", "true");
    }

    @ParameterizedTest
    @ValueSource(strings = {"password", "mfa", "revoke", "disable"})
    void userSignInWhenOperatorResetsRevokesOrDisablesThenBrowserSessionEndsAndNoCodeIssued(String action)
            throws Exception {
        String admin = adminToken();
        String name = "ends-" + action + "-" + suffix();
        created(createUser(admin, name, STRONG, null));
        HttpBrowser victim = new HttpBrowser(base);
        assertThat(victim.login(name, STRONG).headers().firstValue("Location").orElseThrow())
                .doesNotContain("error");
        assertThat(victim.get("/").statusCode()).isEqualTo(200);
        HttpBrowser other = new HttpBrowser(base); // another user's session is left alone
        String bystander = "stays-" + suffix();
        created(createUser(admin, bystander, STRONG, null));
        other.login(bystander, STRONG);

        HttpResponse<String> done = switch (action) {
            case "password" ->
                call("POST", "/admin/users/" + name + "/password", admin, "{\"password\":\"" + STRONG + " x\"}");
            case "mfa" -> call("DELETE", "/admin/users/" + name + "/mfa", admin, null);
            case "revoke" -> call("DELETE", "/admin/users/" + name + "/sessions", admin, null);
            default -> call("POST", "/admin/users/" + name + "/disable", admin, null);
        };
        assertThat(done.statusCode()).as(done.body()).isBetween(200, 204);

        // The session cookie no longer signs anyone in: pages ask for a sign-in, the authorization endpoint sends
        // the browser to sign in instead of issuing a code.
        assertThat(victim.get("/").headers().firstValue("Location").orElseThrow())
                .endsWith("/login");
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", SERVICE);
        q.put("redirect_uri", SERVICE_REDIRECT);
        q.put("scope", "openid");
        q.put("state", "s");
        q.put("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        q.put("code_challenge_method", "S256");
        String location = victim.get(base + "/oauth2/authorize?" + HttpBrowser.encode(q))
                .headers()
                .firstValue("Location")
                .orElseThrow();
        assertThat(location).endsWith("/login").doesNotContain("code=");
        assertThat(other.get("/").statusCode()).isEqualTo(200);

        if (!action.equals("disable")) {
            // A new sign-in works again (with the new password after a reset).
            String password = action.equals("password") ? STRONG + " x" : STRONG;
            HttpBrowser again = new HttpBrowser(base);
            assertThat(again.login(name, password)
                            .headers()
                            .firstValue("Location")
                            .orElseThrow())
                    .doesNotContain("error");
            assertThat(again.get("/").statusCode()).isEqualTo(200);
        }
    }

    // ---------------------------------------------------------------- sessions

    @Test
    void sessionsWhenListedThenNoTokenValuesAndRevokedTokenFailsIntrospection() throws Exception {
        String admin = adminToken();
        String name = "sess-" + suffix();
        created(createUser(admin, name, STRONG, null));
        Map<String, Object> one = userTokens(name, STRONG, "openid api.read");
        Map<String, Object> two = userTokens(name, STRONG, "openid api.read");
        HttpResponse<String> r = call("GET", "/admin/users/" + name + "/sessions", admin, null);
        Map<String, Object> page = object(r, 200);
        List<?> sessions = (List<?>) page.get("items");
        assertThat(sessions).hasSize(2);
        assertThat(page.get("totalItems")).isEqualTo(2);
        for (Map<String, Object> t : List.of(one, two)) {
            assertThat(r.body()).doesNotContain((String) t.get("access_token")).doesNotContain((String)
                    t.get("refresh_token"));
        }
        Map<?, ?> first = (Map<?, ?>) sessions.get(0);
        assertThat(first.get("clientId")).isEqualTo(SERVICE);
        assertThat(first.get("grantType")).isEqualTo("authorization_code");

        assertThat(introspect((String) one.get("access_token")).get("active")).isEqualTo(true);
        String id = null;
        for (Object s : sessions) {
            String candidate = (String) ((Map<?, ?>) s).get("id");
            if (jdbc.queryForObject(
                            "SELECT COUNT(*) FROM oauth2_authorization WHERE id = ? AND access_token_value IS NOT NULL",
                            Integer.class,
                            candidate)
                    == 1) {
                id = candidate;
            }
        }
        assertThat(id).isNotNull();
        assertThat(call("DELETE", "/admin/users/" + name + "/sessions/" + id, admin, null)
                        .statusCode())
                .isEqualTo(204);
        assertThat((List<?>) object(call("GET", "/admin/users/" + name + "/sessions", admin, null), 200)
                        .get("items"))
                .hasSize(1);
        assertThat(call("DELETE", "/admin/users/" + name + "/sessions/" + id, admin, null)
                        .statusCode())
                .isEqualTo(404);

        Map<String, Object> all = object(call("DELETE", "/admin/users/" + name + "/sessions", admin, null), 200);
        assertThat(all.get("revoked")).isEqualTo(1);
        assertThat(introspect((String) one.get("access_token")).get("active")).isEqualTo(false);
        assertThat(introspect((String) two.get("access_token")).get("active")).isEqualTo(false);
        assertThat(introspect((String) two.get("refresh_token")).get("active")).isEqualTo(false);
        // One revocation succeeded, the repeated one failed (404); both are recorded.
        assertThat(audit.events)
                .filteredOn(e -> e.type().equals("admin.user.session.revoke") && name.equals(e.subject()))
                .extracting(AuditEvent::outcome)
                .containsExactly(AuditEvent.SUCCESS, AuditEvent.FAILURE);
    }

    // ---------------------------------------------------------------- clients

    @Test
    void clientsWhenRegisteredThenSecretShownOnceWorksAndIsNeverReadBack() throws Exception {
        String admin = adminToken();
        String id = "svc-" + suffix();
        int before = audit.events.size();
        HttpResponse<String> r = registerClient(admin, id, List.of("client_credentials"), List.of());
        Map<String, Object> body = created(r);
        String secret = (String) body.get("clientSecret");
        assertThat(Base64.getUrlDecoder().decode(secret)).hasSize(32); // 256 bits
        assertThat(r.headers().firstValue("Cache-Control").orElseThrow()).contains("no-store");
        String stored = jdbc.queryForObject(
                "SELECT client_secret FROM oauth2_registered_client WHERE client_id = ?", String.class, id);
        assertThat(stored).startsWith("{hmac-sha256}").doesNotContain(secret);

        assertThat(clientToken(id, secret, "api.read")).isNotBlank();

        HttpResponse<String> get = call("GET", "/admin/clients/" + id, admin, null);
        Map<String, Object> view = object(get, 200);
        assertThat(view.get("type")).isEqualTo("confidential");
        assertThat(view.get("requireProofKey")).isEqualTo(true);
        assertThat(get.body()).doesNotContain(secret).doesNotContain(stored).doesNotContain("clientSecret");
        HttpResponse<String> listed = call("GET", "/admin/clients?size=100", admin, null);
        assertThat(listed.body()).contains(id).doesNotContain(secret).doesNotContain("{hmac-sha256}");

        AuditEvent event = only(before, "admin.client.create");
        assertThat(event.subject()).isEqualTo(id);
        assertThat(event.toString()).doesNotContain(secret).doesNotContain(stored);
        assertThat(problem(registerClient(admin, id, List.of("client_credentials"), List.of()), 409)
                        .get("code"))
                .isEqualTo("admin.client.exists");
    }

    @Test
    void clientsWhenIntrospectionOfAnyTokenGrantedThenOtherClientsTokensIntrospectedUntilTakenBack() throws Exception {
        String admin = adminToken();
        String id = "rs-" + suffix();
        String secret = (String) created(registerClient(admin, id, List.of("client_credentials"), List.of()))
                .get("clientSecret");
        String token = clientToken(SERVICE, serviceSecret, "api.read");
        assertThat(introspectAs(id, secret, token)).isEqualTo(Map.of("active", false));

        int before = audit.events.size();
        Map<String, Object> view = object(
                call("PUT", "/admin/clients/" + id + "/introspection", admin, "{\"introspectAnyToken\":true}"), 200);
        assertThat(view.get("introspectAnyToken")).isEqualTo(true);
        assertThat(only(before, "admin.client.introspection", id).details())
                .containsEntry("introspectAnyToken", "true");
        Map<String, Object> info = introspectAs(id, secret, token);
        assertThat(info.get("active")).isEqualTo(true);
        assertThat(info.get("client_id")).isEqualTo(SERVICE);

        object(call("PUT", "/admin/clients/" + id + "/introspection", admin, "{\"introspectAnyToken\":false}"), 200);
        assertThat(introspectAs(id, secret, token)).isEqualTo(Map.of("active", false));
        assertThat(problem(call("PUT", "/admin/clients/" + id + "/introspection", admin, "{}"), 400)
                        .get("code"))
                .isEqualTo("admin.invalid_fields");
    }

    @Test
    void clientsWhenResourcesRegisteredAndReplacedThenClientCredentialsAudienceFollowsAndBadUrisAreProblems()
            throws Exception {
        String admin = adminToken();
        String id = "ri-" + suffix();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", id);
        body.put("clientName", "Client " + id);
        body.put("grantTypes", List.of("client_credentials"));
        body.put("scopes", List.of("api.read"));
        body.put("resources", List.of("https://api.example/v1", "http://localhost:8082", "https://api.example/v1"));
        Map<String, Object> created = created(call("POST", "/admin/clients", admin, JSON.writeValueAsString(body)));
        String secret = (String) created.get("clientSecret");
        assertThat(((Map<?, ?>) created.get("client")).get("resources"))
                .isEqualTo(List.of("https://api.example/v1", "http://localhost:8082"));
        assertThat(resourceAudience(id, secret, "https://api.example/v1")).containsExactly("https://api.example/v1");

        int before = audit.events.size();
        Map<String, Object> view = object(
                call("PUT", "/admin/clients/" + id + "/resources", admin, "{\"resources\":[\"https://b.example/\"]}"),
                200);
        assertThat(view.get("resources")).isEqualTo(List.of("https://b.example/"));
        assertThat(only(before, "admin.client.resources.update", id).details()).containsEntry("resources", "1");
        assertThat(resourceAudience(id, secret, "https://b.example/")).containsExactly("https://b.example/");
        HttpResponse<String> removed = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "resource", "https://api.example/v1"),
                "Authorization",
                HttpBrowser.basic(id, secret));
        assertThat(object(removed, 400).get("error")).isEqualTo("invalid_target");

        // RFC 8707 §2: absolute, no fragment; https or loopback http; bounded; the value never echoed.
        for (String bad : List.of(
                "https://api.example/v1#frag",
                "/relative",
                "http://api.example/plain-http",
                "javascript:alert(1)",
                "https://*.example/",
                "https://user@api.example/",
                "https://api.example/" + "x".repeat(2100))) {
            Map<String, Object> problem = problem(
                    call(
                            "PUT",
                            "/admin/clients/" + id + "/resources",
                            admin,
                            JSON.writeValueAsString(Map.of("resources", List.of("https://ok.example/", bad)))),
                    400);
            assertThat(problem.get("code")).as(bad).isEqualTo("admin.invalid_fields");
            assertThat((List<?>) problem.get("errors"))
                    .as(bad)
                    .singleElement()
                    .satisfies(e -> assertThat(((Map<?, ?>) e).get("field")).isEqualTo("resources[1]"))
                    .satisfies(e -> assertThat(((Map<?, ?>) e).get("code")).isEqualTo("admin.invalid_resource"));
            assertThat(problem.toString()).as(bad).doesNotContain(bad);
        }
        List<String> tooMany = new java.util.ArrayList<>();
        for (int i = 0; i < 21; i++) {
            tooMany.add("https://r" + i + ".example/");
        }
        assertThat(problem(
                                call(
                                        "PUT",
                                        "/admin/clients/" + id + "/resources",
                                        admin,
                                        JSON.writeValueAsString(Map.of("resources", tooMany))),
                                400)
                        .get("code"))
                .isEqualTo("admin.invalid_fields");
        assertThat(object(call("GET", "/admin/clients/" + id, admin, null), 200).get("resources"))
                .isEqualTo(List.of("https://b.example/"));
    }

    private List<String> resourceAudience(String id, String secret, String resource) throws Exception {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "resource", resource),
                "Authorization",
                HttpBrowser.basic(id, secret));
        String token = (String) object(r, 200).get("access_token");
        return com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet().getAudience();
    }

    private Map<String, Object> introspectAs(String id, String secret, String token) throws Exception {
        return object(
                new HttpBrowser(base)
                        .postForm(
                                "/oauth2/introspect",
                                Map.of("token", token),
                                "Authorization",
                                HttpBrowser.basic(id, secret)),
                200);
    }

    @Test
    void clientsWhenSecretRotatedThenOldRefusedAndNewWorks() throws Exception {
        String admin = adminToken();
        String id = "rot-" + suffix();
        String old = (String) created(registerClient(admin, id, List.of("client_credentials"), List.of()))
                .get("clientSecret");
        String minted = clientToken(id, old, "api.read"); // e.g. by whoever held the leaked secret
        assertThat(introspect(minted).get("active")).isEqualTo(true);
        int before = audit.events.size();
        HttpResponse<String> r = call("POST", "/admin/clients/" + id + "/secret", admin, null);
        String fresh = (String) object(r, 200).get("clientSecret");
        assertThat(fresh).isNotEqualTo(old);
        assertThat(r.headers().firstValue("Cache-Control").orElseThrow()).contains("no-store");
        HttpResponse<String> refused = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", "api.read"),
                "Authorization",
                HttpBrowser.basic(id, old));
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(clientToken(id, fresh, "api.read")).isNotBlank();
        // Tokens minted with the old secret alone are revoked with it (introspection says so at once).
        assertThat(introspect(minted).get("active")).isEqualTo(false);
        AuditEvent event = only(before, "admin.client.secret.rotate");
        assertThat(event.subject()).isEqualTo(id);
        assertThat(event.toString()).doesNotContain(fresh).doesNotContain(old);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://app.example/cb#frag",
                "https://*.example/cb",
                "https://app.example/*",
                "/relative/cb",
                "javascript:alert(1)",
                "data:text/html,hi",
                "http://app.example/cb",
                "http://localhost:8080/cb",
                "https://user@app.example/cb",
                "custom.scheme:/cb",
                "not a uri",
                ""
            })
    void clientsWhenRedirectUriInvalidThenBadRequestOnRegisterAndUpdate(String uri) throws Exception {
        String admin = adminToken();
        Map<String, Object> problem =
                problem(registerClient(admin, "bad-" + suffix(), List.of("authorization_code"), List.of(uri)), 400);
        assertThat(problem.get("errors").toString()).contains("redirectUris[0]");
        String body = JSON.writeValueAsString(Map.of("redirectUris", List.of(uri)));
        assertThat(call("PUT", "/admin/clients/" + SERVICE + "/redirect-uris", admin, body)
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void clientsWhenRedirectUrisUpdatedThenExactUrisStoredAndUsable() throws Exception {
        String admin = adminToken();
        String id = "web-" + suffix();
        created(registerClient(
                admin, id, List.of("authorization_code", "refresh_token"), List.of("https://app.example/cb")));
        String body = JSON.writeValueAsString(Map.of(
                "redirectUris", List.of("https://app.example/cb2", "http://127.0.0.1:9999/cb", "http://[::1]/cb"),
                "postLogoutRedirectUris", List.of("https://app.example/")));
        Map<String, Object> view = object(call("PUT", "/admin/clients/" + id + "/redirect-uris", admin, body), 200);
        assertThat(((List<?>) view.get("redirectUris"))
                        .stream().map(Object::toString).toList())
                .containsExactlyInAnyOrder("https://app.example/cb2", "http://127.0.0.1:9999/cb", "http://[::1]/cb");
        assertThat(problem(call("PUT", "/admin/clients/" + id + "/redirect-uris", admin, "{\"redirectUris\":[]}"), 400)
                        .get("code"))
                .isEqualTo("admin.redirect_uri_required");
        assertThat(call("PUT", "/admin/clients/nope-" + suffix() + "/redirect-uris", admin, body)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void clientsWhenPublicClientWithClientCredentialsOrUnknownGrantThenBadRequest() throws Exception {
        String admin = adminToken();
        String body = JSON.writeValueAsString(Map.of(
                "clientId",
                "pub-" + suffix(),
                "clientName",
                "x",
                "type",
                "public",
                "grantTypes",
                List.of("client_credentials", "password", "implicit")));
        Map<String, Object> problem = problem(call("POST", "/admin/clients", admin, body), 400);
        assertThat(problem.get("errors").toString())
                .contains("admin.unsupported_grant")
                .contains("admin.public_client_grant");
        String pub = "spa-" + suffix();
        Map<String, Object> created = created(call(
                "POST",
                "/admin/clients",
                admin,
                JSON.writeValueAsString(Map.of(
                        "clientId",
                        pub,
                        "clientName",
                        "SPA",
                        "type",
                        "public",
                        "grantTypes",
                        List.of("authorization_code"),
                        "redirectUris",
                        List.of("https://spa.example/cb")))));
        assertThat(created.get("clientSecret")).isNull();
        assertThat(problem(call("POST", "/admin/clients/" + pub + "/secret", admin, null), 409)
                        .get("code"))
                .isEqualTo("admin.client.no_secret");
    }

    @Test
    void clientsWhenDeletedThenSecretAndTokensStopWorking() throws Exception {
        String admin = adminToken();
        String id = "del-" + suffix();
        String secret = (String) created(registerClient(admin, id, List.of("client_credentials"), List.of()))
                .get("clientSecret");
        String token = clientToken(id, secret, "api.read");
        assertThat(introspect(token).get("active")).isEqualTo(true);
        assertThat(call("DELETE", "/admin/clients/" + id, admin, null).statusCode())
                .isEqualTo(204);
        assertThat(introspect(token).get("active")).isEqualTo(false);
        HttpResponse<String> refused = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", "api.read"),
                "Authorization",
                HttpBrowser.basic(id, secret));
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(call("GET", "/admin/clients/" + id, admin, null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void clientsWhenIdNameScopeOrTypeInvalidThenBadRequestNamingTheFieldAndNothingStored() throws Exception {
        String admin = adminToken();
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("clientId", "{\"clientId\":\"-bad id\"}");
        cases.put("clientName", "{\"clientName\":\"bell\\u0007name\"}");
        cases.put("scopes[0]", "{\"scopes\":[\"bad scope\"]}");
        cases.put("type", "{\"type\":\"hybrid\"}");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String id = "val-" + suffix();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("clientId", id);
            body.put("clientName", "Valid name");
            body.put("grantTypes", List.of("client_credentials"));
            body.putAll(JSON.readValue(c.getValue(), Map.class));
            Map<String, Object> problem =
                    problem(call("POST", "/admin/clients", admin, JSON.writeValueAsString(body)), 400);
            assertThat(problem.get("code")).as(c.getKey()).isEqualTo("admin.invalid_fields");
            assertThat(((List<?>) problem.get("errors"))
                            .stream()
                                    .map(e -> String.valueOf(((Map<?, ?>) e).get("field")))
                                    .toList())
                    .as(c.getKey())
                    .containsExactly(c.getKey());
            String stored = (String) body.get("clientId");
            assertThat(jdbc.queryForObject(
                            "SELECT COUNT(*) FROM oauth2_registered_client WHERE client_id = ?", Integer.class, stored))
                    .isZero();
        }
    }

    @Test
    void userRolesWhenRoleNameInvalidThenBadRequestOnAddAndRemove() throws Exception {
        String admin = adminToken();
        String name = "badrole-" + suffix();
        created(createUser(admin, name, STRONG, null));
        for (String method : List.of("PUT", "DELETE")) {
            Map<String, Object> problem = problem(call(method, "/admin/users/" + name + "/roles/1x", admin, null), 400);
            assertThat(problem.get("code")).as(method).isEqualTo("admin.invalid_role");
        }
        assertThat(users.roles(name)).containsExactly("user");
    }

    @Test
    void sessionsWhenPagedThenBoundedPagesWithTotals() throws Exception {
        String admin = adminToken();
        String name = "spage-" + suffix();
        created(createUser(admin, name, STRONG, null));
        userTokens(name, STRONG, "openid api.read");
        userTokens(name, STRONG, "openid api.read");
        userTokens(name, STRONG, "openid api.read");
        Map<String, Object> first =
                object(call("GET", "/admin/users/" + name + "/sessions?page=0&size=2", admin, null), 200);
        Map<String, Object> second =
                object(call("GET", "/admin/users/" + name + "/sessions?page=1&size=2", admin, null), 200);
        assertThat((List<?>) first.get("items")).hasSize(2);
        assertThat((List<?>) second.get("items")).hasSize(1);
        assertThat(first.get("totalItems")).isEqualTo(3);
        assertThat(first.get("totalPages")).isEqualTo(2);
        assertThat(first.get("items").toString())
                .doesNotContain(((Map<?, ?>) ((List<?>) second.get("items")).get(0))
                        .get("id")
                        .toString());
        assertThat(problem(call("GET", "/admin/users/" + name + "/sessions?size=0", admin, null), 400)
                        .get("code"))
                .isEqualTo("admin.invalid_page_size");
        assertThat(call("GET", "/admin/users/nobody-" + suffix() + "/sessions", admin, null)
                        .statusCode())
                .isEqualTo(404);
    }

    // ---------------------------------------------------------------- roles

    @Test
    void rolesWhenCreatedUpdatedAndDeletedThenStoredSortedDeduplicatedAndAudited() throws Exception {
        String admin = adminToken();
        String role = "support-" + suffix();
        int before = audit.events.size();
        HttpResponse<String> r = call(
                "POST",
                "/admin/roles",
                admin,
                JSON.writeValueAsString(Map.of(
                        "name",
                        role,
                        "description",
                        "Help desk",
                        "permissions",
                        List.of("ticket:write", "ticket:read", "ticket:write"))));
        Map<String, Object> created = created(r);
        assertThat(r.headers().firstValue("Location")).contains("/admin/roles/" + role);
        assertThat(created.get("permissions")).isEqualTo(List.of("ticket:read", "ticket:write"));
        assertThat(created.get("builtin")).isEqualTo(false);
        assertThat(created.get("users")).isEqualTo(0);
        assertThat(problem(createRole(admin, role, List.of()), 409).get("code")).isEqualTo("admin.role.exists");

        Map<String, Object> updated = object(
                call(
                        "PUT",
                        "/admin/roles/" + role,
                        admin,
                        JSON.writeValueAsString(Map.of("permissions", List.of("ticket:*", "kb:read")))),
                200);
        assertThat(updated.get("permissions")).isEqualTo(List.of("kb:read", "ticket:*"));
        assertThat(updated.get("description")).isEqualTo("Help desk");
        Map<String, Object> renamed = object(
                call(
                        "PUT",
                        "/admin/roles/" + role,
                        admin,
                        JSON.writeValueAsString(Map.of("description", "Support", "permissions", List.of()))),
                200);
        assertThat(renamed.get("permissions")).isEqualTo(List.of());
        assertThat(object(call("GET", "/admin/roles/" + role, admin, null), 200).get("description"))
                .isEqualTo("Support");

        assertThat(call("DELETE", "/admin/roles/" + role, admin, null).statusCode())
                .isEqualTo(204);
        assertThat(problem(call("GET", "/admin/roles/" + role, admin, null), 404)
                        .get("code"))
                .isEqualTo("admin.not_found");
        assertThat(problem(call("DELETE", "/admin/roles/" + role, admin, null), 404)
                        .get("code"))
                .isEqualTo("admin.not_found");
        assertThat(problem(
                                call(
                                        "PUT",
                                        "/admin/roles/" + role,
                                        admin,
                                        JSON.writeValueAsString(Map.of("permissions", List.of()))),
                                404)
                        .get("code"))
                .isEqualTo("admin.not_found");

        AuditEvent create = audit.events.subList(before, audit.events.size()).stream()
                .filter(e -> e.type().equals("admin.role.create") && role.equals(e.subject()))
                .findFirst()
                .orElseThrow();
        assertThat(create.outcome()).isEqualTo(AuditEvent.SUCCESS);
        assertThat(create.actor()).isEqualTo(SERVICE);
        assertThat(create.details()).containsEntry("permissions", "ticket:read ticket:write");
        assertThat(audit.events.subList(before, audit.events.size()))
                .filteredOn(e -> role.equals(e.subject()))
                .extracting(AuditEvent::type, AuditEvent::outcome)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("admin.role.create", AuditEvent.SUCCESS),
                        org.assertj.core.groups.Tuple.tuple("admin.role.create", AuditEvent.FAILURE),
                        org.assertj.core.groups.Tuple.tuple("admin.role.update", AuditEvent.SUCCESS),
                        org.assertj.core.groups.Tuple.tuple("admin.role.update", AuditEvent.SUCCESS),
                        org.assertj.core.groups.Tuple.tuple("admin.role.delete", AuditEvent.SUCCESS),
                        org.assertj.core.groups.Tuple.tuple("admin.role.delete", AuditEvent.FAILURE),
                        org.assertj.core.groups.Tuple.tuple("admin.role.update", AuditEvent.FAILURE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"noColon", "a:b:c", ":read", "doc:", "do*c:read", "doc:re ad", "", "doc:read\u0000"})
    void rolesWhenPermissionInvalidThenBadRequestNamingItAndNothingStored(String permission) throws Exception {
        String admin = adminToken();
        String role = "inv-" + suffix();
        Map<String, Object> problem = problem(createRole(admin, role, List.of("doc:read", permission)), 400);
        assertThat(problem.get("errors"))
                .isEqualTo(List.of(Map.of(
                        "field",
                        "permissions[1]",
                        "code",
                        "admin.invalid_permission",
                        "message",
                        ((Map<?, ?>) ((List<?>) problem.get("errors")).get(0)).get("message"))));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_role WHERE name = ?", Integer.class, role))
                .isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_role_permission WHERE role = ?", Integer.class, role))
                .isZero();
        // The same rules on update, which leaves the stored set as it was.
        created(createRole(admin, role, List.of("doc:read")));
        assertThat(problem(
                                call(
                                        "PUT",
                                        "/admin/roles/" + role,
                                        admin,
                                        JSON.writeValueAsString(Map.of("permissions", List.of("doc:*", permission)))),
                                400)
                        .get("code"))
                .isEqualTo("admin.invalid_fields");
        assertThat(object(call("GET", "/admin/roles/" + role, admin, null), 200).get("permissions"))
                .isEqualTo(List.of("doc:read"));
    }

    @Test
    void rolesWhenNameInvalidOrFieldsMissingThenBadRequest() throws Exception {
        String admin = adminToken();
        for (String name : List.of("1x", "-x", "a b", "x".repeat(101))) {
            Map<String, Object> problem = problem(createRole(admin, name, List.of()), 400);
            assertThat(problem.get("errors").toString()).as(name).contains("field=name");
        }
        assertThat(problem(call("POST", "/admin/roles", admin, "{\"name\":\"nopermissions\"}"), 400)
                        .get("errors")
                        .toString())
                .contains("field=permissions");
        assertThat(problem(
                                call(
                                        "POST",
                                        "/admin/roles",
                                        admin,
                                        "{\"name\":\"x\",\"permissions\":[],\"inherits\":[]}"),
                                400)
                        .get("code"))
                .isEqualTo("admin.unreadable_body");
        assertThat(problem(call("PUT", "/admin/roles/1x", admin, "{\"permissions\":[]}"), 400)
                        .get("errors")
                        .toString())
                .contains("field=name");
    }

    @Test
    void rolesWhenHeldByUsersThenDeleteConflictsUntilTakenAndUnknownRoleCannotBeAssigned() throws Exception {
        String admin = adminToken();
        String role = "held-" + suffix();
        String name = "holder-" + suffix();
        created(createRole(admin, role, List.of("doc:read")));
        created(createUser(admin, name, STRONG, List.of("user", role)));
        assertThat(object(call("GET", "/admin/roles/" + role, admin, null), 200).get("users"))
                .isEqualTo(1);
        assertThat(problem(call("DELETE", "/admin/roles/" + role, admin, null), 409)
                        .get("code"))
                .isEqualTo("admin.role.in_use");
        assertThat(call("GET", "/admin/roles/" + role, admin, null).statusCode())
                .isEqualTo(200);
        object(call("DELETE", "/admin/users/" + name + "/roles/" + role, admin, null), 200);
        assertThat(call("DELETE", "/admin/roles/" + role, admin, null).statusCode())
                .isEqualTo(204);

        // A role must exist before it is given.
        assertThat(problem(call("PUT", "/admin/users/" + name + "/roles/" + role, admin, null), 404)
                        .get("code"))
                .isEqualTo("admin.not_found");
        Map<String, Object> unknown = problem(createUser(admin, "nr-" + suffix(), STRONG, List.of(role)), 400);
        assertThat(unknown.get("code")).isEqualTo("admin.unknown_role");
        assertThat(users.roles(name)).containsExactly("user");
    }

    @Test
    void rolesWhenBuiltInThenPermissionsFixedAndNotDeletableButDescriptionChangeable() throws Exception {
        String admin = adminToken();
        Map<String, Object> adminRole = object(call("GET", "/admin/roles/admin", admin, null), 200);
        assertThat(adminRole.get("permissions")).isEqualTo(List.of("*:*"));
        assertThat(adminRole.get("builtin")).isEqualTo(true);
        assertThat(object(call("GET", "/admin/roles/auditor", admin, null), 200).get("permissions"))
                .isEqualTo(List.of("*:read"));
        assertThat(object(call("GET", "/admin/roles/admin-client", admin, null), 200)
                        .get("permissions"))
                .isEqualTo(List.of("*:*"));

        assertThat(problem(
                                call(
                                        "PUT",
                                        "/admin/roles/admin",
                                        admin,
                                        JSON.writeValueAsString(Map.of("permissions", List.of("user:read")))),
                                409)
                        .get("code"))
                .isEqualTo("admin.role.builtin");
        assertThat(problem(call("DELETE", "/admin/roles/auditor", admin, null), 409)
                        .get("code"))
                .isEqualTo("admin.role.builtin");
        String description = "Operators " + suffix();
        assertThat(object(
                                call(
                                        "PUT",
                                        "/admin/roles/auditor",
                                        admin,
                                        JSON.writeValueAsString(
                                                Map.of("description", description, "permissions", List.of("*:read")))),
                                200)
                        .get("description"))
                .isEqualTo(description);
        assertThat(object(call("GET", "/admin/roles/admin", admin, null), 200).get("permissions"))
                .isEqualTo(List.of("*:*"));
        // The demo user still administers.
        assertThat(call("GET", "/admin/users", userToken("demo", demoPassword, "openid admin"), null)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void rolesWhenListedThenPagedByName() throws Exception {
        String admin = adminToken();
        Map<String, Object> first = object(call("GET", "/admin/roles?page=0&size=2", admin, null), 200);
        assertThat((List<?>) first.get("items")).hasSize(2);
        assertThat(((Number) first.get("totalItems")).longValue()).isGreaterThanOrEqualTo(4);
        List<String> names = ((List<?>) object(call("GET", "/admin/roles?size=100", admin, null), 200)
                        .get("items"))
                .stream().map(r -> (String) ((Map<?, ?>) r).get("name")).toList();
        assertThat(names).contains("admin", "admin-client", "auditor", "user").isSorted();
        assertThat(problem(call("GET", "/admin/roles?size=0", admin, null), 400).get("code"))
                .isEqualTo("admin.invalid_page_size");
    }

    @Test
    void tokenWhenUserHoldsRolesThenPermissionsClaimIsTheSortedUnionAndFollowsChanges() throws Exception {
        String admin = adminToken();
        String editor = "editor-" + suffix();
        String reader = "reader-" + suffix();
        String name = "perm-" + suffix();
        created(createRole(admin, editor, List.of("doc:write", "doc:read")));
        created(createRole(admin, reader, List.of("doc:read", "*:read")));
        created(createUser(admin, name, STRONG, List.of("user", reader, editor)));
        JWTClaimsSet claims =
                SignedJWT.parse(userToken(name, STRONG, "openid api.read")).getJWTClaimsSet();
        assertThat(claims.getStringListClaim("permissions")).containsExactly("*:read", "doc:read", "doc:write");
        assertThat(claims.getStringListClaim("roles"))
                .containsExactlyElementsOf(new java.util.TreeSet<>(List.of("user", reader, editor)));

        object(
                call(
                        "PUT",
                        "/admin/roles/" + editor,
                        admin,
                        JSON.writeValueAsString(Map.of("permissions", List.of("doc:delete")))),
                200);
        assertThat(SignedJWT.parse(userToken(name, STRONG, "openid api.read"))
                        .getJWTClaimsSet()
                        .getStringListClaim("permissions"))
                .containsExactly("*:read", "doc:delete", "doc:read");

        // A user whose roles grant no permission gets no claim.
        String plain = "plain-" + suffix();
        created(createUser(admin, plain, STRONG, List.of("user")));
        assertThat(SignedJWT.parse(userToken(plain, STRONG, "openid api.read"))
                        .getJWTClaimsSet()
                        .getClaim("permissions"))
                .isNull();
    }

    @Test
    void adminWhenUserHoldsCustomRoleWithWildcardPermissionsThenAdminApiStillForbidden() throws Exception {
        // Database roles are for relying parties: a custom role, even with *:*, grants nothing in the admin API,
        // whose own authorization only the built-in roles decide.
        String admin = adminToken();
        String role = "wild-" + suffix();
        String name = "wild-" + suffix();
        created(createRole(admin, role, List.of("*:*", "user:read")));
        created(createUser(admin, name, STRONG, List.of(role)));
        Map<String, Object> tokens = userTokens(name, STRONG, "openid admin");
        assertThat(SignedJWT.parse((String) tokens.get("access_token"))
                        .getJWTClaimsSet()
                        .getStringListClaim("permissions"))
                .containsExactly("*:*", "user:read");
        for (String path : List.of("/admin/users", "/admin/roles", "/admin/keys")) {
            assertThat(problem(call("GET", path, (String) tokens.get("access_token"), null), 403)
                            .get("code"))
                    .as(path)
                    .isEqualTo("admin.forbidden");
        }
    }

    // ---------------------------------------------------------------- passkeys (issue #16)

    @Test
    void passkeysWhenListedThenNoKeyMaterialAndOnlyThisUsersOnes() throws Exception {
        String admin = adminToken();
        String name = "pk-" + suffix();
        String other = "pk-other-" + suffix();
        created(createUser(admin, name, STRONG, null));
        created(createUser(admin, other, STRONG, null));
        String id = PasskeyRows.add(jdbc, name, "laptop", true, List.of("usb", "internal"), Instant.now());
        PasskeyRows.add(jdbc, other, "theirs", false, List.of(), Instant.now());

        HttpResponse<String> r = call("GET", "/admin/users/" + name + "/passkeys", admin, null);

        Map<String, Object> body = object(r, 200);
        assertThat(body.get("username")).isEqualTo(name);
        List<?> passkeys = (List<?>) body.get("passkeys");
        assertThat(passkeys).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> passkey = (Map<String, Object>) passkeys.get(0);
        assertThat(passkey)
                .containsEntry("id", id)
                .containsEntry("label", "laptop")
                .containsEntry("backupEligible", true)
                .containsEntry("transports", List.of("usb", "internal"))
                .containsKeys("created", "lastUsed", "backedUp")
                .doesNotContainKeys("publicKey", "signatureCount", "userHandle", "attestationObject");
        assertThat(r.body()).doesNotContain("theirs");
        assertThat(problem(call("GET", "/admin/users/nobody-" + suffix() + "/passkeys", admin, null), 404)
                        .get("code"))
                .isEqualTo("admin.not_found");
    }

    @Test
    void passkeysWhenOneRemovedByAnOperatorThenGoneAuditedWithItsShortHashAndAnotherUsersIdIsNotFound()
            throws Exception {
        String admin = adminToken();
        String name = "pk-" + suffix();
        String other = "pk-other-" + suffix();
        created(createUser(admin, name, STRONG, null));
        created(createUser(admin, other, STRONG, null));
        String id = PasskeyRows.add(jdbc, name, "laptop", false, List.of(), Instant.now());
        String kept = PasskeyRows.add(jdbc, name, "phone", false, List.of(), Instant.now());
        String others = PasskeyRows.add(jdbc, other, "theirs", false, List.of(), Instant.now());
        int before = audit.events.size();

        assertThat(call("DELETE", "/admin/users/" + name + "/passkeys/" + others, admin, null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(call("DELETE", "/admin/users/" + name + "/passkeys/" + id, admin, null)
                        .statusCode())
                .isEqualTo(204);
        assertThat(problem(call("DELETE", "/admin/users/" + name + "/passkeys/a+b", admin, null), 400)
                        .get("code"))
                .isEqualTo("admin.invalid_credential_id");

        assertThat(count("gh_passkey_user", "username", other)).isEqualTo(1);
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_passkey p JOIN gh_passkey_user u ON p.user_handle = u.user_handle"
                                + " WHERE u.username = ?",
                        Integer.class,
                        name))
                .isEqualTo(1);
        List<AuditEvent> removals = audit.events.subList(before, audit.events.size()).stream()
                .filter(e -> e.type().equals(AuditEvents.PASSKEY_REMOVE))
                .toList();
        assertThat(removals)
                .extracting(AuditEvent::outcome)
                .containsExactly(AuditEvent.FAILURE, AuditEvent.SUCCESS, AuditEvent.FAILURE);
        AuditEvent removed = removals.get(1);
        assertThat(removed.subject()).isEqualTo(name);
        assertThat(removed.actor()).isNotEqualTo(name);
        assertThat(removed.details()).containsEntry("by", "operator").containsEntry("credential", PasskeyIds.ref(id));
        assertThat(removals.toString())
                .doesNotContain(id)
                .doesNotContain(others)
                .doesNotContain(kept);
    }

    @Test
    void passkeysWhenResetByAnOperatorThenAllGoneButTheRequirementStays() throws Exception {
        String admin = adminToken();
        String name = "pk-" + suffix();
        created(createUser(admin, name, STRONG, null));
        PasskeyRows.add(jdbc, name, "laptop", false, List.of(), Instant.now());
        PasskeyRows.add(jdbc, name, "phone", true, List.of(), Instant.now());
        Map<String, Object> required = object(
                call("PUT", "/admin/users/" + name + "/passkey-required", admin, "{\"passkeyRequired\":true}"), 200);
        assertThat(required.get("passkeyRequired")).isEqualTo(true);
        int before = audit.events.size();

        Map<String, Object> reset = object(call("DELETE", "/admin/users/" + name + "/passkeys", admin, null), 200);

        assertThat(reset).containsEntry("removed", 2);
        assertThat((List<?>) object(call("GET", "/admin/users/" + name + "/passkeys", admin, null), 200)
                        .get("passkeys"))
                .isEmpty();
        // Recovery (issue #16): the reset removes the passkeys, never the requirement; the user registers a new one.
        assertThat(users.passkeyRequired(name)).isTrue();
        assertThat(object(call("GET", "/admin/users/" + name, admin, null), 200).get("passkeyRequired"))
                .isEqualTo(true);
        AuditEvent event = only(before, AuditEvents.PASSKEY_REMOVE, name);
        assertThat(event.details()).containsEntry("by", "operator").containsEntry("removed", "2");
    }

    @Test
    void passkeyRequiredWhenSetThroughAdminApiThenStoredAuditedAndValidated() throws Exception {
        String admin = adminToken();
        String name = "pk-" + suffix();
        created(createUser(admin, name, STRONG, null));
        assertThat(object(call("GET", "/admin/users/" + name, admin, null), 200).get("passkeyRequired"))
                .isEqualTo(false);
        int before = audit.events.size();

        object(call("PUT", "/admin/users/" + name + "/passkey-required", admin, "{\"passkeyRequired\":true}"), 200);

        assertThat(users.passkeyRequired(name)).isTrue();
        assertThat(only(before, "admin.user.passkey.required", name).details())
                .containsEntry("passkeyRequired", "true");
        object(call("PUT", "/admin/users/" + name + "/passkey-required", admin, "{\"passkeyRequired\":false}"), 200);
        assertThat(users.passkeyRequired(name)).isFalse();
        assertThat(problem(call("PUT", "/admin/users/" + name + "/passkey-required", admin, "{}"), 400)
                        .get("code"))
                .isEqualTo("admin.invalid_fields");
        assertThat(call(
                                "PUT",
                                "/admin/users/nobody-" + suffix() + "/passkey-required",
                                admin,
                                "{\"passkeyRequired\":true}")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void phishingResistantWhenClientSettingSetThroughAdminApiThenStoredLikeRequireMfaAndOtherSettingsStay()
            throws Exception {
        String admin = adminToken();
        String id = "phr-cli-" + suffix();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", id);
        body.put("clientName", "Phishing-resistant client");
        body.put("grantTypes", List.of("authorization_code"));
        body.put("scopes", List.of("openid"));
        body.put("redirectUris", List.of(MFA_REDIRECT));
        body.put("requirePhishingResistant", true);
        Map<String, Object> registered = created(call("POST", "/admin/clients", admin, JSON.writeValueAsString(body)));
        assertThat(((Map<?, ?>) registered.get("client")).get("requirePhishingResistant"))
                .isEqualTo(true);
        assertThat(clientSetting(id)).isEqualTo(true);
        int before = audit.events.size();

        Map<String, Object> view = object(
                call(
                        "PUT",
                        "/admin/clients/" + id + "/phishing-resistant-required",
                        admin,
                        "{\"requirePhishingResistant\":false}"),
                200);

        assertThat(view.get("requirePhishingResistant")).isEqualTo(false);
        assertThat(view.get("requireProofKey")).isEqualTo(true);
        assertThat(clientSetting(id)).isEqualTo(false);
        assertThat(only(before, "admin.client.phishing_resistant.required", id).details())
                .containsEntry("requirePhishingResistant", "false");
        assertThat(problem(call("PUT", "/admin/clients/" + id + "/phishing-resistant-required", admin, "{}"), 400)
                        .get("code"))
                .isEqualTo("admin.invalid_fields");
        assertThat(call(
                                "PUT",
                                "/admin/clients/nope-" + suffix() + "/phishing-resistant-required",
                                admin,
                                "{\"requirePhishingResistant\":true}")
                        .statusCode())
                .isEqualTo(404);
    }

    // ---------------------------------------------------------------- FAPI 2.0 Security Profile switch

    @Test
    void fapi2WhenClientDoesNotMeetProfileThenRefusedAndNothingChanged() throws Exception {
        String admin = adminToken();
        // A confidential client the admin API registers authenticates with a secret, not private_key_jwt.
        String id = "fapi-secret-" + suffix();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", id);
        body.put("clientName", "FAPI with a secret");
        body.put("grantTypes", List.of("authorization_code", "urn:ietf:params:oauth:grant-type:device_code"));
        body.put("scopes", List.of("openid"));
        body.put("redirectUris", List.of(MFA_REDIRECT));
        body.put("fapi2", true);
        Map<String, Object> refused =
                problem(call("POST", "/admin/clients", admin, JSON.writeValueAsString(body)), 400);
        assertThat(refused.get("code")).isEqualTo("admin.fapi2_not_met");
        assertThat((List<?>) refused.get("errors"))
                .singleElement()
                .asString()
                .contains("fapi2", "private_key_jwt", "device_code");
        assertThat(call("GET", "/admin/clients/" + id, admin, null).statusCode())
                .isEqualTo(404);
        // Switched on later: refused the same way, the client unchanged.
        body.put("fapi2", false);
        created(call("POST", "/admin/clients", admin, JSON.writeValueAsString(body)));
        assertThat(problem(call("PUT", "/admin/clients/" + id + "/fapi2", admin, "{\"fapi2\":true}"), 400)
                        .get("code"))
                .isEqualTo("admin.fapi2_not_met");
        assertThat(Fapi2Profile.enabled(registeredClients.findByClientId(id))).isFalse();
        // A private_key_jwt client with a plain-http redirect URI (FAPI 2.0 §5.3.2.2): refused.
        String http = fapi2KeyClient("fapi-http-" + suffix(), "http://app.example/cb");
        Map<String, Object> httpRefused =
                problem(call("PUT", "/admin/clients/" + http + "/fapi2", admin, "{\"fapi2\":true}"), 400);
        assertThat((List<?>) httpRefused.get("errors"))
                .singleElement()
                .asString()
                .contains("https");
        assertThat(Fapi2Profile.enabled(registeredClients.findByClientId(http))).isFalse();
        assertThat(problem(call("PUT", "/admin/clients/" + http + "/fapi2", admin, "{}"), 400)
                        .get("code"))
                .isEqualTo("admin.invalid_fields");
    }

    @Test
    void fapi2WhenPrivateKeyJwtClientSwitchedOnThenAuditedAndCodeLifetimeCappedAcrossUpdates() throws Exception {
        String admin = adminToken();
        String id = fapi2KeyClient("fapi-key-" + suffix(), "https://app.example/cb");
        int before = audit.events.size();

        Map<String, Object> view =
                object(call("PUT", "/admin/clients/" + id + "/fapi2", admin, "{\"fapi2\":true}"), 200);

        assertThat(view.get("fapi2")).isEqualTo(true);
        assertThat(only(before, "admin.client.fapi2", id).details()).containsEntry("fapi2", "true");
        RegisteredClient saved = registeredClients.findByClientId(id);
        assertThat(Fapi2Profile.enabled(saved)).isTrue();
        assertThat(saved.getTokenSettings().getAuthorizationCodeTimeToLive()).isEqualTo(Duration.ofSeconds(60));
        // Later updates keep the profile's rules: no http redirect URI, the cap stays.
        object(
                call(
                        "PUT",
                        "/admin/clients/" + id + "/redirect-uris",
                        admin,
                        "{\"redirectUris\":[\"https://app.example/other\"]}"),
                200);
        object(call("PUT", "/admin/clients/" + id + "/mfa-required", admin, "{\"requireMfa\":true}"), 200);
        object(call("PUT", "/admin/clients/" + id + "/fapi2", admin, "{\"fapi2\":false}"), 200);
        assertThat(registeredClients.findByClientId(id).getTokenSettings().getAuthorizationCodeTimeToLive())
                .isEqualTo(Duration.ofSeconds(60));
    }

    /** A private_key_jwt client saved through the repository (the admin API cannot register one yet). */
    private String fapi2KeyClient(String id, String redirectUri) {
        registeredClients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(id)
                .clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .redirectUri(redirectUri)
                .scope("openid")
                .clientSettings(ClientSettings.builder().requireProofKey(true).build())
                .tokenSettings(TokenSettings.builder()
                        .authorizationCodeTimeToLive(Duration.ofMinutes(5))
                        .build())
                .build());
        return id;
    }

    private @Nullable Object clientSetting(String clientId) {
        RegisteredClient client = registeredClients.findByClientId(clientId);
        assertThat(client).isNotNull();
        return client.getClientSettings().getSetting(MfaPolicy.REQUIRE_PHISHING_RESISTANT_SETTING);
    }

    // ---------------------------------------------------------------- MFA required, set by an operator

    @Test
    void mfaWhenClientRequireMfaSetThroughAdminApiThenSignInGoesToEnrolmentAndWhenUnsetThenOptional() throws Exception {
        String admin = adminToken();
        String id = "mfa-cli-" + suffix();
        String name = "mfa-cu-" + suffix();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", id);
        body.put("clientName", "MFA client");
        body.put("grantTypes", List.of("authorization_code"));
        body.put("scopes", List.of("openid"));
        body.put("redirectUris", List.of(MFA_REDIRECT));
        body.put("requireMfa", true);
        Map<String, Object> registered = created(call("POST", "/admin/clients", admin, JSON.writeValueAsString(body)));
        assertThat(((Map<?, ?>) registered.get("client")).get("requireMfa")).isEqualTo(true);
        created(createUser(admin, name, STRONG, null));

        assertThat(signInThroughAuthorize(id, name)).startsWith(base + "/mfa/enroll");

        int before = audit.events.size();
        Map<String, Object> view =
                object(call("PUT", "/admin/clients/" + id + "/mfa-required", admin, "{\"requireMfa\":false}"), 200);
        assertThat(view.get("requireMfa")).isEqualTo(false);
        assertThat(only(before, "admin.client.mfa.required", id).details()).containsEntry("requireMfa", "false");
        assertThat(signInThroughAuthorize(id, name)).startsWith(MFA_REDIRECT + "?");

        object(call("PUT", "/admin/clients/" + id + "/mfa-required", admin, "{\"requireMfa\":true}"), 200);
        assertThat(signInThroughAuthorize(id, name)).startsWith(base + "/mfa/enroll");
        // The other settings stay.
        Map<String, Object> after = object(call("GET", "/admin/clients/" + id, admin, null), 200);
        assertThat(after.get("requireProofKey")).isEqualTo(true);
        assertThat(after.get("requireConsent")).isEqualTo(false);
        assertThat(problem(call("PUT", "/admin/clients/" + id + "/mfa-required", admin, "{}"), 400)
                        .get("code"))
                .isEqualTo("admin.invalid_fields");
        assertThat(call("PUT", "/admin/clients/nope-" + suffix() + "/mfa-required", admin, "{\"requireMfa\":true}")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void mfaWhenUserMfaRequiredSetThroughAdminApiThenEnrolmentOrTotpStepAndWhenUnsetThenOptional() throws Exception {
        String admin = adminToken();
        String id = "mfa-plain-" + suffix();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", id);
        body.put("clientName", "Plain client");
        body.put("grantTypes", List.of("authorization_code"));
        body.put("scopes", List.of("openid"));
        body.put("redirectUris", List.of(MFA_REDIRECT));
        created(call("POST", "/admin/clients", admin, JSON.writeValueAsString(body)));
        String name = "mfa-u-" + suffix();
        Map<String, Object> user = created(createUser(admin, name, STRONG, null));
        assertThat(user.get("mfaRequired")).isEqualTo(false);
        assertThat(signInThroughAuthorize(id, name)).startsWith(MFA_REDIRECT + "?");

        int before = audit.events.size();
        Map<String, Object> set =
                object(call("PUT", "/admin/users/" + name + "/mfa-required", admin, "{\"mfaRequired\":true}"), 200);
        assertThat(set.get("mfaRequired")).isEqualTo(true);
        assertThat(only(before, "admin.user.mfa.required", name).details()).containsEntry("mfaRequired", "true");
        // No factor yet: enrolment first.
        assertThat(signInThroughAuthorize(id, name)).startsWith(base + "/mfa/enroll");
        // A pending (unconfirmed) factor is no factor either.
        totp.enrol(name, name);
        assertThat(signInThroughAuthorize(id, name)).startsWith(base + "/mfa/enroll");

        object(call("PUT", "/admin/users/" + name + "/mfa-required", admin, "{\"mfaRequired\":false}"), 200);
        assertThat(object(call("GET", "/admin/users/" + name, admin, null), 200).get("mfaRequired"))
                .isEqualTo(false);
        assertThat(signInThroughAuthorize(id, name)).startsWith(MFA_REDIRECT + "?");

        assertThat(problem(
                                call(
                                        "PUT",
                                        "/admin/users/" + name + "/mfa-required",
                                        admin,
                                        "{\"mfaRequired\":\"yes\"}"),
                                400)
                        .get("code"))
                .isEqualTo("admin.unreadable_body");
        assertThat(call("PUT", "/admin/users/nobody-" + suffix() + "/mfa-required", admin, "{\"mfaRequired\":true}")
                        .statusCode())
                .isEqualTo(404);
    }

    // ---------------------------------------------------------------- keys

    @Test
    void keysWhenRotatedThenActiveKeyChangesAndJwksPublishesNewKeys() throws Exception {
        String admin = adminToken();
        List<?> keys = list(call("GET", "/admin/keys", admin, null), 200);
        assertThat(keys).isNotEmpty();
        assertThat(keys.toString()).doesNotContain("\"d\"").doesNotContain("sealed");
        assertThat(keys)
                .allMatch(k -> ((Map<?, ?>) k)
                        .keySet().stream()
                                .allMatch(f -> List.of(
                                                "kid", "algorithm", "state", "createdAt", "activatedAt", "retiringAt")
                                        .contains(f)));
        String jwksBefore = browser.get("/oauth2/jwks").body();
        int before = audit.events.size();
        Map<String, Object> rotation = object(call("POST", "/admin/keys/rotate", admin, null), 200);
        String previous = (String) rotation.get("previousKid");
        String active = (String) rotation.get("activeKid");
        assertThat(active).isNotEqualTo(previous).isEqualTo(ring.activeKey().kid());
        String jwksAfter = browser.get("/oauth2/jwks").body();
        assertThat(jwksAfter).isNotEqualTo(jwksBefore).contains(active).contains(previous);
        AuditEvent event = only(before, "admin.key.rotate");
        assertThat(event.subject()).isEqualTo(active);
        assertThat(event.details()).containsEntry("previous", previous);
        // Tokens signed by the new key work at the admin API too.
        assertThat(call("GET", "/admin/keys", adminToken(), null).statusCode()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- audit

    @Test
    void auditWhenAnyAdminChangeThenEventWithActorAndNoSecret() throws Exception {
        String admin = adminToken();
        String name = "aud-" + suffix();
        created(createUser(admin, name, STRONG, null));
        call("PUT", "/admin/users/" + name + "/roles/auditor", admin, null);
        call("DELETE", "/admin/users/" + name + "/roles/auditor", admin, null);
        call("POST", "/admin/users/" + name + "/disable", admin, null);
        call("POST", "/admin/users/" + name + "/enable", admin, null);
        call("DELETE", "/admin/users/" + name + "/sessions", admin, null);
        List<String> types = audit.events.stream()
                .filter(e -> name.equals(e.subject()))
                .map(AuditEvent::type)
                .toList();
        assertThat(types)
                .contains(
                        "admin.user.create",
                        "admin.user.role.add",
                        "admin.user.role.remove",
                        "admin.user.disable",
                        "admin.user.enable",
                        "admin.user.session.revoke_all");
        assertThat(audit.events).noneMatch(e -> e.toString().contains(STRONG));
        assertThat(audit.events).noneMatch(e -> e.toString().contains(serviceSecret));
        assertThat(audit.events)
                .filteredOn(e -> e.type().startsWith("admin.") && !e.type().equals("admin.denied"))
                .allMatch(e -> e.actor() != null);
    }

    // ---------------------------------------------------------------- helpers

    String adminToken() throws Exception {
        return clientToken(SERVICE, serviceSecret, "admin");
    }

    String clientToken(String id, String secret, String scope) throws Exception {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", scope),
                "Authorization",
                HttpBrowser.basic(id, secret));
        return (String) object(r, 200).get("access_token");
    }

    String userToken(String username, String password, String scope) throws Exception {
        return (String) userTokens(username, password, scope).get("access_token");
    }

    /** Authorization code + PKCE for the demo service client, signing in through the form as {@code username}. */
    Map<String, Object> userTokens(String username, String password, String scope) throws Exception {
        HttpBrowser b = new HttpBrowser(base);
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String challenge = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        String state = UUID.randomUUID().toString();
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", SERVICE);
        q.put("redirect_uri", SERVICE_REDIRECT);
        q.put("scope", scope);
        q.put("state", state);
        q.put("code_challenge", challenge);
        q.put("code_challenge_method", "S256");
        HttpResponse<String> start = b.get(base + "/oauth2/authorize?" + HttpBrowser.encode(q));
        assertThat(start.statusCode()).isEqualTo(302);
        HttpResponse<String> login = b.login(username, password);
        String next = login.headers().firstValue("Location").orElseThrow();
        assertThat(next).doesNotContain("error");
        HttpResponse<String> back = b.get(next);
        assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
        Map<String, String> params =
                HttpBrowser.query(back.headers().firstValue("Location").orElseThrow());
        assertThat(params).containsEntry("state", state).containsKey("code");
        HttpResponse<String> token = b.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type",
                        "authorization_code",
                        "code",
                        params.get("code"),
                        "redirect_uri",
                        SERVICE_REDIRECT,
                        "code_verifier",
                        verifier),
                "Authorization",
                HttpBrowser.basic(SERVICE, serviceSecret));
        return object(token, 200);
    }

    /**
     * Starts at the authorization endpoint of {@code clientId} in a fresh browser, signs in with the password and
     * follows back once; returns where the server sends the browser next (the redirect URI with a code, or an MFA
     * page).
     */
    String signInThroughAuthorize(String clientId, String username) throws Exception {
        HttpBrowser b = new HttpBrowser(base);
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String challenge = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", clientId);
        q.put("redirect_uri", MFA_REDIRECT);
        q.put("scope", "openid");
        q.put("state", "st");
        q.put("code_challenge", challenge);
        q.put("code_challenge_method", "S256");
        HttpResponse<String> start = b.get(base + "/oauth2/authorize?" + HttpBrowser.encode(q));
        assertThat(start.statusCode()).isEqualTo(302);
        HttpResponse<String> login = b.login(username, STRONG);
        String next = login.headers().firstValue("Location").orElseThrow();
        assertThat(next).doesNotContain("error").contains("/oauth2/authorize");
        HttpResponse<String> back = b.get(next);
        assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
        String location = back.headers().firstValue("Location").orElseThrow();
        return location.startsWith("/") ? base + location : location;
    }

    /**
     * Introspects as a resource server allowed to introspect any client's token (RFC 7662 §2.1: the demo service
     * may introspect only its own tokens), registered through the admin API on first use.
     */
    Map<String, Object> introspect(String token) throws Exception {
        String id = introspectorId;
        String secret = introspectorSecret;
        if (id == null || secret == null) {
            String admin = adminToken();
            id = "introspector-" + suffix();
            secret = (String) created(registerClient(admin, id, List.of("client_credentials"), List.of()))
                    .get("clientSecret");
            object(call("PUT", "/admin/clients/" + id + "/introspection", admin, "{\"introspectAnyToken\":true}"), 200);
            introspectorId = id;
            introspectorSecret = secret;
        }
        return introspectAs(id, secret, token);
    }

    private @Nullable String introspectorId;
    private @Nullable String introspectorSecret;

    HttpResponse<String> createRole(String token, String name, List<String> permissions) throws Exception {
        return call(
                "POST",
                "/admin/roles",
                token,
                JSON.writeValueAsString(Map.of("name", name, "permissions", permissions)));
    }

    HttpResponse<String> createUser(String token, String username, String password, List<String> roles)
            throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", username);
        body.put("password", password);
        if (roles != null) {
            body.put("roles", roles);
        }
        return call("POST", "/admin/users", token, JSON.writeValueAsString(body));
    }

    HttpResponse<String> registerClient(String token, String id, List<String> grants, List<String> redirectUris)
            throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", id);
        body.put("clientName", "Client " + id);
        body.put("grantTypes", grants);
        body.put("scopes", List.of("api.read"));
        body.put("redirectUris", redirectUris);
        return call("POST", "/admin/clients", token, JSON.writeValueAsString(body));
    }

    HttpResponse<String> call(String method, String path, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Accept", "application/json, application/problem+json")
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

    static Map<String, Object> created(HttpResponse<String> r) {
        return object(r, 201);
    }

    static List<?> list(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return JSON.readValue(r.body(), List.class);
    }

    /** An RFC 9457 problem: the media type and the members every problem of this API carries. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> problem(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        Map<String, Object> problem = JSON.readValue(r.body(), Map.class);
        assertThat(problem).containsKeys("type", "title", "status", "detail", "code");
        assertThat(problem.get("status")).isEqualTo(status);
        return problem;
    }

    AuditEvent only(int from, String type) {
        List<AuditEvent> found = audit.events.subList(from, audit.events.size()).stream()
                .filter(e -> e.type().equals(type))
                .toList();
        assertThat(found).as(type).hasSize(1);
        return found.get(0);
    }

    AuditEvent only(int from, String type, String subject) {
        List<AuditEvent> found = new ArrayList<>();
        for (AuditEvent e : audit.events.subList(from, audit.events.size())) {
            if (e.type().equals(type) && subject.equals(e.subject())) {
                found.add(e);
            }
        }
        assertThat(found).as(type + " " + subject).hasSize(1);
        return found.get(0);
    }

    int count(String table, String userColumn, String username) {
        Integer n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM " + table + " WHERE " + userColumn + " = ?", Integer.class, username);
        return n == null ? 0 : n;
    }

    JWTClaimsSet claims(Instant issued, Instant expires) {
        return new JWTClaimsSet.Builder()
                .issuer(base)
                .subject(SERVICE)
                .audience(SERVICE)
                .claim("client_id", SERVICE)
                .claim("scope", "admin")
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(issued))
                .expirationTime(Date.from(expires))
                .build();
    }

    static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
