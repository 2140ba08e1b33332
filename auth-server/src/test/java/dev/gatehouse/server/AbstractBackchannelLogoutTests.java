package dev.gatehouse.server;

import static dev.gatehouse.server.AbstractMfaSignInTests.claims;
import static dev.gatehouse.server.MfaSignInFlow.csrf;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.logout.BackchannelLogoutUris;
import dev.gatehouse.server.logout.LogoutDeliveries;
import dev.gatehouse.server.users.JdbcUserStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.test.context.TestPropertySource;

/**
 * OpenID Connect Back-Channel Logout 1.0 end to end over real HTTP: Gatehouse's stable {@code sid} in ID tokens
 * (through a second factor, a silent authorization and the refresh grant; new for another user), RP-initiated logout's
 * sid check, the triggers that queue logout tokens, and the worker's delivery to a relying party's endpoint (a JDK
 * HTTP server on 127.0.0.1): the logout token's header and claims, retries with backoff on a {@link MovableClock},
 * redirects never followed, and a user's logout that never waits for a relying party. The worker's schedule is off
 * ({@code poll=1h}); tests call {@link LogoutDeliveries#runOnce()}. Subclasses choose the database.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.backchannel-logout.poll=1h",
            "gatehouse.server.backchannel-logout.timeout=1s",
            "gatehouse.server.backchannel-logout.max-attempts=3"
        })
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
@Import(AbstractSignInLockoutTests.TestClock.class)
abstract class AbstractBackchannelLogoutTests {

    static final String REDIRECT = "http://127.0.0.1:8085/cb";
    static final String POST_LOGOUT = "http://127.0.0.1:8085/signed-out";
    static final String PASSWORD = "correct horse battery 9";
    private static final Totp TOTP = Totp.of(TotpParameters.defaults());

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    ClientSecrets clientSecrets;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    @Autowired
    TotpService totpService;

    @Autowired
    MovableClock clock;

    @Autowired
    LogoutDeliveries deliveries;

    @Autowired
    JdbcAuditLog auditLog;

    String base;
    String clientSecret;
    HttpServer endpoint;
    final List<String> received = new CopyOnWriteArrayList<>();
    final Deque<Integer> statuses = new ArrayDeque<>();
    final AtomicInteger redirectTargetHits = new AtomicInteger();

    @BeforeEach
    void setUp() throws IOException {
        base = "http://localhost:" + port;
        clientSecret = clientSecrets.generate();
        jdbc.update("DELETE FROM gh_logout_delivery");
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/bcl", exchange -> {
            received.add(formValue(exchange.getRequestBody()));
            Integer status;
            synchronized (statuses) {
                status = statuses.poll();
            }
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            exchange.close();
        });
        endpoint.createContext("/moved", exchange -> {
            received.add(formValue(exchange.getRequestBody()));
            exchange.getResponseHeaders().add("Location", endpointUri("/target"));
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        endpoint.createContext("/target", exchange -> {
            redirectTargetHits.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        endpoint.createContext("/big", exchange -> {
            received.add(formValue(exchange.getRequestBody()));
            exchange.sendResponseHeaders(200, 10_000_000);
            try (OutputStream out = exchange.getResponseBody()) {
                byte[] chunk = new byte[65536];
                for (int i = 0; i < 10_000_000 / chunk.length; i++) {
                    out.write(chunk);
                }
            } catch (IOException closedByClient) {
                // the server stops reading: expected
            }
            exchange.close();
        });
        endpoint.start();
    }

    @AfterEach
    void stop() {
        endpoint.stop(0);
    }

    // ---------------------------------------------------------------- sid in ID tokens

    @Test
    void idTokenWhenSignedInWithSecondFactorThenSidStableForSilentAuthorizationAndRefresh() throws Exception {
        String client = registerClient(endpointUri("/bcl"));
        String name = newUser();
        TotpSecret key = MfaSignInFlow.enrolConfirmed(totpService, name, clock.instant());
        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        HttpResponse<String> toStep =
                MfaSignInFlow.passwordThroughAuthorize(browser, authorizeUrl(client, pkce, "s1"), name, PASSWORD);
        String step = toStep.headers().firstValue("Location").orElseThrow();
        assertThat(step).contains("/mfa/totp");
        clock.advance(Duration.ofSeconds(30));
        String resumed = MfaSignInFlow.postCode(browser, "/mfa/totp", TOTP.code(key, clock.instant()))
                .headers()
                .firstValue("Location")
                .orElseThrow();
        Map<String, Object> tokens = flow(client).tokens(browser, resumed, pkce);
        Object sid = claims((String) tokens.get("id_token")).get("sid");
        assertThat(sid).isInstanceOf(String.class);
        assertThat((String) sid).hasSize(43);

        Pkce second = Pkce.create();
        HttpResponse<String> silent = browser.get(authorizeUrl(client, second, "s2"));
        String code = HttpBrowser.query(silent.headers().firstValue("Location").orElseThrow())
                .get("code");
        assertThat(claims((String) flow(client).exchange(browser, code, second).get("id_token"))
                        .get("sid"))
                .isEqualTo(sid);

        HttpResponse<String> refreshed = new HttpBrowser(base)
                .postForm(
                        "/oauth2/token",
                        Map.of("grant_type", "refresh_token", "refresh_token", (String) tokens.get("refresh_token")),
                        "Authorization",
                        HttpBrowser.basic(client, clientSecret));
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        assertThat(claims((String) JSONObjectUtils.parse(refreshed.body()).get("id_token"))
                        .get("sid"))
                .isEqualTo(sid);
    }

    @Test
    void idTokenWhenAnotherUserSignsInInTheSameBrowserThenNewSid() throws Exception {
        String client = registerClient(endpointUri("/bcl"));
        HttpBrowser browser = new HttpBrowser(base);
        String first = sid(signInAndGetIdToken(browser, client, newUser()));
        Pkce pkce = Pkce.create();
        HttpResponse<String> again = MfaSignInFlow.passwordThroughAuthorize(
                browser, authorizeUrl(client, pkce, "o2") + "&prompt=login", newUser(), PASSWORD);
        String code = HttpBrowser.query(again.headers().firstValue("Location").orElseThrow())
                .get("code");
        String second = sid((String) flow(client).exchange(browser, code, pkce).get("id_token"));
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void discoveryWhenReadThenBackchannelLogoutAndSessionSupported() throws Exception {
        Map<String, Object> oidc = JSONObjectUtils.parse(new HttpBrowser(base)
                .getApi("/.well-known/openid-configuration")
                .body());
        assertThat(oidc)
                .containsEntry("backchannel_logout_supported", true)
                .containsEntry("backchannel_logout_session_supported", true);
    }

    @Test
    void rpLogoutWhenHintNamesAnotherSessionOfTheUserThenAskedToConfirmAndOnlyThenSignedOutAndSentBack()
            throws Exception {
        String client = registerClient(endpointUri("/bcl"));
        String name = newUser();
        String otherHint = signInAndGetIdToken(new HttpBrowser(base), client, name);
        HttpBrowser browser = new HttpBrowser(base);
        String ownHint = signInAndGetIdToken(browser, client, name);

        // OIDC RP-Initiated Logout 1.0 §2: a hint that does not match this session is asked about, not obeyed or
        // refused outright; nothing ends until the user confirms.
        HttpResponse<String> asked = browser.get("/connect/logout?id_token_hint=" + otherHint
                + "&post_logout_redirect_uri="
                + HttpBrowser.encode(Map.of("u", POST_LOGOUT)).substring(2)
                + "&state=st%201");
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(302);
        assertThat(asked.headers().firstValue("Location").orElseThrow()).endsWith("/logout");
        assertThat(browser.get("/account").statusCode()).isEqualTo(200);
        assertThat(pending()).isZero();

        HttpResponse<String> page = browser.get("/logout");
        assertThat(page.statusCode()).isEqualTo(200);
        HttpResponse<String> confirmed = browser.postForm("/logout", Map.of("_csrf", csrf(page)));
        assertThat(confirmed.statusCode()).isEqualTo(302);
        assertThat(confirmed.headers().firstValue("Location").orElseThrow()).isEqualTo(POST_LOGOUT + "?state=st%201");
        assertThat(browser.get("/account").statusCode()).as("signed out").isNotEqualTo(200);
        assertThat(pending()).isEqualTo(1);
        assertThat(deliveries.runOnce()).isEqualTo(1);
        assertThat(claimsOf(received.get(0)).get("sid"))
                .as("this session's, not the hint's")
                .isEqualTo(sid(ownHint));
    }

    @Test
    void rpLogoutWhenHintInvalidThenStillRefusedAndSignedIn() throws Exception {
        String client = registerClient(endpointUri("/bcl"));
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        String ownHint = signInAndGetIdToken(browser, client, name);
        String forged = ownHint.substring(0, ownHint.lastIndexOf('.') + 1) + "AAAA";

        HttpResponse<String> refused = browser.get("/connect/logout?id_token_hint=" + forged);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("invalid_token");
        assertThat(browser.get("/account").statusCode()).isEqualTo(200);
        assertThat(pending()).isZero();

        HttpResponse<String> out = browser.get("/connect/logout?id_token_hint=" + ownHint);
        assertThat(out.statusCode()).as(out.body()).isEqualTo(302);
        assertThat(pending()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- triggers and delivery

    @Test
    void logoutWhenPostedThenQueuedOnlyAndWorkerSendsSignedLogoutToken() throws Exception {
        String client = registerClient(endpointUri("/bcl"));
        String otherSecret = clientSecrets.generate();
        String other = registerClient(null, otherSecret); // no backchannel_logout_uri: nothing for it
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        String idToken = signInAndGetIdToken(browser, client, name);
        signInAgainFor(browser, other, otherSecret);

        HttpResponse<String> out = logout(browser);
        assertThat(out.statusCode()).isEqualTo(302);
        assertThat(received).isEmpty(); // nothing sent on the request thread
        assertThat(pending()).isEqualTo(1);

        assertThat(deliveries.runOnce()).isEqualTo(1);
        assertThat(received).hasSize(1);
        assertThat(pending()).isZero();
        SignedJWT token = verified(received.get(0));
        assertThat(token.getHeader().getType()).isEqualTo(new JOSEObjectType("logout+jwt"));
        Map<String, Object> c = token.getJWTClaimsSet().getClaims();
        Map<String, Object> id = claims(idToken);
        assertThat(c)
                .containsEntry("iss", id.get("iss"))
                .containsEntry("sub", name)
                .containsEntry("sid", id.get("sid"))
                .containsEntry("aud", List.of(client))
                .containsEntry("events", Map.of("http://schemas.openid.net/event/backchannel-logout", Map.of()))
                .containsKeys("iat", "exp", "jti")
                .doesNotContainKey("nonce");
        assertThat(auditOutcomes(name)).containsExactly("success");

        // A second logout token for the same session is never queued again.
        assertThat(deliveries.runOnce()).isZero();
    }

    @Test
    void logoutWhenQueuingThrowsNonDatabaseExceptionThenStillSignedOutAndFailureAudited() throws Exception {
        String client = registerClient(endpointUri("/bcl"));
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        signInAndGetIdToken(browser, client, name);
        RegisteredClient saved = clients.findByClientId(client);
        assertThat(saved).isNotNull();
        clients.save(saved); // evicts any cached copy, so the next read sees the damaged row
        jdbc.update("UPDATE oauth2_registered_client SET client_settings = '{damaged' WHERE id = ?", saved.getId());
        try {
            HttpResponse<String> out = logout(browser);
            assertThat(out.statusCode()).isEqualTo(302);
            assertThat(browser.get("/account").statusCode()).as("signed out").isEqualTo(302);
            assertThat(pending()).isZero();
            assertThat(auditOutcomes(name)).containsExactly("failure");
        } finally {
            jdbc.update("DELETE FROM gh_rp_session WHERE registered_client_id = ?", saved.getId());
            jdbc.update("DELETE FROM oauth2_registered_client WHERE id = ?", saved.getId());
        }
    }

    @Test
    void refreshWhenSessionLoggedOutThenInvalidGrantAndNoIdTokenForTheEndedSid() throws Exception {
        String client = registerClient(endpointUri("/bcl"));
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        HttpResponse<String> back =
                MfaSignInFlow.passwordThroughAuthorize(browser, authorizeUrl(client, pkce, "r"), name, PASSWORD);
        String code = HttpBrowser.query(back.headers().firstValue("Location").orElseThrow())
                .get("code");
        Map<String, Object> tokens = flow(client).exchange(browser, code, pkce);
        String sid = sid((String) tokens.get("id_token"));
        assertThat(logout(browser).statusCode()).isEqualTo(302);
        Timestamp seen = jdbc.queryForObject(
                "SELECT last_seen FROM gh_rp_session WHERE sid = ? AND registered_client_id <> ''",
                Timestamp.class,
                sid);

        clock.advance(Duration.ofSeconds(5));
        HttpResponse<String> refreshed = new HttpBrowser(base)
                .postForm(
                        "/oauth2/token",
                        Map.of("grant_type", "refresh_token", "refresh_token", (String) tokens.get("refresh_token")),
                        "Authorization",
                        HttpBrowser.basic(client, clientSecret));
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(400);
        assertThat(refreshed.body()).contains("invalid_grant").doesNotContain("id_token");
        assertThat(jdbc.queryForObject(
                        "SELECT last_seen FROM gh_rp_session WHERE sid = ? AND registered_client_id <> ''",
                        Timestamp.class,
                        sid))
                .as("an ended pair is not seen again")
                .isEqualTo(seen);
    }

    @Test
    void deliveryWhenEndpointAnswers503TwiceThenRetriedWithBackoffAndDeliveredOnce() throws Exception {
        statuses.add(503);
        statuses.add(503);
        String name = signedInThenLoggedOut(endpointUri("/bcl"));
        assertThat(deliveries.runOnce()).isEqualTo(1);
        assertThat(received).hasSize(1);
        assertThat(deliveries.runOnce()).as("not due before its backoff").isZero();
        clock.advance(Duration.ofSeconds(13)); // 10 s +20 %
        assertThat(deliveries.runOnce()).isEqualTo(1);
        assertThat(received).hasSize(2);
        assertThat(jdbc.queryForObject("SELECT attempts FROM gh_logout_delivery", Integer.class))
                .isEqualTo(2);
        clock.advance(Duration.ofSeconds(37)); // 30 s +20 %
        assertThat(deliveries.runOnce()).isEqualTo(1);
        assertThat(received).hasSize(3);
        assertThat(pending()).isZero();
        assertThat(auditOutcomes(name)).containsExactly("success");
        // each attempt is a new token
        assertThat(received.stream().map(t -> claimsOf(t).get("jti")).distinct())
                .hasSize(3);
    }

    @Test
    void deliveryWhenEndpointAlwaysFailsThenGivenUpAfterMaxAttemptsAndAudited() throws Exception {
        for (int i = 0; i < 5; i++) {
            statuses.add(500);
        }
        String name = signedInThenLoggedOut(endpointUri("/bcl"));
        for (int i = 0; i < 3; i++) {
            assertThat(deliveries.runOnce()).isEqualTo(1);
            clock.advance(Duration.ofMinutes(2));
        }
        assertThat(pending()).isZero();
        assertThat(received).hasSize(3);
        assertThat(auditOutcomes(name)).containsExactly("failure");
        assertThat(auditLog.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(jdbc.queryForObject(
                        "SELECT details FROM gh_audit_event WHERE type = 'logout.backchannel' AND subject = ?",
                        String.class,
                        name))
                .contains("http_500")
                .contains("\"attempts\":\"3\"");
    }

    @Test
    void deliveryWhenEndpointRedirectsThenNotFollowedAndFinal() throws Exception {
        String name = signedInThenLoggedOut(endpointUri("/moved"));
        assertThat(deliveries.runOnce()).isEqualTo(1);
        assertThat(received).hasSize(1);
        assertThat(redirectTargetHits).hasValue(0);
        assertThat(pending()).isZero();
        assertThat(auditOutcomes(name)).containsExactly("failure");
    }

    @Test
    void deliveryWhenEndpointSendsHugeBodyThenFinishesWithoutReadingIt() throws Exception {
        String name = signedInThenLoggedOut(endpointUri("/big"));
        assertThat(deliveries.runOnce()).isEqualTo(1);
        assertThat(pending()).isZero();
        assertThat(auditOutcomes(name)).containsExactly("success");
    }

    @Test
    void logoutWhenEndpointPortClosedThenLogoutCompletesAndDeliveryRetried() throws Exception {
        String closed = endpointUri("/bcl");
        endpoint.stop(0);
        signedInThenLoggedOut(closed);
        assertThat(deliveries.runOnce()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT last_outcome FROM gh_logout_delivery", String.class))
                .isIn("connect", "io");
    }

    @Test
    void accountEndOthersWhenUserHasTwoSessionsThenOnlyTheOtherSessionsRelyingPartiesAreTold() throws Exception {
        String client = registerClient(endpointUri("/bcl"));
        String name = newUser();
        HttpBrowser other = new HttpBrowser(base);
        String otherSid = sid(signInAndGetIdToken(other, client, name));
        HttpBrowser current = new HttpBrowser(base);
        signInAndGetIdToken(current, client, name);
        HttpResponse<String> page = current.get("/account/sessions");
        assertThat(page.statusCode()).isEqualTo(200);
        current.postForm("/account/sessions/end-others", Map.of("_csrf", csrf(page)));
        assertThat(jdbc.queryForList("SELECT sid FROM gh_logout_delivery", String.class))
                .containsExactly(otherSid);
    }

    @Test
    void codeWhenRedeemedAfterLogoutThenLogoutTokenQueuedAtOnce() throws Exception {
        String client = registerClient(endpointUri("/bcl"));
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        HttpResponse<String> back =
                MfaSignInFlow.passwordThroughAuthorize(browser, authorizeUrl(client, pkce, "late"), name, PASSWORD);
        String code = HttpBrowser.query(back.headers().firstValue("Location").orElseThrow())
                .get("code");
        logout(browser);
        assertThat(pending()).isZero();
        String idToken = (String)
                flow(client).exchange(new HttpBrowser(base), code, pkce).get("id_token");
        assertThat(jdbc.queryForList("SELECT sid FROM gh_logout_delivery", String.class))
                .containsExactly(sid(idToken));
    }

    // ---------------------------------------------------------------- helpers

    String signedInThenLoggedOut(String uri) throws Exception {
        String client = registerClient(uri);
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        signInAndGetIdToken(browser, client, name);
        assertThat(logout(browser).statusCode()).isEqualTo(302);
        assertThat(pending()).isEqualTo(1);
        return name;
    }

    HttpResponse<String> logout(HttpBrowser browser) {
        HttpResponse<String> page = browser.get("/logout");
        assertThat(page.statusCode()).isEqualTo(200);
        return browser.postForm("/logout", Map.of("_csrf", csrf(page)));
    }

    String signInAndGetIdToken(HttpBrowser browser, String client, String name) throws Exception {
        Pkce pkce = Pkce.create();
        HttpResponse<String> back =
                MfaSignInFlow.passwordThroughAuthorize(browser, authorizeUrl(client, pkce, "a"), name, PASSWORD);
        String code = HttpBrowser.query(back.headers().firstValue("Location").orElseThrow())
                .get("code");
        return (String) flow(client).exchange(browser, code, pkce).get("id_token");
    }

    void signInAgainFor(HttpBrowser browser, String client, String secret) throws Exception {
        Pkce pkce = Pkce.create();
        HttpResponse<String> silent = browser.get(authorizeUrl(client, pkce, "b"));
        String code = HttpBrowser.query(silent.headers().firstValue("Location").orElseThrow())
                .get("code");
        new MfaSignInFlow(base, client, secret, REDIRECT).exchange(browser, code, pkce);
    }

    int pending() {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM gh_logout_delivery", Integer.class);
        return n == null ? 0 : n;
    }

    List<String> auditOutcomes(String name) {
        assertThat(auditLog.flush(Duration.ofSeconds(10))).isTrue();
        return jdbc.queryForList(
                "SELECT outcome FROM gh_audit_event WHERE type = 'logout.backchannel' AND subject = ?",
                String.class,
                name);
    }

    MfaSignInFlow flow(String client) {
        return new MfaSignInFlow(base, client, clientSecret, REDIRECT);
    }

    String endpointUri(String path) {
        return "http://127.0.0.1:" + endpoint.getAddress().getPort() + path;
    }

    static String sid(String idToken) throws Exception {
        return (String) claims(idToken).get("sid");
    }

    static Map<String, Object> claimsOf(String jwt) {
        try {
            return claims(jwt);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    SignedJWT verified(String jwt) throws Exception {
        SignedJWT token = SignedJWT.parse(jwt);
        JWKSet keys = JWKSet.parse(new HttpBrowser(base).getApi("/oauth2/jwks").body());
        RSAKey key = (RSAKey) keys.getKeyByKeyId(token.getHeader().getKeyID());
        assertThat(token.verify(new RSASSAVerifier(key))).isTrue();
        return token;
    }

    String authorizeUrl(String client, Pkce pkce, String state) {
        return base + "/oauth2/authorize?"
                + HttpBrowser.encode(Map.of(
                        "response_type",
                        "code",
                        "client_id",
                        client,
                        "redirect_uri",
                        REDIRECT,
                        "scope",
                        "openid",
                        "state",
                        state,
                        "nonce",
                        "n-" + state,
                        "code_challenge",
                        pkce.challenge(),
                        "code_challenge_method",
                        "S256"));
    }

    String newUser() {
        String name = "bcl-" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        return name;
    }

    /** A confidential code + refresh client, with a back-channel logout URI unless {@code null}. */
    String registerClient(String backchannelLogoutUri) {
        return registerClient(backchannelLogoutUri, clientSecret);
    }

    String registerClient(String backchannelLogoutUri, String secret) {
        String id = "bcl-" + UUID.randomUUID();
        ClientSettings.Builder settings =
                ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false);
        if (backchannelLogoutUri != null) {
            settings.setting(BackchannelLogoutUris.URI_SETTING, backchannelLogoutUri);
        }
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(id)
                .clientName("Back-channel app")
                .clientSecret(clientSecrets.encoder().encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .redirectUri(REDIRECT)
                .postLogoutRedirectUri(POST_LOGOUT)
                .scope("openid")
                .clientSettings(settings.build())
                .build());
        return id;
    }

    private static String formValue(InputStream body) throws IOException {
        String form = new String(body.readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(form).startsWith("logout_token=");
        return URLDecoder.decode(form.substring("logout_token=".length()), StandardCharsets.US_ASCII);
    }
}
