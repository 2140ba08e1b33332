package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.passkeys.Passkeys;
import dev.gatehouse.server.passkeys.TimedRequestOptionsRepository;
import dev.gatehouse.server.testsupport.TestAuthenticator;
import dev.gatehouse.server.users.JdbcUserStore;
import java.net.http.HttpResponse;
import java.time.Clock;
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
 * Passkey sign-in end to end over real HTTP (issue #16), with the software {@link TestAuthenticator}: a passkey
 * registered through Spring's {@code /webauthn/register} endpoints, then used without a password (through {@code
 * /oauth2/authorize} to a code and tokens with {@code amr} hwk/user and {@code acr} phr), as the second factor after
 * the password, and against a client that requires a phishing-resistant factor; refusals (a removed passkey, a
 * replayed assertion, a disabled user, another user's passkey at the second step). Subclasses choose the database.
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
abstract class AbstractPasskeySignInTests {

    static final String REDIRECT = MfaSignInFlow.REDIRECT;
    static final String PASSWORD = "correct horse battery 9";
    private static final Pattern CSRF_HEADER = Pattern.compile("<meta name=\"_csrf_header\" content=\"([^\"]+)\">");
    private static final Pattern CSRF_TOKEN = Pattern.compile("<meta name=\"_csrf\" content=\"([^\"]+)\">");
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
    Passkeys passkeys;

    @Autowired
    Clock clock;

    @Autowired
    JdbcAuditLog auditLog;

    String base;
    String origin;
    String clientSecret;
    String phishingResistantClientSecret;
    String clientId;
    String phishingResistantClientId;

    @BeforeEach
    void setUp() {
        base = "http://localhost:" + port;
        origin = base;
        clientSecret = clientSecrets.generate();
        phishingResistantClientSecret = clientSecrets.generate();
        clientId = registerClient(false, clientSecret);
        phishingResistantClientId = registerClient(true, phishingResistantClientSecret);
    }

    // ---------------------------------------------------------------- passwordless

    @Test
    void passkeyWhenSignInWithoutPasswordThenCodeAndTokensWithHwkUserAndAcrPhishingResistant() throws Exception {
        String name = newUser();
        TestAuthenticator key = registeredPasskey(name);

        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        HttpResponse<String> start = browser.get(authorizeUrl(clientId, pkce, "pk", null));
        assertThat(start.headers().firstValue("Location").orElseThrow()).endsWith("/login");
        HttpResponse<String> login = browser.get("/login");
        // The page offers the passkey: the button (shown by the script), the autofill hint, the script file.
        assertThat(login.body())
                .contains("id=\"passkey-sign-in\"")
                .contains("autocomplete=\"username webauthn\"")
                .contains("src=\"/assets/passkey-sign-in.js\"")
                .contains("role=\"alert\"");
        HttpResponse<String> script = browser.get("/assets/passkey-sign-in.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).contains("/login/webauthn").contains("mediation: \"conditional\"");
        String before = BrowserSessions.idOf(browser.cookie(BrowserSessions.COOKIE));

        HttpResponse<String> signedIn = assertPasskey(browser, login, key);
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(200);
        assertThat(signedIn.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        String resumed = redirectUrl(signedIn);
        assertThat(resumed).startsWith("/oauth2/authorize?").contains("state=pk");
        // A new session at sign-in (session fixation), as after the password.
        assertThat(BrowserSessions.idOf(browser.cookie(BrowserSessions.COOKIE))).isNotEqualTo(before);

        String location = browser.get(resumed).headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        Map<String, Object> tokens =
                exchange(browser, HttpBrowser.query(location).get("code"), pkce);
        Map<String, Object> idToken = SignedJWT.parse((String) tokens.get("id_token"))
                .getJWTClaimsSet()
                .getClaims();
        // RFC 8176 §2: hwk (hardware-secured key), user (user verification), mfa; no password was used.
        assertThat(idToken.get("amr")).isEqualTo(List.of("hwk", "user", "mfa"));
        assertThat(idToken.get("acr")).isEqualTo(MfaPolicy.ACR_PHISHING_RESISTANT);
        assertThat(idToken).containsKey("auth_time");
        assertThat(idToken.get("sub")).isEqualTo(name);
        // Audited as a sign-in (the registration's password sign-in is the other one) and as a passkey use.
        flushAudit();
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_audit_event WHERE type = 'signin.success' AND actor = ?"
                                + " AND details LIKE '%passkey%'",
                        Integer.class, name))
                .isEqualTo(1);
        assertThat(audited("passkey.use", name)).isEqualTo(1);

        // Every stored session attribute deserializes as Spring Session reads it (Java serialization).
        for (Map.Entry<String, byte[]> attribute : new BrowserSessions(jdbc)
                .attributesOf(BrowserSessions.idOf(browser.cookie(BrowserSessions.COOKIE)))
                .entrySet()) {
            assertThat(BrowserSessions.deserialize(attribute.getValue()))
                    .as(attribute.getKey())
                    .isNotNull();
        }

        // prompt=none with the passkey session: a code, no page.
        HttpResponse<String> silent =
                browser.get(authorizeUrl(clientId, Pkce.create(), "silent", null) + "&prompt=none");
        assertThat(HttpBrowser.query(silent.headers().firstValue("Location").orElseThrow()))
                .containsKey("code")
                .doesNotContainKey("error");
    }

    @Test
    void passkeyWhenBackupEligibleThenAmrSwkNotHwk() throws Exception {
        String name = newUser();
        // A synced passkey: backup eligible (and backed up), WebAuthn Level 3 §6.1.3.
        TestAuthenticator key =
                registeredPasskey(name, TestAuthenticator.create().backup(true, true));

        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        browser.get(authorizeUrl(clientId, pkce, "pk", null));
        HttpResponse<String> signedIn = assertPasskey(browser, browser.get("/login"), key);
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(200);
        String location = browser.get(redirectUrl(signedIn))
                .headers()
                .firstValue("Location")
                .orElseThrow();
        Map<String, Object> tokens =
                exchange(browser, HttpBrowser.query(location).get("code"), pkce);
        Map<String, Object> idToken = SignedJWT.parse((String) tokens.get("id_token"))
                .getJWTClaimsSet()
                .getClaims();
        // RFC 8176 §2: a key exported to a sync fabric is no hardware-secured key: swk, never hwk.
        assertThat(idToken.get("amr")).isEqualTo(List.of("swk", "user", "mfa"));
        assertThat(idToken.get("acr")).isEqualTo(MfaPolicy.ACR_PHISHING_RESISTANT);
    }

    @Test
    void promptNoneWhenAnonymousThenLoginRequiredUnchanged() {
        HttpResponse<String> silent =
                new HttpBrowser(base).get(authorizeUrl(clientId, Pkce.create(), "silent", null) + "&prompt=none");
        assertThat(HttpBrowser.query(silent.headers().firstValue("Location").orElseThrow()))
                .containsEntry("error", "login_required")
                .doesNotContainKey("code");
    }

    // ---------------------------------------------------------------- second factor

    @Test
    void passkeyWhenSecondStepAfterPasswordThenFactorsMergedAndCodeWithPwdHwk() throws Exception {
        String name = newUser();
        TestAuthenticator key = registeredPasskey(name);

        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        HttpResponse<String> held = passwordThroughAuthorize(browser, name, clientId, pkce, null);
        // A user with only a passkey owes it as the second factor: the passkey step.
        assertThat(held.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/passkey");
        HttpResponse<String> step = browser.get("/mfa/passkey");
        assertThat(step.statusCode()).isEqualTo(200);
        assertThat(step.body()).contains("id=\"use-passkey\"").doesNotContain("href=\"/mfa/totp\"");

        HttpResponse<String> passed = assertPasskey(browser, step, key);
        assertThat(passed.statusCode()).as(passed.body()).isEqualTo(200);
        String location = browser.get(redirectUrl(passed))
                .headers()
                .firstValue("Location")
                .orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        Map<String, Object> tokens =
                exchange(browser, HttpBrowser.query(location).get("code"), pkce);
        Map<String, Object> idToken = SignedJWT.parse((String) tokens.get("id_token"))
                .getJWTClaimsSet()
                .getClaims();
        assertThat(idToken.get("amr")).isEqualTo(List.of("pwd", "hwk", "user", "mfa"));
        assertThat(idToken.get("acr")).isEqualTo(MfaPolicy.ACR_PHISHING_RESISTANT);
        flushAudit();
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_audit_event WHERE type = 'passkey.use' AND actor = ?"
                                + " AND details LIKE '%second_factor%'",
                        Integer.class, name))
                .isEqualTo(1);
    }

    @Test
    void totpStepWhenUserAlsoHasPasskeyThenLinksToThePasskeyStep() {
        String name = newUser();
        // The passkey first: registering needs every factor the user owes, and a TOTP user owes the code.
        registeredPasskey(name);
        enrolDirectly(name);
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> held = passwordThroughAuthorize(browser, name, clientId, Pkce.create(), null);
        assertThat(held.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/totp");
        assertThat(browser.get("/mfa/totp").body()).contains("id=\"use-passkey-instead\"");
        // Without a phishing-resistant requirement the passkey step offers TOTP and recovery codes too.
        assertThat(browser.get("/mfa/passkey").body()).contains("href=\"/mfa/totp\"");
    }

    @Test
    void otherUsersPasskeyWhenSecondStepThenRefusedAndStillOwed() {
        String name = newUser();
        registeredPasskey(name);
        String other = newUser();
        TestAuthenticator othersKey = registeredPasskey(other);

        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> held = passwordThroughAuthorize(browser, name, clientId, Pkce.create(), null);
        assertThat(held.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/passkey");
        HttpResponse<String> refused = assertPasskey(browser, browser.get("/mfa/passkey"), othersKey);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain(othersKey.credentialId()).doesNotContain(other);
        // Still the same user, still owing the factor: no code, no switch of account.
        HttpResponse<String> again = browser.get(authorizeUrl(clientId, Pkce.create(), "again", null));
        assertThat(again.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/passkey");
        assertThat(browser.get("/").body()).contains(name).doesNotContain(other);
    }

    // ---------------------------------------------------------------- phishing-resistant requirement

    @Test
    void phishingResistantClientWhenTotpThenNoCodeAndWhenPasskeyThenCode() throws Exception {
        String name = newUser();
        TestAuthenticator key = registeredPasskey(name);
        TotpSecret secret = enrolDirectly(name);

        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        HttpResponse<String> held = passwordThroughAuthorize(
                browser, name, phishingResistantClientId, pkce, MfaPolicy.ACR_PHISHING_RESISTANT);
        assertThat(held.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/passkey");
        HttpResponse<String> step = browser.get("/mfa/passkey");
        // Only the passkey can meet it: no way to TOTP or a recovery code from here.
        assertThat(step.body()).doesNotContain("href=\"/mfa/totp\"").doesNotContain("href=\"/mfa/recovery\"");

        // TOTP passes its own step, but the request still owes the passkey: no code.
        HttpResponse<String> page = browser.get("/mfa/totp");
        HttpResponse<String> totp = browser.postForm(
                "/mfa/totp",
                Map.of("code", TOTP.code(secret, clock.instant().plusSeconds(30)), "_csrf", MfaSignInFlow.csrf(page)));
        String resumed = totp.headers().firstValue("Location").orElseThrow();
        assertThat(resumed).contains("/oauth2/authorize");
        assertThat(browser.get(resumed).headers().firstValue("Location").orElseThrow())
                .endsWith("/mfa/passkey");
        // prompt=none cannot show the step: interaction_required, no code.
        HttpResponse<String> silent = browser.get(
                authorizeUrl(phishingResistantClientId, Pkce.create(), "silent", MfaPolicy.ACR_PHISHING_RESISTANT)
                        + "&prompt=none");
        assertThat(HttpBrowser.query(silent.headers().firstValue("Location").orElseThrow()))
                .containsEntry("error", "interaction_required")
                .doesNotContainKey("code");

        // The passkey meets it. The held request was saved again by the last redirect to the step.
        browser.get(authorizeUrl(phishingResistantClientId, pkce, "st", MfaPolicy.ACR_PHISHING_RESISTANT));
        HttpResponse<String> passed = assertPasskey(browser, browser.get("/mfa/passkey"), key);
        assertThat(passed.statusCode()).as(passed.body()).isEqualTo(200);
        String location = browser.get(redirectUrl(passed))
                .headers()
                .firstValue("Location")
                .orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        Map<String, Object> tokens =
                exchange(browser, HttpBrowser.query(location).get("code"), pkce, phishingResistantClientId);
        assertThat(SignedJWT.parse((String) tokens.get("id_token"))
                        .getJWTClaimsSet()
                        .getClaim("acr"))
                .isEqualTo(MfaPolicy.ACR_PHISHING_RESISTANT);
    }

    @Test
    void phishingResistantAcrValuesWhenTotpUserHasNoPasskeyThenTotpStepThenRegistrationThenCode() throws Exception {
        String name = newUser();
        TotpSecret secret = enrolDirectly(name);
        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        HttpResponse<String> held =
                passwordThroughAuthorize(browser, name, clientId, pkce, MfaPolicy.ACR_PHISHING_RESISTANT);
        // Registering needs the code a TOTP user owes: the TOTP step first (not the registration page, which would
        // sign a password-only session out and send it back to the password, round and round).
        assertThat(held.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/totp");
        HttpResponse<String> page = browser.get("/mfa/totp");
        HttpResponse<String> totp = browser.postForm(
                "/mfa/totp",
                Map.of("code", TOTP.code(secret, clock.instant().plusSeconds(30)), "_csrf", MfaSignInFlow.csrf(page)));
        String resumed = totp.headers().firstValue("Location").orElseThrow();
        assertThat(resumed).contains("/oauth2/authorize");
        // The code does not meet the requirement: on to registering a passkey, which the page now allows.
        assertThat(browser.get(resumed).headers().firstValue("Location").orElseThrow())
                .endsWith("/mfa/passkey/register");
        HttpResponse<String> registration = browser.get("/mfa/passkey/register");
        assertThat(registration.statusCode()).isEqualTo(200);
        assertThat(registration.body()).contains("id=\"add-passkey\"");
        TestAuthenticator key = TestAuthenticator.create();
        String[] csrf = csrf(registration);
        HttpResponse<String> options = browser.postJson("/webauthn/register/options", "", csrf);
        assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
        HttpResponse<String> registered =
                browser.postJson("/webauthn/register", key.register(options.body(), origin), csrf);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);

        // The new passkey is then used at the passkey step, and the request gets its code.
        assertThat(browser.get(authorizeUrl(clientId, pkce, "st", MfaPolicy.ACR_PHISHING_RESISTANT))
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .endsWith("/mfa/passkey");
        HttpResponse<String> passed = assertPasskey(browser, browser.get("/mfa/passkey"), key);
        assertThat(passed.statusCode()).as(passed.body()).isEqualTo(200);
        assertThat(browser.get(redirectUrl(passed))
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .startsWith(REDIRECT + "?")
                .contains("code=");
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void removedPasskeyWhenAssertedThenRefused() {
        String name = newUser();
        TestAuthenticator key = registeredPasskey(name);
        assertThat(passkeys.remove(name, key.credentialId())).isTrue();

        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> refused = assertPasskey(browser, browser.get("/login"), key);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain(key.credentialId());
        assertThat(browser.get("/").statusCode()).isEqualTo(302);
        flushAudit();
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_audit_event WHERE type = 'passkey.use' AND outcome = 'failure'"
                                + " AND details LIKE '%unknown_credential%'",
                        Integer.class))
                .isPositive();
    }

    @Test
    void replayedAssertionWhenSameRequestOptionsUsedTwiceThenRefused() {
        String name = newUser();
        TestAuthenticator key = registeredPasskey(name);

        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> login = browser.get("/login");
        String[] csrf = csrf(login);
        HttpResponse<String> options = browser.postJson("/webauthn/authenticate/options", "", csrf);
        assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
        String assertion = key.assertion(options.body(), origin);
        HttpResponse<String> first = browser.postJson("/login/webauthn", assertion, csrf);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

        // The same assertion again, on a fresh session: its challenge was used up with the options it answered.
        HttpBrowser replay = new HttpBrowser(base);
        String[] replayCsrf = csrf(replay.get("/login"));
        assertThat(replay.postJson("/login/webauthn", assertion, replayCsrf).statusCode())
                .isEqualTo(401);
        // ... and against new options (another challenge).
        assertThat(replay.postJson("/webauthn/authenticate/options", "", replayCsrf)
                        .statusCode())
                .isEqualTo(200);
        assertThat(replay.postJson("/login/webauthn", assertion, replayCsrf).statusCode())
                .isEqualTo(401);
        assertThat(replay.get("/").statusCode()).isEqualTo(302);
    }

    @Test
    void clonedPasskeyWhenCounterGoesBackThenRefusedAndAuditedForItsOwner() {
        String name = newUser();
        TestAuthenticator key = registeredPasskey(name).signatureCount(10);
        HttpBrowser first = new HttpBrowser(base);
        assertThat(assertPasskey(first, first.get("/login"), key).statusCode()).isEqualTo(200);

        // A copy of the authenticator, behind the original: its counter does not grow past the stored one
        // (WebAuthn Level 3 §6.1.1). An anonymous sign-in, so the owner comes from the credential, not a session.
        key.signatureCount(5);
        HttpBrowser copy = new HttpBrowser(base);
        assertThat(assertPasskey(copy, copy.get("/login"), key).statusCode()).isEqualTo(401);
        assertThat(copy.get("/").statusCode()).isEqualTo(302);
        assertThat(audited("passkey.clone_suspected", name)).isEqualTo(1);
    }

    @Test
    void requestOptionsWhenIssuedThenHeldWithTheirTimeInTheSharedSession() {
        // The sign-in's challenge expires (TimedRequestOptionsRepository): both of Spring's filters use the timed
        // repository, so the options are stored with their time and Spring's own attribute is never written.
        HttpBrowser browser = new HttpBrowser(base);
        String[] csrf = csrf(browser.get("/login"));
        assertThat(browser.postJson("/webauthn/authenticate/options", "", csrf).statusCode())
                .isEqualTo(200);
        Map<String, byte[]> stored =
                new BrowserSessions(jdbc).attributesOf(BrowserSessions.idOf(browser.cookie(BrowserSessions.COOKIE)));
        assertThat(stored.keySet())
                .anyMatch(name -> name.startsWith(TimedRequestOptionsRepository.class.getName()))
                .noneMatch(name -> name.contains("HttpSessionPublicKeyCredentialRequestOptionsRepository"));
    }

    @Test
    void springsPasskeyRemovalWhenCalledThenRefusedAndPasskeyKept() throws Exception {
        String name = newUser();
        TestAuthenticator key = registeredPasskey(name);
        HttpBrowser browser = new HttpBrowser(base);
        assertThat(assertPasskey(browser, browser.get("/login"), key).statusCode())
                .isEqualTo(200);
        String[] csrf = csrf(browser.get("/"));
        HttpResponse<String> removal = browser.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(base + "/webauthn/register/" + key.credentialId()))
                .header(csrf[0], csrf[1])
                .DELETE());
        assertThat(removal.statusCode()).isEqualTo(405); // the registration guard: removal is the account page's
        assertThat(passkeys.hasAny(name)).isTrue();
    }

    @Test
    void disabledUserWhenPasskeyThenRefused() {
        String name = newUser();
        TestAuthenticator key = registeredPasskey(name);
        assertThat(users.setEnabled(name, false)).isTrue();

        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> refused = assertPasskey(browser, browser.get("/login"), key);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("not accepted").doesNotContain("disabled");
        assertThat(browser.get("/").statusCode()).isEqualTo(302);
        flushAudit();
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_audit_event WHERE type = 'passkey.use' AND outcome = 'failure'"
                                + " AND actor = ? AND details LIKE '%disabled%'",
                        Integer.class, name))
                .isEqualTo(1);
    }

    @Test
    void passkeySignInWhenOperatorEndsTheUsersSignInsThenSessionEnds() {
        String name = newUser();
        TestAuthenticator key = registeredPasskey(name);
        HttpBrowser browser = new HttpBrowser(base);
        assertThat(assertPasskey(browser, browser.get("/login"), key).statusCode())
                .isEqualTo(200);
        assertThat(browser.get("/").statusCode()).isEqualTo(200);
        // The operator's revocation (reset, disabling) ends a passkey sign-in as it ends a password one.
        users.setEnabled(name, false);
        assertThat(browser.get("/").statusCode()).isEqualTo(302);
    }

    @Test
    void passwordSignInWhenOfferAfterSignInOffThenNoOfferPage() {
        // gatehouse.server.passkeys.offer-after-sign-in is off by default: the password goes straight to the client.
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> back = passwordThroughAuthorize(browser, name, clientId, Pkce.create(), null);
        assertThat(back.headers().firstValue("Location").orElseThrow()).startsWith(REDIRECT + "?");
        assertThat(browser.get("/passkeys/offer").headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).doesNotContain("/passkeys/offer"));
    }

    // ---------------------------------------------------------------- helpers

    String newUser() {
        String name = "pk-" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        return name;
    }

    TotpSecret enrolDirectly(String name) {
        TotpSecret key = TotpSecret.fromBase32(totpService.enrol(name, name).secretBase32());
        assertThat(totpService.confirm(name, TOTP.code(key, clock.instant())).accepted())
                .isTrue();
        return key;
    }

    /** Signs in with the password in a browser of its own and registers a new passkey through Spring's endpoints. */
    TestAuthenticator registeredPasskey(String name) {
        return registeredPasskey(name, TestAuthenticator.create());
    }

    /** As above, with an authenticator set up by the test (its backup flags, ...). */
    TestAuthenticator registeredPasskey(String name, TestAuthenticator key) {
        HttpBrowser browser = new HttpBrowser(base);
        assertThat(browser.login(name, PASSWORD).statusCode()).isEqualTo(302);
        String[] csrf = csrf(browser.get("/"));
        HttpResponse<String> options = browser.postJson("/webauthn/register/options", "", csrf);
        assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
        HttpResponse<String> registered =
                browser.postJson("/webauthn/register", key.register(options.body(), origin), csrf);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        assertThat(passkeys.hasAny(name)).isTrue();
        return key;
    }

    /** What the passkey script does on a page: options with the page's CSRF header, the assertion, the post. */
    HttpResponse<String> assertPasskey(HttpBrowser browser, HttpResponse<String> page, TestAuthenticator key) {
        String[] csrf = csrf(page);
        HttpResponse<String> options = browser.postJson("/webauthn/authenticate/options", "", csrf);
        assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
        return browser.postJson("/login/webauthn", key.assertion(options.body(), origin), csrf);
    }

    /** The CSRF header name and token from the layout's meta tags, as header arguments. */
    static String[] csrf(HttpResponse<String> page) {
        Matcher header = CSRF_HEADER.matcher(page.body());
        Matcher token = CSRF_TOKEN.matcher(page.body());
        if (!header.find() || !token.find()) {
            throw new AssertionError("no CSRF meta tags on the page: " + page.body());
        }
        return new String[] {header.group(1), token.group(1)};
    }

    static String redirectUrl(HttpResponse<String> response) throws Exception {
        Object url =
                com.nimbusds.jose.util.JSONObjectUtils.parse(response.body()).get("redirectUrl");
        assertThat(url).isInstanceOf(String.class);
        return (String) url;
    }

    /** Audit events are written in the background: wait until those recorded so far are stored. */
    void flushAudit() {
        assertThat(auditLog.flush(java.time.Duration.ofSeconds(10)))
                .as("audit events stored in time")
                .isTrue();
    }

    int audited(String type, String actor) {
        flushAudit();
        Integer n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM gh_audit_event WHERE type = ? AND actor = ?", Integer.class, type, actor);
        return n == null ? 0 : n;
    }

    String registerClient(boolean requirePhishingResistant, String secret) {
        String id = (requirePhishingResistant ? "phr-required-" : "pk-test-") + UUID.randomUUID();
        ClientSettings.Builder settings =
                ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false);
        if (requirePhishingResistant) {
            settings.setting(MfaPolicy.REQUIRE_PHISHING_RESISTANT_SETTING, true);
        }
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(id)
                .clientSecret(clientSecrets.encoder().encode(secret))
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

    HttpResponse<String> passwordThroughAuthorize(
            HttpBrowser browser, String name, String client, Pkce pkce, String acrValues) {
        HttpResponse<String> start = browser.get(authorizeUrl(client, pkce, "st", acrValues));
        assertThat(start.headers().firstValue("Location").orElseThrow()).endsWith("/login");
        HttpResponse<String> login = browser.login(name, PASSWORD);
        String next = login.headers().firstValue("Location").orElseThrow();
        assertThat(next).doesNotContain("error").contains("/oauth2/authorize");
        HttpResponse<String> back = browser.get(next);
        assertThat(back.statusCode()).isEqualTo(302);
        return back;
    }

    Map<String, Object> exchange(HttpBrowser browser, String code, Pkce pkce) throws Exception {
        return exchange(browser, code, pkce, clientId);
    }

    Map<String, Object> exchange(HttpBrowser browser, String code, Pkce pkce, String client) throws Exception {
        String secret = client.equals(phishingResistantClientId) ? phishingResistantClientSecret : clientSecret;
        return new MfaSignInFlow(base, client, secret).exchange(browser, code, pkce);
    }
}
