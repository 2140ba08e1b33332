package dev.gatehouse.server;

import static dev.gatehouse.server.AbstractMfaSignInTests.assertPageHeaders;
import static dev.gatehouse.server.AbstractMfaSignInTests.claims;
import static dev.gatehouse.server.AbstractMfaSignInTests.csrf;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.users.JdbcUserStore;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import org.springframework.test.context.TestPropertySource;

/**
 * The sign-in flow around the authorization endpoint, end to end over real HTTP: Gatehouse's consent page (approve,
 * cancel, encoding of every untrusted value, headers), re-authentication for {@code prompt=login} and {@code max_age}
 * (OIDC Core 1.0 §3.1.2.1) with a newer {@code auth_time}, {@code prompt=none} without a session, and the MFA
 * step-up for {@code acr_values} sent through a pushed authorization request (RFC 9126). Subclasses choose the
 * database.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.issuer=",
            "gatehouse.purge-interval=1h",
            "gatehouse.key-rotation-check=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.demo=true"
        })
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
abstract class AbstractSignInFlowTests {

    static final String REDIRECT = "http://127.0.0.1:8084/cb";
    static final String PASSWORD = "correct horse battery 9";
    static final String SCRIPT = "<script>alert(1)</script>";
    static final String IMG = "\"><img src=x onerror=alert(1)>";
    /** A scope token may not hold a space or a double quote (RFC 6749 §3.3), but markup fits. */
    static final String MARKUP_SCOPE = "<img/src=x/onerror=alert(2)>";

    private static final Pattern STATE_INPUT = Pattern.compile("name=\"state\"[^>]*value=\"([^\"]+)\"");
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

    String base;
    String clientSecret;

    @BeforeEach
    void setUp() {
        base = "http://localhost:" + port;
        clientSecret = clientSecrets.generate();
    }

    // ---------------------------------------------------------------- consent page

    @Test
    void consentWhenClientRequiresItThenGatehousePageShowsClientScopesHostAndUserAndApprovalIssuesCode()
            throws Exception {
        String client = registerClient("Reports app", true, "profile", "api.read");
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        HttpResponse<String> toConsent =
                passwordThroughAuthorize(browser, name, authorizeUrl(client, pkce, "openid profile api.read", "c1"));
        String consentUrl = toConsent.headers().firstValue("Location").orElseThrow();
        assertThat(consentUrl).contains("/oauth2/consent?");

        HttpResponse<String> page = browser.get(consentUrl);
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertPageHeaders(page);
        assertThat(page.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        assertThat(page.body())
                .contains("Reports app")
                .contains(name)
                .contains("127.0.0.1:8084")
                .contains("value=\"profile\"")
                .contains("value=\"api.read\"")
                .contains("Your name and profile details") // description of profile
                .contains("action=\"/oauth2/authorize\"")
                .contains("name=\"_csrf\"")
                .doesNotContain("<script")
                .doesNotContain("value=\"openid\"");

        // Approve only "profile": the code carries openid and profile, not api.read.
        HttpResponse<String> approved = submitConsent(browser, page, client, List.of("profile"));
        String location = approved.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?").contains("state=c1");
        Map<String, Object> tokens =
                exchange(browser, client, HttpBrowser.query(location).get("code"), pkce);
        assertThat((String) tokens.get("scope"))
                .contains("openid")
                .contains("profile")
                .doesNotContain("api.read");
        assertThat(claims((String) tokens.get("id_token")).get("sub")).isEqualTo(name);

        // Asking again for both: profile is shown as already granted, only api.read is asked for.
        Pkce again = Pkce.create();
        HttpResponse<String> second = browser.get(authorizeUrl(client, again, "openid profile api.read", "c2"));
        String secondConsent = second.headers().firstValue("Location").orElseThrow();
        assertThat(secondConsent).contains("/oauth2/consent?");
        HttpResponse<String> secondPage = browser.get(secondConsent);
        assertThat(secondPage.body())
                .contains("id=\"granted\"")
                .contains("value=\"api.read\"")
                .doesNotContain("value=\"profile\"");
        HttpResponse<String> both = submitConsent(browser, secondPage, client, List.of("api.read"));
        String secondLocation = both.headers().firstValue("Location").orElseThrow();
        assertThat(secondLocation).startsWith(REDIRECT + "?").contains("state=c2");
        Map<String, Object> secondTokens =
                exchange(browser, client, HttpBrowser.query(secondLocation).get("code"), again);
        assertThat((String) secondTokens.get("scope")).contains("profile").contains("api.read");

        // Everything granted now: the next request goes straight to the client.
        HttpResponse<String> third = browser.get(authorizeUrl(client, Pkce.create(), "openid profile api.read", "c3"));
        assertThat(third.headers().firstValue("Location").orElseThrow()).startsWith(REDIRECT + "?code=");
    }

    @Test
    void consentWhenCancelledThenAccessDeniedAtClientRedirectAndNoConsentStored() {
        String client = registerClient("Cancel app", true, "profile");
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> toConsent =
                passwordThroughAuthorize(browser, name, authorizeUrl(client, Pkce.create(), "openid profile", "x1"));
        HttpResponse<String> page =
                browser.get(toConsent.headers().firstValue("Location").orElseThrow());
        assertThat(page.body()).contains("name=\"cancel\"");
        // The cancel form: client_id, state and the CSRF token, no scope.
        HttpResponse<String> cancelled = browser.postForm(
                "/oauth2/authorize", Map.of("client_id", client, "state", consentState(page), "_csrf", csrf(page)));
        String location = cancelled.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        Map<String, String> q = HttpBrowser.query(location);
        assertThat(q.get("error")).isEqualTo("access_denied");
        assertThat(q.get("state")).isEqualTo("x1");
        assertThat(q).doesNotContainKey("code");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM oauth2_authorization_consent WHERE principal_name = ?",
                        Integer.class,
                        name))
                .isZero();
    }

    @Test
    void consentPageWhenClientNameScopeAndUserHaveMarkupThenEverythingEncodedNeverRaw() {
        String client = registerClient(SCRIPT + IMG, true, MARKUP_SCOPE, "profile");
        String name = SCRIPT + IMG + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> toConsent = passwordThroughAuthorize(
                browser, name, authorizeUrl(client, Pkce.create(), "openid profile " + MARKUP_SCOPE, "m1"));
        HttpResponse<String> page =
                browser.get(toConsent.headers().firstValue("Location").orElseThrow());
        assertThat(page.statusCode()).isEqualTo(200);
        assertPageHeaders(page);
        assertThat(page.body())
                .doesNotContain(SCRIPT)
                .doesNotContain("<img")
                .doesNotContain("onerror=alert(1)>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;")
                .contains("&lt;img/src=x/onerror=alert(2)&gt;");
    }

    @Test
    void consentPageWhenStateUnknownThenRefusedWithoutEchoingParameters() {
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(name, PASSWORD);
        HttpResponse<String> page = browser.get("/oauth2/consent?"
                + HttpBrowser.encode(Map.of("client_id", SCRIPT, "state", "nope", "scope", "profile")));
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.body()).doesNotContain("script").doesNotContain("alert(1)");
    }

    // ---------------------------------------------------------------- prompt=login, max_age, prompt=none

    @Test
    void promptLoginWhenSessionIsLiveThenSignInAgainAndIdTokenHasNewerAuthTime() throws Exception {
        String client = registerClient("Prompt app", false);
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        Pkce first = Pkce.create();
        HttpResponse<String> signedIn =
                passwordThroughAuthorize(browser, name, authorizeUrl(client, first, "openid", "p1"));
        long firstAuthTime = authTime(browser, client, signedIn, first);

        // Without prompt the live session gets a code at once.
        HttpResponse<String> silent = browser.get(authorizeUrl(client, Pkce.create(), "openid", "p2"));
        assertThat(silent.headers().firstValue("Location").orElseThrow()).startsWith(REDIRECT + "?code=");

        Thread.sleep(1100); // auth_time has a resolution of one second
        Pkce second = Pkce.create();
        HttpResponse<String> again =
                passwordThroughAuthorize(browser, name, authorizeUrl(client, second, "openid", "p3") + "&prompt=login");
        long secondAuthTime = authTime(browser, client, again, second);
        assertThat(secondAuthTime).isGreaterThan(firstAuthTime);
    }

    @Test
    void promptLoginWhenUserHasTotpThenPasswordAndSecondFactorAgain() throws Exception {
        String client = registerClient("Prompt MFA app", false);
        String name = newUser();
        TotpSecret key = enrolDirectly(name);
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> step =
                passwordThroughAuthorize(browser, name, authorizeUrl(client, Pkce.create(), "openid", "t1"));
        assertThat(step.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/totp");
        String resumed =
                postCode(browser, "/mfa/totp", TOTP.code(key, clock.instant().plus(Duration.ofSeconds(30))));
        assertThat(browser.get(resumed).headers().firstValue("Location").orElseThrow())
                .startsWith(REDIRECT + "?code=");

        Pkce pkce = Pkce.create();
        HttpResponse<String> again =
                passwordThroughAuthorize(browser, name, authorizeUrl(client, pkce, "openid", "t2") + "&prompt=login");
        assertThat(again.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/totp");
        // The TOTP code of this time step is used up; a recovery code stands in for it.
        String recovered =
                postCode(browser, "/mfa/recovery", recoveryCodes.generate(name).get(0));
        String location =
                browser.get(recovered).headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?").contains("state=t2");
        Map<String, Object> id = claims(
                (String) exchange(browser, client, HttpBrowser.query(location).get("code"), pkce)
                        .get("id_token"));
        assertThat(id.get("amr")).isEqualTo(List.of("pwd", "otp"));
    }

    @Test
    void maxAgeWhenSessionOlderThenSignInAgainAndWhenYoungerThenNot() throws Exception {
        String client = registerClient("Max age app", false);
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        passwordThroughAuthorize(browser, name, authorizeUrl(client, Pkce.create(), "openid", "m1"));

        Pkce young = Pkce.create();
        HttpResponse<String> large = browser.get(authorizeUrl(client, young, "openid", "m2") + "&max_age=3600");
        String location = large.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?code=");
        Map<String, Object> id = claims(
                (String) exchange(browser, client, HttpBrowser.query(location).get("code"), young)
                        .get("id_token"));
        assertThat(id).containsKey("auth_time"); // REQUIRED when max_age was asked for (OIDC Core §2)

        Pkce old = Pkce.create();
        HttpResponse<String> zero =
                passwordThroughAuthorize(browser, name, authorizeUrl(client, old, "openid", "m3") + "&max_age=0");
        String after = zero.headers().firstValue("Location").orElseThrow();
        assertThat(after).startsWith(REDIRECT + "?").contains("state=m3");
        assertThat(claims((String) exchange(
                                        browser,
                                        client,
                                        HttpBrowser.query(after).get("code"),
                                        old)
                                .get("id_token"))
                        .get("auth_time"))
                .isNotNull();
    }

    @Test
    void maxAgeWhenNegativeOrNotANumberThenInvalidRequestAtRedirect() {
        String client = registerClient("Bad max age app", false);
        for (String bad : List.of("-1", "abc", "1e3", "99999999999999999999")) {
            HttpResponse<String> r =
                    new HttpBrowser(base).get(authorizeUrl(client, Pkce.create(), "openid", "bad") + "&max_age=" + bad);
            String location = r.headers().firstValue("Location").orElseThrow();
            assertThat(location).as(bad).startsWith(REDIRECT + "?");
            assertThat(HttpBrowser.query(location))
                    .containsEntry("error", "invalid_request")
                    .containsEntry("state", "bad");
        }
    }

    @Test
    void promptNoneWhenNoSessionThenLoginRequiredAtRedirectAndWithSessionThenCode() {
        String client = registerClient("Silent app", false);
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> r = browser.get(authorizeUrl(client, Pkce.create(), "openid", "n1") + "&prompt=none");
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        assertThat(HttpBrowser.query(location))
                .containsEntry("error", "login_required")
                .containsEntry("state", "n1");

        String name = newUser();
        passwordThroughAuthorize(browser, name, authorizeUrl(client, Pkce.create(), "openid", "n2"));
        HttpResponse<String> silent = browser.get(authorizeUrl(client, Pkce.create(), "openid", "n3") + "&prompt=none");
        assertThat(silent.headers().firstValue("Location").orElseThrow()).startsWith(REDIRECT + "?code=");
        // A session older than max_age cannot be refreshed without a page: login_required again.
        HttpResponse<String> stale =
                browser.get(authorizeUrl(client, Pkce.create(), "openid", "n4") + "&prompt=none&max_age=0");
        assertThat(HttpBrowser.query(stale.headers().firstValue("Location").orElseThrow()))
                .containsEntry("error", "login_required")
                .containsEntry("state", "n4");
    }

    // ---------------------------------------------------------------- pushed authorization requests

    @Test
    void parWhenAcrValuesAskForMfaThenStepUpBeforeAnyCodeAndTokensSayMfa() throws Exception {
        String client = registerClient("PAR app", false);
        String name = newUser();

        // Control: the same pushed request without acr_values gets a code after the password alone.
        HttpBrowser plain = new HttpBrowser(base);
        String plainUri = push(client, Pkce.create(), "r0", null);
        HttpResponse<String> plainBack = passwordThroughAuthorize(plain, name, parAuthorizeUrl(client, plainUri));
        assertThat(plainBack.headers().firstValue("Location").orElseThrow()).startsWith(REDIRECT + "?code=");

        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        String requestUri = push(client, pkce, "r1", MfaPolicy.ACR_MFA);
        HttpResponse<String> back = passwordThroughAuthorize(browser, name, parAuthorizeUrl(client, requestUri));
        assertThat(back.headers().firstValue("Location").orElseThrow())
                .endsWith("/mfa/enroll")
                .doesNotStartWith(REDIRECT);
        // Enrol on the page; the recovery-code page continues to the pushed request, which now gets its code.
        HttpResponse<String> enrol = AbstractMfaSignInTests.startEnrolment(browser);
        Matcher secret =
                Pattern.compile("<code id=\"secret\">([A-Z2-7]+)</code>").matcher(enrol.body());
        assertThat(secret.find()).isTrue();
        TotpSecret key = TotpSecret.fromBase32(secret.group(1));
        HttpResponse<String> codes =
                browser.postForm("/mfa/enroll", Map.of("code", TOTP.code(key, clock.instant()), "_csrf", csrf(enrol)));
        Matcher continueUrl = Pattern.compile("<a id=\"continue\" href=\"([^\"]+)\">Continue</a>")
                .matcher(codes.body());
        assertThat(continueUrl.find()).as(codes.body()).isTrue();
        String resumed = continueUrl.group(1).replace("&amp;", "&");
        assertThat(resumed).startsWith("/oauth2/authorize?").contains("request_uri="); // same origin, always
        String location = browser.get(resumed).headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?").contains("state=r1");
        Map<String, Object> id = claims(
                (String) exchange(browser, client, HttpBrowser.query(location).get("code"), pkce)
                        .get("id_token"));
        assertThat(id.get("amr")).isEqualTo(List.of("pwd", "otp"));
        assertThat(id.get("acr")).isEqualTo(MfaPolicy.ACR_MFA);
    }

    @Test
    void parWhenPromptLoginThenLiveSessionSignsInAgain() {
        String client = registerClient("PAR prompt app", false);
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        passwordThroughAuthorize(browser, name, authorizeUrl(client, Pkce.create(), "openid", "q0"));
        String requestUri = push(client, Pkce.create(), "q1", null, Map.of("prompt", "login"));
        HttpResponse<String> back = passwordThroughAuthorize(browser, name, parAuthorizeUrl(client, requestUri));
        assertThat(back.headers().firstValue("Location").orElseThrow())
                .startsWith(REDIRECT + "?")
                .contains("state=q1");
    }

    // ---------------------------------------------------------------- device flow pages (RFC 8628 §3.3)

    @Test
    void deviceVerificationWhenUserEntersCodeAndAllowsThenConsentPageShowsCodeAndDeviceGetsTokens() throws Exception {
        String client = registerDeviceClient("TV app " + SCRIPT, "api.read");
        Map<String, Object> device = deviceAuthorization(client, "api.read");
        String userCode = (String) device.get("user_code");
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(newUser(), PASSWORD);

        // The verification URI the device shows is a page where the code is typed in.
        HttpResponse<String> entry = browser.get((String) device.get("verification_uri"));
        assertThat(entry.statusCode()).as(entry.body()).isEqualTo(200);
        assertPageHeaders(entry);
        assertThat(entry.body())
                .contains("name=\"user_code\"")
                .contains("action=\"/oauth2/device_verification\"")
                .contains("name=\"_csrf\"");

        HttpResponse<String> entered =
                browser.postForm("/oauth2/device_verification", Map.of("user_code", userCode, "_csrf", csrf(entry)));
        String consentUrl = entered.headers().firstValue("Location").orElseThrow();
        assertThat(consentUrl).contains("/oauth2/consent?");
        HttpResponse<String> consent = browser.get(consentUrl);
        assertThat(consent.statusCode()).as(consent.body()).isEqualTo(200);
        assertPageHeaders(consent);
        assertThat(consent.body())
                .contains("TV app &lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain(SCRIPT)
                .contains("id=\"user-code\">" + userCode + "<")
                .contains("action=\"/oauth2/device_verification\"")
                .contains("name=\"user_code\" value=\"" + userCode + "\"")
                .doesNotContain("redirect-host");

        HttpResponse<String> allowed = browser.postRaw(
                "/oauth2/device_verification",
                HttpBrowser.encode(Map.of(
                                "client_id",
                                client,
                                "state",
                                consentState(consent),
                                "user_code",
                                userCode,
                                "_csrf",
                                csrf(consent)))
                        + "&scope=api.read");
        assertThat(allowed.headers().firstValue("Location").orElseThrow())
                .endsWith("/oauth2/device_verification?outcome=success");
        assertThat(browser.get("/oauth2/device_verification?outcome=success").body())
                .contains("Your device is connected");

        Map<String, Object> tokens = json(pollDevice(client, (String) device.get("device_code")), 200);
        assertThat(tokens).containsKey("access_token");
    }

    @Test
    void deviceVerificationWhenCodePostedWithoutCsrfTokenThenRefusedAndDeviceStillPending() throws Exception {
        // Once the user has consented to a client's scopes, a user code alone approves the next device of that
        // client (Spring Authorization Server asks again only for new scopes): without the CSRF check, one
        // cross-site post of an attacker's code would approve the attacker's device on this user's account.
        String client = registerDeviceClient("Consented device", "api.read");
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(newUser(), PASSWORD);
        Map<String, Object> first = deviceAuthorization(client, "api.read");
        HttpResponse<String> entry = browser.get("/oauth2/device_verification");
        HttpResponse<String> consent = browser.get(browser.postForm(
                        "/oauth2/device_verification",
                        Map.of("user_code", (String) first.get("user_code"), "_csrf", csrf(entry)))
                .headers()
                .firstValue("Location")
                .orElseThrow());
        browser.postRaw(
                "/oauth2/device_verification",
                HttpBrowser.encode(Map.of(
                                "client_id",
                                client,
                                "state",
                                consentState(consent),
                                "user_code",
                                (String) first.get("user_code"),
                                "_csrf",
                                csrf(consent)))
                        + "&scope=api.read");
        assertThat(json(pollDevice(client, (String) first.get("device_code")), 200))
                .containsKey("access_token");

        Map<String, Object> attackers = deviceAuthorization(client, "api.read");
        // A link (verification_uri_complete) approves nothing either: it fills in the entry page, nothing more.
        HttpResponse<String> link = browser.get("/oauth2/device_verification?user_code=" + attackers.get("user_code"));
        assertThat(link.statusCode()).isEqualTo(302);
        assertThat(link.headers().firstValue("Location").orElseThrow())
                .endsWith("/oauth2/device_verification?code=" + attackers.get("user_code"));
        assertThat(browser.get("/oauth2/device_verification?code="
                                + java.net.URLEncoder.encode(IMG, java.nio.charset.StandardCharsets.UTF_8))
                        .body())
                .doesNotContain("onerror")
                .contains("value=\"\"");
        assertThat(json(pollDevice(client, (String) attackers.get("device_code")), 400)
                        .get("error"))
                .isEqualTo("authorization_pending");
        HttpResponse<String> forged = browser.postForm(
                "/oauth2/device_verification", Map.of("user_code", (String) attackers.get("user_code")));
        assertThat(forged.statusCode()).isEqualTo(403);
        HttpResponse<String> wrongToken = browser.postForm(
                "/oauth2/device_verification",
                Map.of("user_code", (String) attackers.get("user_code"), "_csrf", "not-the-token"));
        assertThat(wrongToken.statusCode()).isEqualTo(403);
        assertThat(json(pollDevice(client, (String) attackers.get("device_code")), 400)
                        .get("error"))
                .isEqualTo("authorization_pending");

        // The same post from Gatehouse's own page (with its token) does approve it, with no consent step: the check
        // above is what stood between the forged post and the attacker's tokens.
        HttpResponse<String> real = browser.postForm(
                "/oauth2/device_verification",
                Map.of(
                        "user_code",
                        (String) attackers.get("user_code"),
                        "_csrf",
                        csrf(browser.get("/oauth2/device_verification"))));
        assertThat(real.headers().firstValue("Location").orElseThrow()).endsWith("?outcome=success");
        assertThat(json(pollDevice(client, (String) attackers.get("device_code")), 200))
                .containsKey("access_token");
    }

    @Test
    void deviceVerificationWhenClientRequiresMfaThenPasswordOnlyUserSentToEnrolmentAndDeviceStillPending()
            throws Exception {
        // The user code is the only link to the client: its MFA requirement must hold for its devices too.
        String client = registerDeviceClient("MFA device", true, "api.read");
        Map<String, Object> device = deviceAuthorization(client, "api.read");
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(newUser(), PASSWORD);
        HttpResponse<String> entry = browser.get("/oauth2/device_verification");
        HttpResponse<String> posted = browser.postForm(
                "/oauth2/device_verification",
                Map.of("user_code", (String) device.get("user_code"), "_csrf", csrf(entry)));
        assertThat(posted.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/enroll");
        assertThat(json(pollDevice(client, (String) device.get("device_code")), 400)
                        .get("error"))
                .isEqualTo("authorization_pending");
    }

    @Test
    void deviceVerificationWhenCodeWrongThenGenericMessageAndWhenCancelledThenDeviceDenied() throws Exception {
        String client = registerDeviceClient("Kiosk", "api.read");
        Map<String, Object> device = deviceAuthorization(client, "api.read");
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(newUser(), PASSWORD);
        HttpResponse<String> entry = browser.get("/oauth2/device_verification");

        HttpResponse<String> wrong = browser.postForm(
                "/oauth2/device_verification", Map.of("user_code", "BCDF-GHJK" + IMG, "_csrf", csrf(entry)));
        assertThat(wrong.headers().firstValue("Location").orElseThrow())
                .endsWith("/oauth2/device_verification?outcome=error");
        HttpResponse<String> message = browser.get("/oauth2/device_verification?outcome=error");
        assertThat(message.body()).contains("not valid, or it has expired").doesNotContain("onerror");
        // An outcome the page does not know shows nothing from the query.
        assertThat(browser.get("/oauth2/device_verification?outcome=" + HttpBrowser.encode(Map.of("x", IMG)))
                        .body())
                .doesNotContain("onerror")
                .doesNotContain("role=\"status\"");

        HttpResponse<String> consent = browser.get(browser.postForm(
                        "/oauth2/device_verification",
                        Map.of("user_code", (String) device.get("user_code"), "_csrf", csrf(entry)))
                .headers()
                .firstValue("Location")
                .orElseThrow());
        HttpResponse<String> cancelled = browser.postForm(
                "/oauth2/device_verification",
                Map.of(
                        "client_id",
                        client,
                        "state",
                        consentState(consent),
                        "user_code",
                        (String) device.get("user_code"),
                        "_csrf",
                        csrf(consent)));
        assertThat(cancelled.headers().firstValue("Location").orElseThrow()).endsWith("?outcome=denied");
        assertThat(json(pollDevice(client, (String) device.get("device_code")), 400)
                        .get("error"))
                .isIn("access_denied", "invalid_grant");
    }

    // ---------------------------------------------------------------- helpers

    String newUser() {
        String name = "flow-" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        return name;
    }

    TotpSecret enrolDirectly(String name) {
        TotpSecret key = TotpSecret.fromBase32(totpService.enrol(name, name).secretBase32());
        assertThat(totpService.confirm(name, TOTP.code(key, clock.instant())).accepted())
                .isTrue();
        return key;
    }

    /** A device-flow client (Spring Authorization Server asks device users for consent whatever the setting). */
    String registerDeviceClient(String clientName, String... scopes) {
        return registerDeviceClient(clientName, false, scopes);
    }

    String registerDeviceClient(String clientName, boolean requireMfa, String... scopes) {
        return saveClient(
                "device-",
                clientName,
                b -> b.authorizationGrantType(AuthorizationGrantType.DEVICE_CODE),
                ClientSettings.builder()
                        .requireAuthorizationConsent(true)
                        .setting(MfaPolicy.REQUIRE_MFA_SETTING, requireMfa)
                        .build(),
                scopes);
    }

    Map<String, Object> deviceAuthorization(String client, String scope) throws Exception {
        return json(
                new HttpBrowser(base)
                        .postForm(
                                "/oauth2/device_authorization",
                                Map.of("scope", scope),
                                "Authorization",
                                HttpBrowser.basic(client, clientSecret)),
                200);
    }

    HttpResponse<String> pollDevice(String client, String deviceCode) {
        return new HttpBrowser(base)
                .postForm(
                        "/oauth2/token",
                        Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code", "device_code", deviceCode),
                        "Authorization",
                        HttpBrowser.basic(client, clientSecret));
    }

    static Map<String, Object> json(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return JSONObjectUtils.parse(r.body());
    }

    String registerClient(String clientName, boolean requireConsent, String... scopes) {
        return saveClient(
                "flow-",
                clientName,
                b -> b.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                        .redirectUri(REDIRECT)
                        .scope("openid"),
                ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(requireConsent)
                        .build(),
                scopes);
    }

    /** A confidential client (secret {@link #clientSecret}, HTTP Basic) with the grant-specific parts added. */
    private String saveClient(
            String idPrefix,
            String clientName,
            java.util.function.UnaryOperator<RegisteredClient.Builder> grant,
            ClientSettings settings,
            String... scopes) {
        String id = idPrefix + UUID.randomUUID();
        RegisteredClient.Builder b = grant.apply(
                        RegisteredClient.withId(UUID.randomUUID().toString())
                                .clientId(id)
                                .clientName(clientName)
                                .clientSecret(clientSecrets.encoder().encode(clientSecret))
                                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC))
                .clientSettings(settings);
        for (String s : scopes) {
            b.scope(s);
        }
        clients.save(b.build());
        return id;
    }

    String authorizeUrl(String client, Pkce pkce, String scope, String state) {
        return base + "/oauth2/authorize?" + HttpBrowser.encode(requestParameters(client, pkce, scope, state));
    }

    static Map<String, String> requestParameters(String client, Pkce pkce, String scope, String state) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", client);
        q.put("redirect_uri", REDIRECT);
        q.put("scope", scope);
        q.put("state", state);
        q.put("nonce", "nonce-" + state);
        q.put("code_challenge", pkce.challenge());
        q.put("code_challenge_method", "S256");
        return q;
    }

    String parAuthorizeUrl(String client, String requestUri) {
        return base + "/oauth2/authorize?" + HttpBrowser.encode(Map.of("client_id", client, "request_uri", requestUri));
    }

    String push(String client, Pkce pkce, String state, String acrValues) {
        return push(client, pkce, state, acrValues, Map.of());
    }

    /** Pushes an authorization request (RFC 9126 §2.1) and returns its {@code request_uri}. */
    String push(String client, Pkce pkce, String state, String acrValues, Map<String, String> extra) {
        Map<String, String> form = requestParameters(client, pkce, "openid", state);
        if (acrValues != null) {
            form.put("acr_values", acrValues);
        }
        form.putAll(extra);
        HttpResponse<String> r = new HttpBrowser(base)
                .postForm("/oauth2/par", form, "Authorization", HttpBrowser.basic(client, clientSecret));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        try {
            return (String) JSONObjectUtils.parse(r.body()).get("request_uri");
        } catch (java.text.ParseException e) {
            throw new AssertionError(r.body(), e);
        }
    }

    /** Starts at the authorization endpoint, signs in with the password, follows back; returns where that leads. */
    HttpResponse<String> passwordThroughAuthorize(HttpBrowser browser, String name, String url) {
        HttpResponse<String> start = browser.get(url);
        assertThat(start.headers().firstValue("Location").orElseThrow())
                .as("authorization request should be sent to sign in")
                .endsWith("/login");
        HttpResponse<String> login = browser.login(name, PASSWORD);
        String next = login.headers().firstValue("Location").orElseThrow();
        assertThat(next).doesNotContain("/login?error").contains("/oauth2/authorize");
        HttpResponse<String> back = browser.get(next);
        assertThat(back.statusCode()).isEqualTo(302);
        return back;
    }

    /** Posts a one-time code at an MFA step; returns where the step resumes. */
    String postCode(HttpBrowser browser, String path, String code) {
        HttpResponse<String> page = browser.get(path);
        HttpResponse<String> r = browser.postForm(path, Map.of("code", code, "_csrf", csrf(page)));
        String resumed = r.headers().firstValue("Location").orElseThrow();
        assertThat(resumed).contains("/oauth2/authorize");
        return resumed;
    }

    HttpResponse<String> submitConsent(
            HttpBrowser browser, HttpResponse<String> page, String client, List<String> scopes) {
        StringBuilder body = new StringBuilder(
                HttpBrowser.encode(Map.of("client_id", client, "state", consentState(page), "_csrf", csrf(page))));
        for (String s : scopes) {
            body.append('&').append(HttpBrowser.encode(Map.of("scope", s)));
        }
        return browser.postRaw("/oauth2/authorize", body.toString());
    }

    static String consentState(HttpResponse<String> page) {
        Matcher m = STATE_INPUT.matcher(page.body());
        if (!m.find()) {
            throw new AssertionError("no state on the consent page: " + page.body());
        }
        return m.group(1);
    }

    long authTime(HttpBrowser browser, String client, HttpResponse<String> redirect, Pkce pkce) throws Exception {
        String location = redirect.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?code=");
        Map<String, Object> id = claims(
                (String) exchange(browser, client, HttpBrowser.query(location).get("code"), pkce)
                        .get("id_token"));
        assertThat(id).containsKey("auth_time");
        Object authTime = id.get("auth_time");
        return authTime instanceof java.util.Date d ? d.getTime() / 1000 : ((Number) authTime).longValue();
    }

    Map<String, Object> exchange(HttpBrowser browser, String client, String code, Pkce pkce) throws Exception {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type",
                        "authorization_code",
                        "code",
                        code,
                        "redirect_uri",
                        REDIRECT,
                        "code_verifier",
                        pkce.verifier()),
                "Authorization",
                HttpBrowser.basic(client, clientSecret));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSONObjectUtils.parse(r.body());
    }
}
