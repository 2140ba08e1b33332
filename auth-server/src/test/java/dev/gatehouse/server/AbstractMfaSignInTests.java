package dev.gatehouse.server;

import static dev.gatehouse.server.MfaSignInFlow.csrf;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.mfa.TotpVerification;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.spring.jdbc.JdbcTotpFactorStore;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.test.context.TestPropertySource;

/**
 * Multi-factor sign-in end to end over real HTTP: TOTP enrolment from the page, password + TOTP through {@code
 * /oauth2/authorize} to tokens with {@code amr}/{@code acr}, refusals (wrong, replayed, throttled, password alone),
 * recovery codes, per-client and {@code acr_values} step-up, encoding and page headers. Codes are computed here with
 * auth-core's {@link Totp}. Subclasses choose the database.
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
abstract class AbstractMfaSignInTests {

    static final String REDIRECT = MfaSignInFlow.REDIRECT;
    static final String PASSWORD = "correct horse battery 9";
    private static final Pattern SECRET = Pattern.compile("<code id=\"secret\">([A-Z2-7]+)</code>");
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
    RecoveryCodes recoveryCodes;

    @Autowired
    Clock clock;

    @Autowired
    JdbcIndexedSessionRepository sessionRepository;

    @Autowired
    Envelope envelope;

    String base;
    String clientId;
    String mfaClientId;
    String clientSecret;

    @BeforeEach
    void setUp() {
        base = "http://localhost:" + port;
        clientSecret = clientSecrets.generate();
        clientId = registerClient(false);
        mfaClientId = registerClient(true);
    }

    // ---------------------------------------------------------------- enrolment and the full flow

    @Test
    void enrolPageWhenFetchedThenNothingChangesAndStartingNeedsACsrfProtectedPost() throws Exception {
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        assertThat(browser.login(name, PASSWORD).statusCode()).isEqualTo(302);
        // A GET is safe (RFC 9110 §9.2.1): no secret is made, however often it is fetched (issue #13 item 9).
        HttpResponse<String> page = browser.get("/mfa/enroll");
        browser.get("/mfa/enroll");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        assertThat(page.body())
                .contains("action=\"/mfa/enroll/start\"")
                .contains("name=\"_csrf\"")
                .doesNotContain("data:image/png");
        assertThat(SECRET.matcher(page.body()).find()).isFalse();
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.NONE);

        // Without the CSRF token the start is refused and nothing is made.
        HttpResponse<String> forged = browser.postForm("/mfa/enroll/start", Map.of());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.NONE);

        HttpResponse<String> started = startEnrolment(browser);
        Matcher secret = SECRET.matcher(started.body());
        assertThat(secret.find()).as(started.body()).isTrue();
        TotpSecret key = TotpSecret.fromBase32(secret.group(1));
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.PENDING);
        // Fetching the page again keeps the pending key: its first code still confirms.
        HttpResponse<String> again = browser.get("/mfa/enroll");
        assertThat(again.body()).contains("id=\"code\"").contains("action=\"/mfa/enroll/start\"");
        HttpResponse<String> confirmed =
                browser.postForm("/mfa/enroll", Map.of("code", TOTP.code(key, clock.instant()), "_csrf", csrf(again)));
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.CONFIRMED);
    }

    /** The enrolment page, then its start button (a POST with the page's CSRF token): the new key's page. */
    static HttpResponse<String> startEnrolment(HttpBrowser browser) {
        HttpResponse<String> page = browser.get("/mfa/enroll");
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        return browser.postForm("/mfa/enroll/start", Map.of("_csrf", csrf(page)));
    }

    @Test
    void enrolWhenFirstCodeConfirmsThenSignInWithTotpGivesCodeAndIdTokenWithPwdOtp() throws Exception {
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        assertThat(browser.login(name, PASSWORD).statusCode()).isEqualTo(302);
        assertThat(browser.get("/").body()).contains("href=\"/mfa/enroll\"");
        HttpResponse<String> page = startEnrolment(browser);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        assertPageHeaders(page);
        assertThat(page.body()).contains("src=\"data:image/png;base64,");
        Matcher secret = SECRET.matcher(page.body());
        assertThat(secret.find()).as(page.body()).isTrue();
        TotpSecret key = TotpSecret.fromBase32(secret.group(1));

        // A wrong first code does not confirm.
        HttpResponse<String> wrong = browser.postForm("/mfa/enroll", Map.of("code", "000000", "_csrf", csrf(page)));
        assertThat(wrong.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/mfa/enroll?error"));
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.PENDING);
        // The page after a refusal offers the pending enrolment's code form and a fresh start (a POST).
        HttpResponse<String> retry =
                browser.get(wrong.headers().firstValue("Location").orElseThrow());
        assertThat(retry.body()).contains("role=\"alert\"").contains("action=\"/mfa/enroll\"");
        assertThat(SECRET.matcher(retry.body()).find()).isFalse();
        page = startEnrolment(browser);
        secret = SECRET.matcher(page.body());
        assertThat(secret.find()).isTrue();
        key = TotpSecret.fromBase32(secret.group(1));
        Instant now = clock.instant();
        HttpResponse<String> confirmed =
                browser.postForm("/mfa/enroll", Map.of("code", TOTP.code(key, now), "_csrf", csrf(page)));
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
        assertThat(confirmed.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        assertThat(confirmed.body()).contains("class=\"recovery-code\"");
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.CONFIRMED);
        assertThat(recoveryCodes.remaining(name)).isPositive();

        // A new browser: password, then the TOTP step, then the code.
        HttpBrowser next = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        HttpResponse<String> step = passwordThroughAuthorize(next, name, clientId, pkce, null);
        assertThat(step.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/mfa/totp"));
        String code = submitTotpAndFollow(next, TOTP.code(key, now.plus(Duration.ofSeconds(30))));
        Map<String, Object> tokens = exchange(next, code, pkce);
        Map<String, Object> id = claims((String) tokens.get("id_token"));
        assertThat(id.get("sub")).isEqualTo(name);
        assertThat(id.get("amr")).isEqualTo(List.of("pwd", "otp"));
        assertThat(id.get("acr")).isEqualTo(MfaPolicy.ACR_MFA);
        assertThat(claims((String) tokens.get("access_token")).get("amr")).isEqualTo(List.of("pwd", "otp"));
        // The authorization with these claims reads back from the database (UserInfo, refresh).
        HttpResponse<String> userInfo = next.getWithBearer("/userinfo", (String) tokens.get("access_token"));
        assertThat(userInfo.statusCode()).as(userInfo.body()).isEqualTo(200);
    }

    @Test
    void authorizeWhenUserHasTotpAndOnlyPasswordThenNoCodeIssued() {
        String name = newUser();
        enrolDirectly(name);
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> r = passwordThroughAuthorize(browser, name, clientId, Pkce.create(), null);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).endsWith("/mfa/totp").doesNotStartWith(REDIRECT);
        // Still no code on a second try, and nothing stored for the user.
        HttpResponse<String> again = browser.get(authorizeUrl(clientId, Pkce.create(), "again", null));
        assertThat(again.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/totp");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM oauth2_authorization WHERE principal_name = ?", Integer.class, name))
                .isZero();
    }

    @Test
    void authorizeWhenPromptNoneAndFactorMissingThenInteractionRequiredAtRedirectUriAndNoCode() {
        String name = newUser();
        enrolDirectly(name);
        HttpBrowser browser = new HttpBrowser(base);
        passwordThroughAuthorize(browser, name, clientId, Pkce.create(), null); // password only: TOTP still owed

        // OIDC Core 1.0 §3.1.2.6: no page may be shown, so the error goes to the client, with its state.
        HttpResponse<String> silent =
                browser.get(authorizeUrl(clientId, Pkce.create(), "silent", null) + "&prompt=none");
        String location = silent.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        Map<String, String> answer = HttpBrowser.query(location);
        assertThat(answer).containsEntry("error", "interaction_required").containsEntry("state", "silent");
        assertThat(answer).doesNotContainKey("code");

        // A client that requires MFA, for a user with no factor at all: enrolment would need a page, so the same.
        String other = newUser();
        HttpBrowser second = new HttpBrowser(base);
        passwordThroughAuthorize(second, other, mfaClientId, Pkce.create(), null);
        HttpResponse<String> silentToo =
                second.get(authorizeUrl(mfaClientId, Pkce.create(), "s2", null) + "&prompt=none");
        assertThat(HttpBrowser.query(silentToo.headers().firstValue("Location").orElseThrow()))
                .containsEntry("error", "interaction_required")
                .doesNotContainKey("code");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM oauth2_authorization WHERE principal_name IN (?, ?)",
                        Integer.class,
                        name,
                        other))
                .isZero();
    }

    @Test
    void totpWhenWrongThenRefusedAndWhenReplayedThenRefused() throws Exception {
        String name = newUser();
        TotpSecret key = enrolDirectly(name);
        HttpBrowser first = new HttpBrowser(base);
        passwordThroughAuthorize(first, name, clientId, Pkce.create(), null);
        HttpResponse<String> wrong = postTotp(first, "/mfa/totp", "000000");
        assertThat(wrong.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/mfa/totp?error"));
        String good = TOTP.code(key, clock.instant().plus(Duration.ofSeconds(30)));
        assertThat(submitTotpAndFollow(first, good)).isNotBlank();

        HttpBrowser second = new HttpBrowser(base);
        passwordThroughAuthorize(second, name, clientId, Pkce.create(), null);
        HttpResponse<String> replay = postTotp(second, "/mfa/totp", good);
        assertThat(replay.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/mfa/totp?error"));
        HttpResponse<String> authorize = second.get(authorizeUrl(clientId, Pkce.create(), "after-replay", null));
        assertThat(authorize.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/totp");
    }

    @Test
    void totpWhenRepeatedFailuresThenThrottledEvenWithRightCode() {
        String name = newUser();
        TotpSecret key = enrolDirectly(name);
        HttpBrowser browser = new HttpBrowser(base);
        passwordThroughAuthorize(browser, name, clientId, Pkce.create(), null);
        for (int i = 0; i < 4; i++) {
            assertThat(postTotp(browser, "/mfa/totp", "00000" + i).headers().firstValue("Location"))
                    .hasValueSatisfying(l -> assertThat(l).endsWith("/mfa/totp?error"));
        }
        String good = TOTP.code(key, clock.instant().plus(Duration.ofSeconds(30)));
        assertThat(postTotp(browser, "/mfa/totp", good).headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/mfa/totp?error"));
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_attempt_counter WHERE counter_key LIKE ?",
                        Integer.class,
                        "%mfa%" + name.toLowerCase(java.util.Locale.ROOT) + "%"))
                .isPositive();
    }

    @Test
    void recoveryCodeWhenUsedThenWorksOnceOnly() throws Exception {
        String name = newUser();
        enrolDirectly(name);
        String recovery = recoveryCodes.generate(name).get(0);
        HttpBrowser first = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        passwordThroughAuthorize(first, name, clientId, pkce, null);
        assertThat(first.get("/mfa/recovery").statusCode()).isEqualTo(200);
        HttpResponse<String> used = postTotp(first, "/mfa/recovery", recovery);
        String resumed = used.headers().firstValue("Location").orElseThrow();
        assertThat(resumed).contains("/oauth2/authorize");
        String location = first.get(resumed).headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        Map<String, Object> id = claims((String)
                exchange(first, HttpBrowser.query(location).get("code"), pkce).get("id_token"));
        assertThat(id.get("amr")).isEqualTo(List.of("pwd", "otp"));

        HttpBrowser second = new HttpBrowser(base);
        passwordThroughAuthorize(second, name, clientId, Pkce.create(), null);
        assertThat(postTotp(second, "/mfa/recovery", recovery).headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/mfa/recovery?error"));
    }

    @Test
    void totpWhenSameCodeVerifiedConcurrentlyOnTwoNodesThenAcceptedOnce() throws Exception {
        String name = newUser();
        TotpSecret key = enrolDirectly(name);
        String code = TOTP.code(key, clock.instant().plus(Duration.ofSeconds(30)));
        List<TotpService> nodes = List.of(node(), node(), node(), node());
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<TotpVerification>> results = new ArrayList<>();
            for (TotpService node : nodes) {
                results.add(pool.submit(() -> {
                    start.await();
                    return node.verify(name, code);
                }));
            }
            start.countDown();
            int accepted = 0;
            for (Future<TotpVerification> r : results) {
                accepted += r.get().accepted() ? 1 : 0;
            }
            assertThat(accepted).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- per-client and acr_values step-up

    @Test
    void authorizeWhenPasswordOnlyUserThenIdTokenSaysPwdAndAcrValuesMfaStepsUp() throws Exception {
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        HttpResponse<String> login = passwordThroughAuthorize(browser, name, clientId, pkce, null);
        String location = login.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        Map<String, Object> id = claims((String)
                exchange(browser, HttpBrowser.query(location).get("code"), pkce).get("id_token"));
        assertThat(id.get("amr")).isEqualTo(List.of("pwd"));
        assertThat(id.get("acr")).isEqualTo(MfaPolicy.ACR_PASSWORD);

        // The same session asking for MFA is held back until a factor exists and is used.
        HttpResponse<String> stepUp = browser.get(authorizeUrl(clientId, Pkce.create(), "up", MfaPolicy.ACR_MFA));
        assertThat(stepUp.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/enroll");
    }

    @Test
    void discoveryWhenRequestedThenAdvertisesAcrValues() throws Exception {
        HttpResponse<String> r = new HttpBrowser(base).getApi("/.well-known/openid-configuration");
        assertThat(JSONObjectUtils.parse(r.body()).get("acr_values_supported"))
                .isEqualTo(List.of(MfaPolicy.ACR_PASSWORD, MfaPolicy.ACR_MFA, MfaPolicy.ACR_PHISHING_RESISTANT));
    }

    @Test
    void authorizeWhenClientRequiresMfaThenPasswordOnlyUserSentToEnrolmentAndNoCode() {
        String name = newUser();
        HttpResponse<String> r =
                passwordThroughAuthorize(new HttpBrowser(base), name, mfaClientId, Pkce.create(), null);
        assertThat(r.headers().firstValue("Location").orElseThrow())
                .endsWith("/mfa/enroll")
                .doesNotStartWith(REDIRECT);
    }

    // ---------------------------------------------------------------- pages: encoding, headers, messages

    @Test
    void pagesWhenUserNameHasMarkupThenShownEncoded() {
        String name = "<script>alert(1)</script>\"'&" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        HttpBrowser browser = new HttpBrowser(base);
        assertThat(browser.login(name, PASSWORD)
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .doesNotContain("error");
        for (String path : List.of("/", "/mfa/totp", "/mfa/recovery", "/mfa/enroll")) {
            HttpResponse<String> page = browser.get(path);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body())
                    .doesNotContain("<script>alert(1)")
                    .contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;");
            assertPageHeaders(page);
        }
    }

    @Test
    void loginPageWhenRenderedThenStrictHeadersCsrfAndNoInlineScript() {
        HttpResponse<String> page = new HttpBrowser(base).get("/login");
        assertThat(page.statusCode()).isEqualTo(200);
        assertPageHeaders(page);
        // The one script is a file from the server (the passkey ceremony, issue #16); nothing inline.
        assertThat(page.body().replace("<script src=\"/assets/passkey-sign-in.js\" defer></script>", ""))
                .contains("name=\"_csrf\"")
                .doesNotContain("<script")
                .doesNotContain("style=");
        HttpResponse<String> failed = new HttpBrowser(base).get("/login?error");
        assertThat(failed.body()).contains("Sign-in failed").doesNotContain("exist");
    }

    @Test
    void mfaStepWhenPostedWithoutCsrfTokenThenRefused() {
        String name = newUser();
        enrolDirectly(name);
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(name, PASSWORD);
        HttpResponse<String> r = browser.postForm("/mfa/totp", Map.of("code", "123456"));
        assertThat(r.statusCode()).isEqualTo(403);
    }

    @Test
    void signOutWhenPostedWithCsrfTokenThenSessionEndsAndLoginPageSaysSo() {
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(name, PASSWORD);
        HttpResponse<String> home = browser.get("/");
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.body()).contains("id=\"sign-out\"");

        // Without the CSRF token a sign-out is refused: another site cannot end the session (or fix a new one).
        assertThat(browser.postForm("/logout", Map.of()).statusCode()).isEqualTo(403);
        assertThat(browser.get("/").statusCode()).isEqualTo(200);

        Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(home.body());
        assertThat(csrf.find()).isTrue();
        HttpResponse<String> out = browser.postForm("/logout", Map.of("_csrf", csrf.group(1)));
        assertThat(out.statusCode()).isEqualTo(302);
        assertThat(out.headers().firstValue("Location").orElseThrow()).endsWith("/login?logout");
        HttpResponse<String> landing = browser.get("/login?logout");
        assertThat(landing.statusCode()).isEqualTo(200);
        assertThat(landing.body()).contains("You have signed out.");
        assertPageHeaders(landing);
        assertThat(browser.get("/").headers().firstValue("Location").orElseThrow())
                .endsWith("/login");
    }

    // ---------------------------------------------------------------- helpers

    // ---------------------------------------------------------------- sessions in the shared database (issue #14)

    /**
     * Sessions are rows every node reads (Spring Session JDBC). Through an authorization request that carries a cookie
     * and an {@code Authorization} header, a failed sign-in, the password step and the TOTP step, every stored
     * attribute deserializes, and none holds a password (the wrong one or the right one), the TOTP code or secret, a
     * cookie or header value, an earlier session id or the authorization code; the saved request is a path and query.
     * The session id changes at each factor, and the id before it no longer names a session.
     */
    @Test
    void signInWhenStepsStoredInSharedSessionsThenIdRotatesAtEachFactorAndNoAttributeHoldsASecret() throws Exception {
        String name = newUser();
        TotpSecret key = enrolDirectly(name);
        BrowserSessions sessions = new BrowserSessions(jdbc);
        HttpBrowser browser = new HttpBrowser(base);
        String siteCookie = "site-" + UUID.randomUUID();
        String authorization = HttpBrowser.basic("someone", "header-" + UUID.randomUUID());
        String apiKey = "key-" + UUID.randomUUID();
        browser.cookie("site", siteCookie);
        Map<String, byte[]> stored = new LinkedHashMap<>();

        Pkce pkce = Pkce.create();
        HttpResponse<String> start = browser.get(
                authorizeUrl(clientId, pkce, "st", null), "Authorization", authorization, "X-Api-Key", apiKey);
        assertThat(start.headers().firstValue("Location").orElseThrow()).endsWith("/login");
        String anonymous = BrowserSessions.sessionId(start);
        Map<String, byte[]> saved = sessions.attributesOf(anonymous);
        Object request = BrowserSessions.deserialize(saved.get("SPRING_SECURITY_SAVED_REQUEST"));
        assertThat(request).isInstanceOfSatisfying(SavedRequest.class, r -> {
            assertThat(r.getRedirectUrl()).startsWith("/oauth2/authorize?").contains("state=st");
            assertThat(r.getHeaderNames()).isEmpty();
            assertThat(r.getCookies()).isEmpty();
            assertThat(r.getParameterMap()).isEmpty();
        });
        collect(stored, "authorize", saved);

        String wrong = "wrong " + UUID.randomUUID();
        HttpResponse<String> failed = browser.login(name, wrong);
        assertThat(failed.headers().firstValue("Location").orElseThrow()).endsWith("/login?error");
        assertThat(sessions.attributesOf(anonymous)).doesNotContainKey("SPRING_SECURITY_LAST_EXCEPTION");
        collect(stored, "failed", sessions.attributesOf(anonymous));

        // The password step: a new id (Spring Security's session fixation protection); the old one names nothing.
        HttpResponse<String> password = browser.login(name, PASSWORD);
        String afterPassword = BrowserSessions.sessionId(password);
        assertThat(afterPassword).isNotEqualTo(anonymous);
        assertThat(sessions.exists(anonymous)).isFalse();
        assertRefused(anonymous);
        HttpResponse<String> step =
                browser.get(password.headers().firstValue("Location").orElseThrow());
        assertThat(step.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/totp");
        collect(stored, "password", sessions.attributesOf(afterPassword));

        // The TOTP step: a new id again (MfaController), the password-only id names nothing.
        String totpCode = TOTP.code(key, clock.instant().plus(Duration.ofSeconds(30)));
        HttpResponse<String> totp = postTotp(browser, "/mfa/totp", totpCode);
        String afterTotp = BrowserSessions.sessionId(totp);
        assertThat(afterTotp).isNotIn(anonymous, afterPassword);
        assertThat(sessions.exists(afterPassword)).isFalse();
        assertRefused(afterPassword);
        collect(stored, "totp", sessions.attributesOf(afterTotp));
        String resumed = totp.headers().firstValue("Location").orElseThrow();
        String location = browser.get(resumed).headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        String code = HttpBrowser.query(location).get("code");
        assertThat(exchange(browser, code, pkce)).containsKey("id_token");
        collect(stored, "code", sessions.attributesOf(afterTotp));

        List<String> secrets = new ArrayList<>(List.of(
                PASSWORD,
                wrong,
                totpCode,
                key.base32(),
                siteCookie,
                authorization,
                authorization.substring("Basic ".length()),
                apiKey,
                code,
                anonymous,
                afterPassword,
                browser.cookie(BrowserSessions.COOKIE)));
        assertThat(stored).isNotEmpty();
        for (Map.Entry<String, byte[]> attribute : stored.entrySet()) {
            assertThat(BrowserSessions.deserialize(attribute.getValue()))
                    .as(attribute.getKey())
                    .isNotNull();
            for (String secret : secrets) {
                assertThat(BrowserSessions.holds(attribute.getValue(), secret))
                        .as("%s holds a secret (#%d)", attribute.getKey(), secrets.indexOf(secret))
                        .isFalse();
            }
            assertThat(new String(attribute.getValue(), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .as(attribute.getKey())
                    .doesNotContain(new String(key.bytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        // Every session in the table, other tests' too: never a password.
        for (Map.Entry<String, byte[]> attribute : sessions.attributes().entrySet()) {
            assertThat(BrowserSessions.holds(attribute.getValue(), PASSWORD))
                    .as(attribute.getKey())
                    .isFalse();
            assertThat(BrowserSessions.holds(attribute.getValue(), wrong))
                    .as(attribute.getKey())
                    .isFalse();
        }
    }

    /**
     * Session fixation with shared sessions: a request that loaded the session before a factor and saves it after
     * (someone who planted the pre-sign-in id, or the victim's own concurrent request) must not bring the old id back.
     * Changing the id of the stored session was undone by such a save ({@code UPDATE ... SET SESSION_ID = ?} from the
     * stale copy), which left the old id signed in and the new one dead. Each factor now moves to a new session.
     */
    @Test
    void signInWhenStaleCopyOfPreviousSessionSavedAfterEachFactorThenOldIdNamesNothingAndNewIdWorks() throws Exception {
        String name = newUser();
        TotpSecret key = enrolDirectly(name);
        BrowserSessions sessions = new BrowserSessions(jdbc);
        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        String anonymous = BrowserSessions.sessionId(browser.get(authorizeUrl(clientId, pkce, "stale", null)));
        int anonymousLifetime = sessions.maxInactiveSeconds(anonymous);

        // The password step while a concurrent request holds the pre-sign-in session.
        BrowserSessions.StaleCopy<?> beforePassword = BrowserSessions.StaleCopy.load(sessionRepository, anonymous);
        HttpResponse<String> password = browser.login(name, PASSWORD);
        String afterPassword = BrowserSessions.sessionId(password);
        beforePassword.touch(clock.instant()).save();
        assertThat(sessionRepository.findById(anonymous)).isNull();
        assertThat(sessions.exists(anonymous)).isFalse();
        assertRefused(anonymous);
        HttpResponse<String> step =
                browser.get(password.headers().firstValue("Location").orElseThrow());
        assertThat(step.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/totp");
        int signedInLifetime = sessions.maxInactiveSeconds(afterPassword);
        assertThat(signedInLifetime).isGreaterThan(anonymousLifetime);

        // The TOTP step while a concurrent request holds the password-only session.
        BrowserSessions.StaleCopy<?> beforeTotp = BrowserSessions.StaleCopy.load(sessionRepository, afterPassword);
        HttpResponse<String> totp =
                postTotp(browser, "/mfa/totp", TOTP.code(key, clock.instant().plus(Duration.ofSeconds(30))));
        String afterTotp = BrowserSessions.sessionId(totp);
        assertThat(afterTotp).isNotIn(anonymous, afterPassword);
        beforeTotp.touch(clock.instant()).save();
        assertThat(sessionRepository.findById(afterPassword)).isNull();
        assertThat(sessions.exists(afterPassword)).isFalse();
        assertRefused(afterPassword);
        // The new sessions keep the signed-in lifetime, not the anonymous one.
        assertThat(sessions.maxInactiveSeconds(afterTotp)).isEqualTo(signedInLifetime);
        String location = browser.get(totp.headers().firstValue("Location").orElseThrow())
                .headers()
                .firstValue("Location")
                .orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        assertThat(exchange(browser, HttpBrowser.query(location).get("code"), pkce))
                .containsKey("id_token");
    }

    /**
     * A stale copy that also gained an attribute and changed another (a concurrent request that saved a request or
     * made a CSRF token) has no row left to add to: nothing is added (on PostgreSQL the attribute insert joins the
     * session row, so the foreign key never aborts the save), the save does not fail (the request ends normally), and
     * neither the old session nor its id comes back.
     */
    @Test
    void signInWhenStaleCopyWithChangedAttributesSavedAfterPasswordStepThenNoErrorAndOldIdNamesNothing() {
        String name = newUser();
        BrowserSessions sessions = new BrowserSessions(jdbc);
        HttpBrowser browser = new HttpBrowser(base);
        String anonymous = BrowserSessions.sessionId(browser.get("/login"));
        Object primaryId = sessions.row(anonymous).orElseThrow().get("PRIMARY_ID");
        BrowserSessions.StaleCopy<?> stale = BrowserSessions.StaleCopy.load(sessionRepository, anonymous);
        HttpResponse<String> password = browser.login(name, PASSWORD);
        String afterPassword = BrowserSessions.sessionId(password);

        stale.touch(clock.instant())
                .add("stale", "value")
                .add("org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository.CSRF_TOKEN", "x")
                .save();
        assertThat(sessionRepository.findById(anonymous)).isNull();
        assertThat(sessions.exists(anonymous)).isFalse();
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM SPRING_SESSION_ATTRIBUTES WHERE SESSION_PRIMARY_ID = ?",
                        Integer.class,
                        primaryId))
                .isZero();
        assertRefused(anonymous);
        assertThat(browser.get("/mfa/enroll").statusCode()).isEqualTo(200);
        assertThat(browser.cookie(BrowserSessions.COOKIE)).isNotNull();
        assertThat(BrowserSessions.idOf(browser.cookie(BrowserSessions.COOKIE))).isEqualTo(afterPassword);
    }

    private static void collect(Map<String, byte[]> into, String step, Map<String, byte[]> attributes) {
        attributes.forEach((attribute, value) -> into.put(step + " " + attribute, value));
    }

    /** A browser holding only an old session cookie is not signed in: the page sends it to the sign-in form. */
    private void assertRefused(String oldSessionId) {
        HttpBrowser old = new HttpBrowser(base);
        old.cookie(
                BrowserSessions.COOKIE,
                java.util.Base64.getEncoder()
                        .encodeToString(oldSessionId.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        HttpResponse<String> page = old.get("/");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/login");
    }

    static void assertPageHeaders(HttpResponse<String> page) {
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp)
                .contains("frame-ancestors 'none'")
                // Scripts only as files from the server (the passkey ceremonies): nothing inline, no eval.
                .contains("script-src 'self'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "strict-dynamic");
        assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    }

    /** Another server node: its own service and store over the same database. */
    TotpService node() {
        return TotpService.builder()
                .issuer("Gatehouse")
                .envelope(envelope)
                .store(new JdbcTotpFactorStore(jdbc))
                .build();
    }

    String newUser() {
        String name = "mfa-" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        return name;
    }

    /** Enrols and confirms with the code of the current step; the next step's code is the first that signs in. */
    TotpSecret enrolDirectly(String name) {
        return MfaSignInFlow.enrolConfirmed(totpService, name, clock.instant());
    }

    String registerClient(boolean requireMfa) {
        String id = (requireMfa ? "mfa-required-" : "mfa-test-") + UUID.randomUUID();
        ClientSettings.Builder settings =
                ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false);
        if (requireMfa) {
            settings.setting(MfaPolicy.REQUIRE_MFA_SETTING, true);
        }
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(id)
                .clientSecret(clientSecrets.encoder().encode(requireMfa ? clientSecrets.generate() : clientSecret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(REDIRECT)
                .scope("openid")
                .clientSettings(settings.build())
                .build());
        return id;
    }

    String authorizeUrl(String client, Pkce pkce, String state, String acrValues) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", client);
        q.put("redirect_uri", REDIRECT);
        q.put("scope", "openid");
        q.put("state", state);
        q.put("nonce", "nonce-" + state);
        q.put("code_challenge", pkce.challenge());
        q.put("code_challenge_method", "S256");
        if (acrValues != null) {
            q.put("acr_values", acrValues);
        }
        return base + "/oauth2/authorize?" + HttpBrowser.encode(q);
    }

    /** Starts at the authorization endpoint, signs in with the password, follows back; returns where that leads. */
    HttpResponse<String> passwordThroughAuthorize(
            HttpBrowser browser, String name, String client, Pkce pkce, String acrValues) {
        return MfaSignInFlow.passwordThroughAuthorize(
                browser, authorizeUrl(client, pkce, "st", acrValues), name, PASSWORD);
    }

    HttpResponse<String> postTotp(HttpBrowser browser, String path, String code) {
        return MfaSignInFlow.postCode(browser, path, code);
    }

    /** Submits a TOTP code at the step, follows back to the authorization endpoint, returns the code issued. */
    String submitTotpAndFollow(HttpBrowser browser, String totpCode) {
        HttpResponse<String> r = postTotp(browser, "/mfa/totp", totpCode);
        String resumed = r.headers().firstValue("Location").orElseThrow();
        assertThat(resumed).contains("/oauth2/authorize");
        String location = browser.get(resumed).headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        return HttpBrowser.query(location).get("code");
    }

    Map<String, Object> exchange(HttpBrowser browser, String code, Pkce pkce) throws Exception {
        return new MfaSignInFlow("http://localhost:" + port, clientId, clientSecret).exchange(browser, code, pkce);
    }

    static Map<String, Object> claims(String jwt) throws Exception {
        return SignedJWT.parse(jwt).getJWTClaimsSet().getClaims();
    }
}
