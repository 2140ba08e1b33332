package dev.gatehouse.server;

import static dev.gatehouse.server.MfaSignInFlow.csrf;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.core.mfa.RecoveryCodeRedemption;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.passkeys.PasskeyIds;
import dev.gatehouse.server.passkeys.Passkeys;
import dev.gatehouse.server.testsupport.PasskeyRows;
import dev.gatehouse.server.testsupport.TestAuthenticator;
import dev.gatehouse.server.users.JdbcUserStore;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsent;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.test.context.TestPropertySource;

/**
 * Account self-service end to end over real HTTP: the overview, the password change (other sessions end, this one
 * lives), the second factor's changes behind a fresh confirmation, sessions and applications, and the refusals (wrong
 * current password, policy, CSRF, overlong and control-character input, another user's ids). The clock is moved to
 * make a sign-in stale. Subclasses choose the database.
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
@Import(AbstractAccountTests.TestClock.class)
abstract class AbstractAccountTests {

    static final String PASSWORD = "correct horse battery 9";
    static final String NEW_PASSWORD = "violet tractor umbrella 42";
    static final String REDIRECT = MfaSignInFlow.REDIRECT;
    private static final Totp TOTP = Totp.of(TotpParameters.defaults());
    private static final Pattern SECRET = Pattern.compile("<code id=\"secret\">([A-Z2-7]+)</code>");
    private static final Pattern HANDLE = Pattern.compile("name=\"session\" value=\"([A-Za-z0-9_-]+)\"");

    @TestConfiguration(proxyBeanMethods = false)
    static class TestClock {
        @Bean
        @Primary
        MovableClock movableClock() {
            return new MovableClock();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    MovableClock clock;

    @Autowired
    FindByIndexNameSessionRepository<? extends Session> sessionRepository;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    @Autowired
    TotpService totpService;

    @Autowired
    RecoveryCodes recoveryCodes;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    ClientSecrets clientSecrets;

    @Autowired
    OAuth2AuthorizationConsentService consents;

    @Autowired
    JdbcAuditLog auditLog;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    Passkeys passkeys;

    String base;

    @BeforeEach
    void setUp() {
        base = "http://localhost:" + port;
    }

    // ---------------------------------------------------------------- overview and the factor guard

    @Test
    void overviewWhenSignedInThenShowsProfileWithLinksAndIsNeverCached() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);
        assertThat(browser.get("/").body())
                .contains("id=\"manage-account\" class=\"button secondary\" href=\"/account\"");
        HttpResponse<String> page = browser.get("/account");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        assertThat(page.body())
                .contains("<dd id=\"username\">" + name + "</dd>")
                .contains("<dd id=\"roles\">user</dd>")
                .contains("<dd id=\"two-step\">Off</dd>")
                .contains("href=\"/account/password\"", "href=\"/account/two-step\"")
                .contains("href=\"/account/sessions\"", "href=\"/account/applications\"")
                .contains("href=\"/assets/gatehouse.css\"");
        // The language is the request's.
        assertThat(browser.get("/account", "Accept-Language", "de").body()).contains("Passwort ändern");
        assertThat(browser.get("/account", "Accept-Language", "fr").body()).contains("Changer votre mot de passe");
    }

    @Test
    void accountWhenAnonymousThenSignInPage() {
        HttpResponse<String> r = new HttpBrowser(base).get("/account");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location").orElseThrow()).endsWith("/login");
    }

    @Test
    void accountWhenPasswordOnlySessionOfUserWithTotpThenSentToTheTotpStep() {
        String name = newUser();
        TotpSecret key = enrol(name);
        HttpBrowser browser = new HttpBrowser(base);
        assertThat(browser.login(name, PASSWORD).statusCode()).isEqualTo(302);
        for (String path : List.of("/account", "/account/password", "/account/sessions", "/account/two-step")) {
            HttpResponse<String> r = browser.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(302);
            assertThat(r.headers().firstValue("Location").orElseThrow())
                    .as(path)
                    .endsWith("/mfa/totp");
        }
        // Nor can a post change anything.
        HttpResponse<String> post =
                browser.postForm("/account/two-step/remove", Map.of("_csrf", csrf(browser.get("/mfa/totp"))));
        assertThat(post.statusCode()).isEqualTo(302);
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.CONFIRMED);
        // With the code, the account opens.
        passTotp(browser, TOTP.code(key, clock.instant().plus(Duration.ofSeconds(30))));
        assertThat(browser.get("/account").statusCode()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- password

    @Test
    void changePasswordWhenCurrentIsRightThenOtherSessionsEndAndThisOneStaysSignedIn() {
        String name = newUser();
        HttpBrowser here = signedIn(name);
        HttpBrowser elsewhere = signedIn(name);
        assertThat(elsewhere.get("/account").statusCode()).isEqualTo(200);

        HttpResponse<String> r = changePassword(here, PASSWORD, NEW_PASSWORD, NEW_PASSWORD);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location").orElseThrow()).endsWith("/account/password?changed");

        HttpResponse<String> after = here.get("/account/password?changed");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).contains("id=\"changed\"");
        assertThat(here.get("/account").statusCode()).isEqualTo(200);
        HttpResponse<String> other = elsewhere.get("/account");
        assertThat(other.statusCode()).isEqualTo(302);
        assertThat(other.headers().firstValue("Location").orElseThrow()).endsWith("/login");
        // The new password signs in; the old one no longer does.
        assertThat(new HttpBrowser(base)
                        .login(name, NEW_PASSWORD)
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .doesNotContain("error");
        assertThat(new HttpBrowser(base)
                        .login(name, PASSWORD)
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .contains("error");
    }

    @Test
    void changePasswordWhenCurrentIsWrongThenRefusedWithASummaryAndNothingChanges() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);
        String before = users.find(name).orElseThrow().passwordHash();
        HttpResponse<String> r = changePassword(browser, "not the password", NEW_PASSWORD, NEW_PASSWORD);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body())
                .contains("class=\"error-summary\" role=\"alert\"")
                .contains("href=\"#current_password\"")
                .containsPattern("id=\"current_password\"[^>]*aria-invalid=\"true\"")
                .doesNotContainPattern("id=\"new_password\"[^>]*aria-invalid")
                .contains("The current password is not correct.")
                .doesNotContain("not the password")
                .doesNotContain(NEW_PASSWORD);
        assertThat(users.find(name).orElseThrow().passwordHash()).isEqualTo(before);
    }

    @Test
    void changePasswordWhenCurrentIsGuessedRepeatedlyThenTheSignInLimiterLocksEvenTheRightOneOut() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);
        // Each guess after any delay has run, so every one is counted: the tenth locks the account and address out
        // (gatehouse.server.throttle.lockout-threshold), as ten wrong passwords at the sign-in form would.
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(31));
            HttpResponse<String> guess = changePassword(browser, "guess " + i, NEW_PASSWORD, NEW_PASSWORD);
            assertThat(guess.statusCode()).isEqualTo(400);
        }
        HttpResponse<String> right = changePassword(browser, PASSWORD, NEW_PASSWORD, NEW_PASSWORD);
        assertThat(right.statusCode()).isEqualTo(400);
        assertThat(right.body()).contains("Too many attempts");
        assertThat(hasher.verify(PASSWORD, users.find(name).orElseThrow().passwordHash())
                        .matched())
                .isTrue();
        // The same counters as the sign-in form: it refuses the right password too now.
        assertThat(new HttpBrowser(base)
                        .login(name, PASSWORD)
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .contains("error");
    }

    @Test
    void changePasswordWhenPolicyRefusesThenItsReasonsAreShownInTheUsersLanguage() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);
        HttpResponse<String> shortOne = changePassword(browser, PASSWORD, "abc", "abc");
        assertThat(shortOne.statusCode()).isEqualTo(400);
        assertThat(shortOne.body()).contains("The new password is too short");
        HttpResponse<String> common = changePassword(browser, PASSWORD, "password123", "password123", "de");
        assertThat(common.statusCode()).isEqualTo(400);
        assertThat(common.body()).contains("Es gibt ein Problem").contains("Das neue Passwort");
        HttpResponse<String> withName = changePassword(browser, PASSWORD, name + "-secret", name + "-secret", "fr");
        assertThat(withName.statusCode()).isEqualTo(400);
        assertThat(withName.body()).contains("Il y a un problème");
        HttpResponse<String> mismatch = changePassword(browser, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x");
        assertThat(mismatch.body()).contains("The two new passwords do not match.");
        assertThat(hasher.verify(PASSWORD, users.find(name).orElseThrow().passwordHash())
                        .matched())
                .isTrue();
    }

    @Test
    void changePasswordWhenInputIsOverlongOrHasControlCharactersThenRefusedBeforeAnyCheck() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);
        HttpResponse<String> overlong = changePassword(browser, "x".repeat(1025), NEW_PASSWORD, NEW_PASSWORD);
        assertThat(overlong.statusCode()).isEqualTo(400);
        assertThat(overlong.body()).contains("Use at most 1024 characters.");
        HttpResponse<String> control = changePassword(browser, PASSWORD, "line\nbreak pass 77", "line\nbreak pass 77");
        assertThat(control.statusCode()).isEqualTo(400);
        assertThat(control.body()).contains("control characters");
        HttpResponse<String> missing = changePassword(browser, "", NEW_PASSWORD, NEW_PASSWORD);
        assertThat(missing.body()).contains("Fill in this field.");
        assertThat(hasher.verify(PASSWORD, users.find(name).orElseThrow().passwordHash())
                        .matched())
                .isTrue();
    }

    @Test
    void postsWhenCsrfTokenMissingOrWrongThenForbiddenAndNothingChanges() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("current_password", PASSWORD);
        form.put("new_password", NEW_PASSWORD);
        form.put("confirm_password", NEW_PASSWORD);
        assertThat(browser.postForm("/account/password", form).statusCode()).isEqualTo(403);
        form.put("_csrf", "wrong");
        assertThat(browser.postForm("/account/password", form).statusCode()).isEqualTo(403);
        for (String path : List.of(
                "/account/sessions/end-others",
                "/account/two-step/remove",
                "/account/two-step/recovery-codes",
                "/account/applications/revoke",
                "/account/confirm")) {
            assertThat(browser.postForm(path, Map.of("_csrf", "wrong")).statusCode())
                    .as(path)
                    .isEqualTo(403);
        }
        assertThat(hasher.verify(PASSWORD, users.find(name).orElseThrow().passwordHash())
                        .matched())
                .isTrue();
    }

    // ---------------------------------------------------------------- two-step verification

    @Test
    void removeTotpWhenSignInIsStaleThenConfirmFirstAndComeBack() {
        String name = newUser();
        TotpSecret key = enrol(name);
        HttpBrowser browser = signedInWithTotp(name, key);
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> page = browser.get("/account/two-step");
        assertThat(page.body()).contains("id=\"remove\"");
        HttpResponse<String> stale = browser.postForm("/account/two-step/remove", Map.of("_csrf", csrf(page)));
        assertThat(stale.statusCode()).isEqualTo(302);
        String confirm = stale.headers().firstValue("Location").orElseThrow();
        assertThat(confirm).endsWith("/account/confirm?next=/account/two-step");
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.CONFIRMED);

        HttpResponse<String> form = browser.get(confirm);
        assertThat(form.body())
                .contains("autocomplete=\"current-password\"")
                .contains("inputmode=\"numeric\"")
                .contains("autocomplete=\"one-time-code\"");
        // The password alone is not enough for a user with TOTP; a wrong code neither.
        HttpResponse<String> noCode = browser.postForm(
                "/account/confirm", Map.of("password", PASSWORD, "next", "/account/two-step", "_csrf", csrf(form)));
        assertThat(noCode.statusCode()).isEqualTo(400);
        HttpResponse<String> wrongCode = browser.postForm(
                "/account/confirm",
                Map.of("password", PASSWORD, "code", "000000", "next", "/account/two-step", "_csrf", csrf(form)));
        assertThat(wrongCode.statusCode()).isEqualTo(400);
        assertThat(wrongCode.body()).contains("role=\"alert\"");
        HttpResponse<String> confirmed = browser.postForm(
                "/account/confirm",
                Map.of(
                        "password",
                        PASSWORD,
                        "code",
                        TOTP.code(key, clock.instant()),
                        "next",
                        "/account/two-step",
                        "_csrf",
                        csrf(form)));
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(302);
        assertThat(confirmed.headers().firstValue("Location").orElseThrow()).endsWith("/account/two-step");

        HttpResponse<String> back = browser.get("/account/two-step");
        HttpResponse<String> removed = browser.postForm("/account/two-step/remove", Map.of("_csrf", csrf(back)));
        assertThat(removed.headers().firstValue("Location").orElseThrow()).endsWith("/account/two-step?removed");
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.NONE);
        assertThat(recoveryCodes.remaining(name)).isZero();
    }

    @Test
    void confirmWhenTheAppIsLostThenARecoveryCodeStandsInForItOnce() {
        String name = newUser();
        TotpSecret key = enrol(name);
        List<String> codes = recoveryCodes.generate(name);
        HttpBrowser browser = signedInWithTotp(name, key);
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> form = browser.get("/account/confirm?next=/account/two-step");
        assertThat(form.body()).contains("name=\"recovery_code\"");
        Map<String, String> post = new LinkedHashMap<>();
        post.put("password", PASSWORD);
        post.put("recovery_code", codes.get(0));
        post.put("next", "/account/two-step");
        post.put("_csrf", csrf(form));
        HttpResponse<String> r = browser.postForm("/account/confirm", post);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location").orElseThrow()).endsWith("/account/two-step");
        assertThat(recoveryCodes.remaining(name)).isEqualTo(codes.size() - 1);
        // Fresh now: a new key for a new phone can be made.
        HttpResponse<String> page = browser.get("/account/two-step");
        assertThat(browser.postForm("/account/two-step/replace/start", Map.of("_csrf", csrf(page)))
                        .statusCode())
                .isEqualTo(200);
        // The code was used up.
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> again = browser.get("/account/confirm?next=/account/two-step");
        post.put("_csrf", csrf(again));
        HttpResponse<String> reused = browser.postForm("/account/confirm", post);
        assertThat(reused.statusCode()).isEqualTo(400);
        assertThat(reused.body()).contains("href=\"#recovery_code\"");
    }

    @Test
    void confirmWhenNextIsNotAnAccountPageThenReturnsToTwoStep() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> form = browser.get("/account/confirm?next=https://evil.example/");
        assertThat(form.body()).doesNotContain("evil.example");
        HttpResponse<String> r = browser.postForm(
                "/account/confirm", Map.of("password", PASSWORD, "next", "https://evil.example/", "_csrf", csrf(form)));
        assertThat(r.headers().firstValue("Location").orElseThrow()).endsWith("/account/two-step");
        // Fresh now: setting up goes on to the enrolment pages.
        HttpResponse<String> setup = browser.get("/account/two-step/setup");
        assertThat(setup.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/enroll");
    }

    @Test
    void setupWhenStaleThenConfirmFirst() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> r = browser.get("/account/two-step/setup");
        assertThat(r.headers().firstValue("Location").orElseThrow())
                .endsWith("/account/confirm?next=/account/two-step/setup");
    }

    @Test
    void enrolWhenSessionIsStaleThenConfirmFirstAndNothingIsEnrolledUntilThen() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);
        String token = csrf(browser.get("/account"));
        clock.advance(Duration.ofMinutes(6));
        // A stale (or stolen) session posts the enrolment steps directly: no key is made, no code is checked, no
        // recovery codes are shown; it is sent to confirm the password, and back to enrolment after.
        HttpResponse<String> start = browser.postForm("/mfa/enroll/start", Map.of("_csrf", token));
        assertThat(start.statusCode()).isEqualTo(302);
        assertThat(start.headers().firstValue("Location").orElseThrow())
                .endsWith("/account/confirm?next=/account/two-step/setup");
        assertThat(start.body()).doesNotContain("id=\"secret\"").doesNotContain("data:image/png");
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.NONE);
        HttpResponse<String> submit = browser.postForm("/mfa/enroll", Map.of("code", "123456", "_csrf", token));
        assertThat(submit.headers().firstValue("Location").orElseThrow())
                .endsWith("/account/confirm?next=/account/two-step/setup");
        assertThat(submit.body()).doesNotContain("recovery-code");
        assertThat(browser.get("/mfa/enroll").headers().firstValue("Location").orElseThrow())
                .endsWith("/account/confirm?next=/account/two-step/setup");
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.NONE);
        assertThat(recoveryCodes.remaining(name)).isZero();

        HttpResponse<String> form = browser.get("/account/confirm?next=/account/two-step/setup");
        HttpResponse<String> confirmed = browser.postForm(
                "/account/confirm",
                Map.of("password", PASSWORD, "next", "/account/two-step/setup", "_csrf", csrf(form)));
        assertThat(confirmed.headers().firstValue("Location").orElseThrow()).endsWith("/account/two-step/setup");
        assertThat(browser.get("/account/two-step/setup")
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .endsWith("/mfa/enroll");
        HttpResponse<String> page = browser.get("/mfa/enroll");
        assertThat(page.statusCode()).isEqualTo(200);
        HttpResponse<String> started = browser.postForm("/mfa/enroll/start", Map.of("_csrf", csrf(page)));
        Matcher secret = SECRET.matcher(started.body());
        assertThat(secret.find()).as(started.body()).isTrue();
        TotpSecret key = TotpSecret.fromBase32(secret.group(1));
        HttpResponse<String> enrolled = browser.postForm(
                "/mfa/enroll", Map.of("code", TOTP.code(key, clock.instant()), "_csrf", csrf(started)));
        assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(200);
        assertThat(enrolled.body()).contains("class=\"recovery-code\"");
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.CONFIRMED);
    }

    @Test
    void enrolWhenKeyWasStartedFreshButItsCodeComesFromAStaleSessionThenRefusedAndStillPending() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);
        HttpResponse<String> page = browser.get("/mfa/enroll");
        HttpResponse<String> started = browser.postForm("/mfa/enroll/start", Map.of("_csrf", csrf(page)));
        Matcher secret = SECRET.matcher(started.body());
        assertThat(secret.find()).as(started.body()).isTrue();
        TotpSecret key = TotpSecret.fromBase32(secret.group(1));
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> submit = browser.postForm(
                "/mfa/enroll", Map.of("code", TOTP.code(key, clock.instant()), "_csrf", csrf(started)));
        assertThat(submit.statusCode()).isEqualTo(302);
        assertThat(submit.headers().firstValue("Location").orElseThrow())
                .endsWith("/account/confirm?next=/account/two-step/setup");
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.PENDING);
        assertThat(recoveryCodes.remaining(name)).isZero();
    }

    @Test
    void enrolWhenAnOperatorRequiresTheFactorThenTheSignInsOwnEnrolmentWorksAndAStaleOneSignsInAgain() {
        String name = newUser();
        users.setMfaRequired(name, true);
        // Right after the password, the enrolment the requirement forces is fresh by construction.
        HttpBrowser fresh = signedIn(name);
        assertThat(fresh.get("/account").headers().firstValue("Location").orElseThrow())
                .endsWith("/mfa/enroll");
        HttpResponse<String> page = fresh.get("/mfa/enroll");
        assertThat(page.statusCode()).isEqualTo(200);
        HttpResponse<String> started = fresh.postForm("/mfa/enroll/start", Map.of("_csrf", csrf(page)));
        assertThat(SECRET.matcher(started.body()).find()).as(started.body()).isTrue();
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.PENDING);
        totpService.remove(name);

        // The same password-only session gone stale: the account pages are closed to it (the factor is owed), so it
        // is signed out instead of enrolling, and signs in again.
        HttpBrowser stale = signedIn(name);
        String token = csrf(stale.get("/mfa/enroll"));
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> start = stale.postForm("/mfa/enroll/start", Map.of("_csrf", token));
        assertThat(start.headers().firstValue("Location").orElseThrow()).endsWith("/login");
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.NONE);
        assertThat(stale.get("/mfa/enroll").headers().firstValue("Location").orElseThrow())
                .endsWith("/login");
    }

    @Test
    void removeTotpWhenAnOperatorRequiresTheSecondFactorThenRefusedWithAClearMessage() {
        String name = newUser();
        TotpSecret key = enrol(name);
        users.setMfaRequired(name, true);
        HttpBrowser browser = signedInWithTotp(name, key);
        HttpResponse<String> page = browser.get("/account/two-step");
        assertThat(page.body()).contains("id=\"required\"");
        HttpResponse<String> r = browser.postForm("/account/two-step/remove", Map.of("_csrf", csrf(page)));
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).contains("role=\"alert\"").contains("your administrator requires it");
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.CONFIRMED);
    }

    @Test
    void regenerateRecoveryCodesWhenFreshThenShownOnceAndTheOldOnesStopWorking() {
        String name = newUser();
        TotpSecret key = enrol(name);
        List<String> old = recoveryCodes.generate(name);
        HttpBrowser browser = signedInWithTotp(name, key);
        HttpResponse<String> page = browser.get("/account/two-step");
        HttpResponse<String> r = browser.postForm("/account/two-step/recovery-codes", Map.of("_csrf", csrf(page)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        Matcher codes = Pattern.compile("class=\"recovery-code\">([^<]+)<").matcher(r.body());
        assertThat(codes.find()).isTrue();
        String fresh = codes.group(1);
        assertThat(recoveryCodes.redeem(name, old.get(0))).isInstanceOf(RecoveryCodeRedemption.Rejected.class);
        assertThat(recoveryCodes.redeem(name, fresh)).isInstanceOf(RecoveryCodeRedemption.Accepted.class);
        // Shown once: the page does not list them again.
        assertThat(browser.get("/account/two-step").body()).doesNotContain(fresh);
    }

    @Test
    void replaceTotpWhenTheNewAppsCodeConfirmsThenTheOldAppWorksUntilThenAndNotAfter() {
        String name = newUser();
        TotpSecret oldKey = enrol(name);
        HttpBrowser browser = signedInWithTotp(name, oldKey);
        clock.advance(Duration.ofSeconds(40));
        HttpResponse<String> page = browser.get("/account/two-step");
        HttpResponse<String> started = browser.postForm("/account/two-step/replace/start", Map.of("_csrf", csrf(page)));
        assertThat(started.statusCode()).isEqualTo(200);
        assertThat(started.body()).contains("src=\"data:image/png;base64,");
        Matcher secret =
                Pattern.compile("<code id=\"secret\">([A-Z2-7]+)</code>").matcher(started.body());
        assertThat(secret.find()).isTrue();
        TotpSecret newKey = TotpSecret.fromBase32(secret.group(1));
        // Until the new app is confirmed, the old one signs in.
        assertThat(totpService
                        .verify(name, TOTP.code(oldKey, clock.instant().plus(Duration.ofSeconds(30))))
                        .accepted())
                .isTrue();
        HttpResponse<String> wrong =
                browser.postForm("/account/two-step/replace", Map.of("code", "000000", "_csrf", csrf(started)));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("role=\"alert\"").doesNotContain(secret.group(1));
        HttpResponse<String> confirmed = browser.postForm(
                "/account/two-step/replace",
                Map.of("code", TOTP.code(newKey, clock.instant()), "_csrf", csrf(started)));
        assertThat(confirmed.headers().firstValue("Location").orElseThrow()).endsWith("/account/two-step?replaced");
        Instant later = clock.instant().plus(Duration.ofSeconds(30));
        assertThat(totpService.verify(name, TOTP.code(oldKey, later)).accepted())
                .isFalse();
        assertThat(totpService.verify(name, TOTP.code(newKey, later)).accepted())
                .isTrue();
        assertThat(browser.get("/account/two-step/replace")
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .endsWith("/account/two-step");
    }

    @Test
    void replaceTotpWhenTheFactorWasRemovedMeanwhileThenTheNewKeyIsNotEnrolled() {
        String name = newUser();
        TotpSecret oldKey = enrol(name);
        HttpBrowser browser = signedInWithTotp(name, oldKey);
        HttpResponse<String> page = browser.get("/account/two-step");
        HttpResponse<String> started = browser.postForm("/account/two-step/replace/start", Map.of("_csrf", csrf(page)));
        Matcher secret =
                Pattern.compile("<code id=\"secret\">([A-Z2-7]+)</code>").matcher(started.body());
        assertThat(secret.find()).isTrue();
        // An operator resets the user's second factor before the new app is confirmed.
        totpService.remove(name);
        HttpResponse<String> r = browser.postForm(
                "/account/two-step/replace",
                Map.of(
                        "code",
                        TOTP.code(TotpSecret.fromBase32(secret.group(1)), clock.instant()),
                        "_csrf",
                        csrf(started)));
        assertThat(r.body()).contains("role=\"alert\"").contains("There is no new authenticator app to confirm.");
        assertThat(totpService.status(name)).isEqualTo(TotpService.FactorStatus.NONE);
    }

    // ---------------------------------------------------------------- sessions

    @Test
    void sessionsWhenListedThenEverySessionWithThisOneMarkedAndOneCanBeEnded() {
        String name = newUser();
        HttpBrowser here = signedIn(name);
        HttpBrowser elsewhere =
                signedIn(name, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        HttpResponse<String> page = here.get("/account/sessions");
        assertThat(page.statusCode()).isEqualTo(200);
        List<String> handles = handles(page);
        assertThat(handles).hasSize(2);
        assertThat(page.body()).contains("This session").contains("Firefox, Linux");
        // No session id (the cookie's value) is written to the page.
        assertThat(page.body())
                .doesNotContain(here.cookie("JSESSIONID"))
                .doesNotContain(elsewhere.cookie("JSESSIONID"));

        // End the one that is not this session (the current one is listed first).
        HttpResponse<String> ended =
                here.postForm("/account/sessions/end", Map.of("session", handles.get(1), "_csrf", csrf(page)));
        assertThat(ended.headers().firstValue("Location").orElseThrow()).endsWith("/account/sessions?ended");
        assertThat(elsewhere.get("/account").statusCode()).isEqualTo(302);
        assertThat(here.get("/account").statusCode()).isEqualTo(200);
        assertThat(handles(here.get("/account/sessions"))).hasSize(1);
    }

    @Test
    void endOtherSessionsWhenPostedThenOnlyThisOneRemains() {
        String name = newUser();
        HttpBrowser here = signedIn(name);
        HttpBrowser second = signedIn(name);
        HttpBrowser third = signedIn(name);
        HttpResponse<String> page = here.get("/account/sessions");
        assertThat(handles(page)).hasSize(3);
        here.postForm("/account/sessions/end-others", Map.of("_csrf", csrf(page)));
        assertThat(second.get("/account").statusCode()).isEqualTo(302);
        assertThat(third.get("/account").statusCode()).isEqualTo(302);
        assertThat(here.get("/account").statusCode()).isEqualTo(200);
    }

    @Test
    void sessionsWhenTheirAttributeRowsInterleaveThenEachIsReadWhole() {
        String name = newUser();
        readWhole(sessionRepository, name);
    }

    /**
     * Rows stored in the order first, second, first (an attribute added to the first session after the second one
     * was saved, as a sign-in's later requests do): however the database returns them, each session is read with all
     * its attributes (the sessions page lost the device noted at sign-in when PostgreSQL returned them interleaved).
     */
    static <S extends Session> void readWhole(FindByIndexNameSessionRepository<S> repository, String name) {
        S first = repository.createSession();
        first.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, name);
        first.setAttribute("early", "first");
        repository.save(first);
        S second = repository.createSession();
        second.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, name);
        second.setAttribute("early", "second");
        repository.save(second);
        S again = Objects.requireNonNull(repository.findById(first.getId()));
        again.setAttribute("late", "first");
        repository.save(again);
        for (int i = 0; i < 20; i++) {
            Map<String, S> found = repository.findByPrincipalName(name);
            assertThat(found).hasSize(2);
            assertThat(found.get(first.getId()).<String>getAttribute("early")).isEqualTo("first");
            assertThat(found.get(first.getId()).<String>getAttribute("late")).isEqualTo("first");
            assertThat(found.get(second.getId()).<String>getAttribute("early")).isEqualTo("second");
        }
    }

    @Test
    void endSessionWhenHandleIsAnotherUsersOrUnknownThenNotFoundAndNothingEnds() {
        String alice = newUser();
        String bob = newUser();
        HttpBrowser aliceBrowser = signedIn(alice);
        HttpBrowser bobBrowser = signedIn(bob);
        String bobsHandle = handles(bobBrowser.get("/account/sessions")).get(0);
        HttpResponse<String> page = aliceBrowser.get("/account/sessions");
        assertThat(page.body()).doesNotContain(bobsHandle);
        HttpResponse<String> foreign =
                aliceBrowser.postForm("/account/sessions/end", Map.of("session", bobsHandle, "_csrf", csrf(page)));
        HttpResponse<String> unknown =
                aliceBrowser.postForm("/account/sessions/end", Map.of("session", "A".repeat(43), "_csrf", csrf(page)));
        HttpResponse<String> overlong =
                aliceBrowser.postForm("/account/sessions/end", Map.of("session", "A".repeat(500), "_csrf", csrf(page)));
        HttpResponse<String> control =
                aliceBrowser.postForm("/account/sessions/end", Map.of("session", "A\u0000B", "_csrf", csrf(page)));
        for (HttpResponse<String> r : List.of(foreign, unknown, overlong, control)) {
            assertThat(r.statusCode()).isEqualTo(404);
        }
        assertThat(foreign.body()).isEqualTo(unknown.body());
        assertThat(bobBrowser.get("/account").statusCode()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- applications

    @Test
    void revokeApplicationWhenPostedThenConsentGoneAndItsRefreshTokenRefusedAndIntrospectionInactive()
            throws Exception {
        String name = newUser();
        String secret = clientSecrets.generate();
        RegisteredClient client = registerClient(secret);
        consents.save(OAuth2AuthorizationConsent.withId(client.getId(), name)
                .scope("openid")
                .scope("api.read")
                .build());
        HttpBrowser browser = new HttpBrowser(base);
        MfaSignInFlow flow = new MfaSignInFlow(base, client.getClientId(), secret);
        Pkce pkce = Pkce.create();
        String back = flow.password(browser, name, PASSWORD, pkce);
        assertThat(back).startsWith(REDIRECT + "?");
        Map<String, Object> tokens =
                flow.exchange(browser, HttpBrowser.query(back).get("code"), pkce);
        String refresh = (String) tokens.get("refresh_token");
        String access = (String) tokens.get("access_token");
        assertThat(refresh).isNotNull();

        HttpResponse<String> page = browser.get("/account/applications");
        assertThat(page.body())
                .contains("data-client=\"" + client.getClientId() + "\"")
                .contains("Account test app")
                .contains("api.read");
        HttpResponse<String> r = browser.postForm(
                "/account/applications/revoke", Map.of("client_id", client.getClientId(), "_csrf", csrf(page)));
        assertThat(r.headers().firstValue("Location").orElseThrow()).endsWith("/account/applications?revoked");
        assertThat(consents.findById(client.getId(), name)).isNull();
        assertThat(browser.get("/account/applications").body()).contains("id=\"no-applications\"");

        HttpResponse<String> refreshed = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "refresh_token", "refresh_token", refresh),
                "Authorization",
                HttpBrowser.basic(client.getClientId(), secret));
        assertThat(refreshed.statusCode()).isEqualTo(400);
        assertThat(refreshed.body()).contains("invalid_grant");
        HttpResponse<String> introspected = browser.postForm(
                "/oauth2/introspect",
                Map.of("token", access),
                "Authorization",
                HttpBrowser.basic(client.getClientId(), secret));
        assertThat(introspected.statusCode()).isEqualTo(200);
        assertThat(JSONObjectUtils.parse(introspected.body()).get("active")).isEqualTo(false);
    }

    @Test
    void revokeApplicationWhenTheUserHasNothingWithItThenNotFoundAndAnotherUsersConsentStays() {
        String alice = newUser();
        String bob = newUser();
        RegisteredClient client = registerClient(clientSecrets.generate());
        consents.save(OAuth2AuthorizationConsent.withId(client.getId(), bob)
                .scope("openid")
                .build());
        HttpBrowser browser = signedIn(alice);
        HttpResponse<String> list = browser.get("/account/applications");
        assertThat(list.body()).doesNotContain(client.getClientId()).contains("id=\"no-applications\"");
        HttpResponse<String> page = browser.get("/account/password");
        HttpResponse<String> foreign = browser.postForm(
                "/account/applications/revoke", Map.of("client_id", client.getClientId(), "_csrf", csrf(page)));
        HttpResponse<String> unknown = browser.postForm(
                "/account/applications/revoke", Map.of("client_id", "no-such-client", "_csrf", csrf(page)));
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(foreign.body()).isEqualTo(unknown.body());
        assertThat(consents.findById(client.getId(), bob)).isNotNull();
    }

    // ---------------------------------------------------------------- audit

    @Test
    void accountActionsWhenDoneOrRefusedThenEachAuditedWithoutAnySecret() {
        String name = newUser();
        TotpSecret key = enrol(name);
        HttpBrowser browser = signedInWithTotp(name, key);
        changePassword(browser, "wrong " + PASSWORD, NEW_PASSWORD, NEW_PASSWORD);
        assertThat(changePassword(browser, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).statusCode())
                .isEqualTo(302);
        HttpResponse<String> page = browser.get("/account/two-step");
        HttpResponse<String> codes = browser.postForm("/account/two-step/recovery-codes", Map.of("_csrf", csrf(page)));
        Matcher code = Pattern.compile("class=\"recovery-code\">([^<]+)<").matcher(codes.body());
        assertThat(code.find()).isTrue();
        browser.postForm("/account/sessions/end-others", Map.of("_csrf", csrf(page)));
        HttpResponse<String> confirm = browser.get("/account/confirm");
        browser.postForm(
                "/account/confirm",
                Map.of("password", "not " + NEW_PASSWORD, "code", "123456", "_csrf", csrf(confirm)));
        assertThat(auditLog.flush(Duration.ofSeconds(20))).isTrue();

        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT type, outcome, details FROM gh_audit_event WHERE actor = ? AND type LIKE 'account.%' ORDER BY id",
                name);
        assertThat(rows)
                .extracting(r -> r.get("type") + " " + r.get("outcome"))
                .containsExactly(
                        "account.password_change failure",
                        "account.password_change success",
                        "account.recovery_codes success",
                        "account.session_end success",
                        "account.reauthenticate failure");
        assertThat(rows)
                .allSatisfy(r -> assertThat((String) r.get("details"))
                        .contains("\"address\"")
                        .doesNotContain(PASSWORD)
                        .doesNotContain(NEW_PASSWORD)
                        .doesNotContain(code.group(1))
                        .doesNotContain("123456"));
    }

    // ---------------------------------------------------------------- passkeys (issue #16)

    @Test
    void passkeysPageWhenListedThenOwnPasskeysWithLabelsAsTextAndTheAddForm() {
        String name = newUser();
        String other = newUser();
        HttpBrowser browser = signedInWithPasskey(name);
        String id = PasskeyRows.add(
                jdbc, name, "<img src=x onerror=alert(1)>", true, List.of("usb", "nfc"), clock.instant());
        String othersId = PasskeyRows.add(jdbc, other, "bob's key", false, List.of(), clock.instant());
        assertThat(browser.get("/account").body()).contains("href=\"/account/passkeys\"");
        assertThat(browser.get("/account/two-step").body()).contains("href=\"/account/passkeys\"");

        HttpResponse<String> page = browser.get("/account/passkeys");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        assertThat(page.body())
                .contains("class=\"passkey\" data-id=\"" + id + "\"")
                .contains("&lt;img src=x onerror=alert(1)&gt;")
                .doesNotContain("<img src=x")
                .contains("usb, nfc")
                .contains("class=\"passkey-synced\"")
                .contains("id=\"passkey-label\"")
                .contains("id=\"add-passkey\"")
                .contains("src=\"/assets/passkey-register.js\"")
                .contains("<meta name=\"_csrf_header\" content=\"X-CSRF-TOKEN\">")
                .contains("<meta name=\"_csrf\" content=\"")
                .doesNotContain(othersId)
                .doesNotContain("bob");
    }

    @Test
    void removePasskeyWhenSignInIsStaleThenConfirmFirstAndNothingIsRemovedUntilThen() {
        String name = newUser();
        HttpBrowser browser = signedInWithPasskey(name);
        String id = PasskeyRows.add(jdbc, name, "laptop", false, List.of("internal"), clock.instant());
        List<String> before = passkeyIds(name);
        HttpResponse<String> page = browser.get("/account/passkeys");
        clock.advance(Duration.ofMinutes(6));

        HttpResponse<String> stale =
                browser.postForm("/account/passkeys/remove", Map.of("id", id, "_csrf", csrf(page)));

        assertThat(stale.statusCode()).isEqualTo(302);
        assertThat(stale.headers().firstValue("Location").orElseThrow())
                .endsWith("/account/confirm?next=/account/passkeys");
        assertThat(passkeyIds(name)).isEqualTo(before);
        // Confirmed with the password, the stale passkey factor is dropped: the passkey step comes again before the
        // account pages, never a session left stale for good.
        HttpResponse<String> form = browser.get("/account/confirm?next=/account/passkeys");
        HttpResponse<String> confirmed = browser.postForm(
                "/account/confirm", Map.of("password", PASSWORD, "next", "/account/passkeys", "_csrf", csrf(form)));
        assertThat(confirmed.headers().firstValue("Location").orElseThrow()).endsWith("/account/passkeys");
        assertThat(browser.get("/account/passkeys")
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .endsWith("/mfa/passkey");
        assertThat(passkeyIds(name)).isEqualTo(before).contains(id);
    }

    @Test
    void removePasskeyWhenIdIsAnotherUsersUnknownOrMalformedThenRefusedAndNothingRemoved() {
        String name = newUser();
        String other = newUser();
        HttpBrowser browser = signedInWithPasskey(name);
        List<String> own = passkeyIds(name);
        String others = PasskeyRows.add(jdbc, other, "theirs", false, List.of(), clock.instant());
        String token = csrf(browser.get("/account/passkeys"));

        for (String id : List.of(others, "AAAAAAAAAAAAAAAAAAAAAA", "A".repeat(2000), "a+b/c", "A\u0000B")) {
            HttpResponse<String> r = browser.postForm("/account/passkeys/remove", Map.of("id", id, "_csrf", token));
            assertThat(r.statusCode()).as(id).isEqualTo(400);
            assertThat(r.body()).contains("role=\"alert\"").doesNotContain(others);
        }

        assertThat(passkeyIds(name)).isEqualTo(own);
        assertThat(passkeyIds(other)).containsExactly(others);
    }

    @Test
    void removePasskeyWhenLastOfAUserWhoMustUsePasskeysThenRefusedUntilAnotherExists() {
        String name = newUser();
        HttpBrowser browser = signedInWithPasskey(name);
        String first = passkeyIds(name).get(0);
        users.setPasskeyRequired(name, true);
        HttpResponse<String> page = browser.get("/account/passkeys");
        assertThat(page.body()).contains("id=\"required\"");

        HttpResponse<String> refused =
                browser.postForm("/account/passkeys/remove", Map.of("id", first, "_csrf", csrf(page)));

        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("role=\"alert\"").contains("your administrator requires one");
        assertThat(passkeyIds(name)).containsExactly(first);
        String second = PasskeyRows.add(jdbc, name, "second", false, List.of(), clock.instant());
        HttpResponse<String> removed =
                browser.postForm("/account/passkeys/remove", Map.of("id", first, "_csrf", csrf(page)));
        assertThat(removed.statusCode()).isEqualTo(302);
        assertThat(passkeyIds(name)).containsExactly(second);
    }

    @Test
    void removePasskeyWhenDoneOrRefusedThenAuditedByTheUserWithTheCredentialsShortHashOnly() {
        String name = newUser();
        HttpBrowser browser = signedInWithPasskey(name);
        String first = passkeyIds(name).get(0);
        String second = PasskeyRows.add(jdbc, name, "second", false, List.of(), clock.instant());
        users.setPasskeyRequired(name, true);
        String token = csrf(browser.get("/account/passkeys"));
        browser.postForm("/account/passkeys/remove", Map.of("id", first, "_csrf", token));
        browser.postForm("/account/passkeys/remove", Map.of("id", second, "_csrf", token));
        assertThat(auditLog.flush(Duration.ofSeconds(20))).isTrue();

        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT type, outcome, subject, details FROM gh_audit_event WHERE actor = ? AND type = ? ORDER BY id",
                name,
                AuditEvents.PASSKEY_REMOVE);
        assertThat(rows)
                .extracting(r -> r.get("outcome") + " " + r.get("subject"))
                .containsExactly("success " + name, "denied " + name);
        assertThat((String) rows.get(0).get("details"))
                .contains("\"credential\":\"" + PasskeyIds.ref(first) + "\"")
                .contains("\"by\":\"user\"")
                .doesNotContain(first);
        assertThat((String) rows.get(1).get("details"))
                .contains("\"reason\":\"required\"")
                .doesNotContain(second);
    }

    @Test
    void removePasskeyWhenRemovedThenTheUsersOtherSessionsEndAndThisOneStays() {
        String name = newUser();
        HttpBrowser browser = signedInWithPasskey(name);
        HttpBrowser elsewhere = signedIn(name);
        String second = PasskeyRows.add(jdbc, name, "stolen", false, List.of(), clock.instant());
        assertThat(elsewhere.get("/account").headers().firstValue("Location").orElseThrow())
                .endsWith("/mfa/passkey");

        HttpResponse<String> removed = browser.postForm(
                "/account/passkeys/remove", Map.of("id", second, "_csrf", csrf(browser.get("/account/passkeys"))));

        assertThat(removed.statusCode()).isEqualTo(302);
        assertThat(browser.get("/account/passkeys").statusCode()).isEqualTo(200);
        assertThat(elsewhere.get("/account").headers().firstValue("Location").orElseThrow())
                .endsWith("/login");
        assertThat(auditLog.flush(Duration.ofSeconds(20))).isTrue();
        assertThat(jdbc.queryForList(
                        "SELECT details FROM gh_audit_event WHERE actor = ? AND type = ? AND outcome = 'success'",
                        String.class,
                        name,
                        AuditEvents.PASSKEY_REMOVE))
                .singleElement()
                .satisfies(d -> assertThat(d).contains("\"sessions_ended\":\"1\""));
    }

    @Test
    void confirmWhenUserHasAPasskeyThenItsButtonConfirmsAndAnotherPasskeyMayBeAdded() {
        String name = newUser();
        TestAuthenticator key = TestAuthenticator.create().label("first");
        HttpBrowser browser = signedInWithPasskey(name, key);
        clock.advance(Duration.ofMinutes(6));
        String[] stale = AbstractPasskeySignInTests.csrf(browser.get("/account/passkeys"));
        HttpResponse<String> refused = browser.postJson("/webauthn/register/options", "", stale);
        assertThat(refused.statusCode()).isEqualTo(403);

        HttpResponse<String> form = browser.get("/account/confirm?next=/account/passkeys");

        assertThat(form.body())
                .contains("id=\"use-passkey\"")
                .contains("data-next=\"/account/passkeys\"")
                .contains("src=\"/assets/passkey-sign-in.js\"");
        String[] csrf = AbstractPasskeySignInTests.csrf(form);
        HttpResponse<String> options = browser.postJson("/webauthn/authenticate/options", "", csrf);
        HttpResponse<String> used = browser.postJson("/login/webauthn", key.assertion(options.body(), base), csrf);
        assertThat(used.statusCode()).as(used.body()).isEqualTo(200);
        String[] fresh = AbstractPasskeySignInTests.csrf(browser.get("/account/passkeys"));
        assertThat(browser.postJson("/webauthn/register/options", "", fresh).statusCode())
                .isEqualTo(200);
    }

    @Test
    void signInPasskeyRegistrationWhenNoPhishingResistantFactorIsOwedThenOnToTheAccountPage() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);

        HttpResponse<String> page = browser.get("/mfa/passkey/register");

        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/account/passkeys");
    }

    @Test
    void signInPasskeyRegistrationWhenFreshAndNoPasskeyThenTheFormAndOnceOneExistsThenOnToUseIt() {
        String name = newUser();
        users.setPasskeyRequired(name, true);
        HttpBrowser browser = signedIn(name);

        HttpResponse<String> page = browser.get("/mfa/passkey/register");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("id=\"passkey-label\"")
                .contains("id=\"add-passkey\"")
                .contains("src=\"/assets/passkey-register.js\"");
        PasskeyRows.add(jdbc, name, "new", false, List.of(), clock.instant());
        HttpResponse<String> after = browser.get("/mfa/passkey/register");
        assertThat(after.statusCode()).isEqualTo(302);
        assertThat(after.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/passkey");
    }

    @Test
    void signInPasskeyRegistrationWhenStaleThenNoFormAndTheUserSignsInAgain() {
        String name = newUser();
        users.setPasskeyRequired(name, true);
        HttpBrowser browser = signedIn(name);
        clock.advance(Duration.ofMinutes(6));

        HttpResponse<String> page = browser.get("/mfa/passkey/register");

        // The requirement owes a factor the password-only session lacks: it is not an account session that could
        // confirm, so it signs in again.
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/login");
    }

    @Test
    void passkeyRegistrationScriptWhenServedThenAFileOfTheServer() {
        HttpResponse<String> script = new HttpBrowser(base).get("/assets/passkey-register.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body())
                .contains("/webauthn/register/options")
                .contains("navigator.credentials.create")
                .contains("sameOriginPath(body.confirm)")
                .contains("_csrf_header")
                .doesNotContain("innerHTML");
    }

    @Test
    void registerPasskeyWhenFreshAccountSessionThenListedWithItsLabelAndAuditedWithTheShortHashOnly() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);
        String[] csrf = AbstractPasskeySignInTests.csrf(browser.get("/account/passkeys"));
        TestAuthenticator key = TestAuthenticator.create().label("work laptop");

        HttpResponse<String> options = browser.postJson("/webauthn/register/options", "", csrf);
        assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
        HttpResponse<String> registered =
                browser.postJson("/webauthn/register", key.register(options.body(), base), csrf);

        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        assertThat(passkeyIds(name)).containsExactly(key.credentialId());
        assertThat(passkeys.list(name)).extracting(Passkeys.Passkey::label).containsExactly("work laptop");
        // Registering grants no factor: the account now waits for the passkey step.
        assertThat(browser.get("/account/passkeys")
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .endsWith("/mfa/passkey");
        assertThat(auditLog.flush(Duration.ofSeconds(20))).isTrue();
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT outcome, details FROM gh_audit_event WHERE actor = ? AND type = ? ORDER BY id",
                name,
                AuditEvents.PASSKEY_REGISTER);
        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.get("outcome")).isEqualTo("success");
            assertThat((String) r.get("details"))
                    .contains("\"credential\":\"" + PasskeyIds.ref(key.credentialId()) + "\"")
                    .doesNotContain(key.credentialId());
        });
    }

    @Test
    void registerPasskeyWhenSignInIsStaleThenForbiddenWithWhereToConfirmAndNothingStored() {
        String name = newUser();
        HttpBrowser browser = signedIn(name);
        String[] csrf = AbstractPasskeySignInTests.csrf(browser.get("/account/passkeys"));
        clock.advance(Duration.ofMinutes(6));

        HttpResponse<String> options = browser.postJson("/webauthn/register/options", "", csrf);

        assertThat(options.statusCode()).isEqualTo(403);
        assertThat(options.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(options.body()).contains("\"confirm\":\"/account/confirm?next=/account/passkeys\"");
        assertThat(passkeyIds(name)).isEmpty();
    }

    @Test
    void registerPasskeyWhenUserHasTotpButOnlyThePasswordWasProvedThenForbidden() {
        String name = newUser();
        enrol(name);
        HttpBrowser browser = signedIn(name);
        String[] csrf = AbstractPasskeySignInTests.csrf(browser.get("/mfa/totp"));

        HttpResponse<String> options = browser.postJson("/webauthn/register/options", "", csrf);

        assertThat(options.statusCode()).isEqualTo(403);
        assertThat(passkeyIds(name)).isEmpty();
    }

    @Test
    void springsPasskeyRemovalWhenCalledThenMethodNotAllowedAndThePasskeyStays() {
        String name = newUser();
        HttpBrowser browser = signedInWithPasskey(name);
        String id = passkeyIds(name).get(0);
        String[] csrf = AbstractPasskeySignInTests.csrf(browser.get("/account/passkeys"));

        HttpResponse<String> r = browser.delete("/webauthn/register/" + id, csrf);

        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(passkeyIds(name)).containsExactly(id);
    }

    /**
     * Signs in with the password, registers a passkey through Spring's endpoints (a fresh session of a user without
     * one may), then passes the passkey step the user now owes: the session holds the password and passkey factors.
     */
    HttpBrowser signedInWithPasskey(String name) {
        return signedInWithPasskey(name, TestAuthenticator.create().label("first"));
    }

    HttpBrowser signedInWithPasskey(String name, TestAuthenticator key) {
        HttpBrowser browser = signedIn(name);
        String[] csrf = AbstractPasskeySignInTests.csrf(browser.get("/account/passkeys"));
        HttpResponse<String> options = browser.postJson("/webauthn/register/options", "", csrf);
        assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
        HttpResponse<String> registered =
                browser.postJson("/webauthn/register", key.register(options.body(), base), csrf);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        HttpResponse<String> held = browser.get("/account/passkeys");
        assertThat(held.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/passkey");
        String[] stepCsrf = AbstractPasskeySignInTests.csrf(browser.get("/mfa/passkey"));
        HttpResponse<String> assertionOptions = browser.postJson("/webauthn/authenticate/options", "", stepCsrf);
        assertThat(assertionOptions.statusCode()).as(assertionOptions.body()).isEqualTo(200);
        HttpResponse<String> used =
                browser.postJson("/login/webauthn", key.assertion(assertionOptions.body(), base), stepCsrf);
        assertThat(used.statusCode()).as(used.body()).isEqualTo(200);
        assertThat(browser.get("/account/passkeys").statusCode()).isEqualTo(200);
        return browser;
    }

    List<String> passkeyIds(String name) {
        return passkeys.list(name).stream().map(Passkeys.Passkey::id).toList();
    }

    // ---------------------------------------------------------------- helpers

    String newUser() {
        String name = "acct-" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        return name;
    }

    /** Enrols and confirms with the code of the current step; the next step's code is the first that signs in. */
    TotpSecret enrol(String name) {
        return MfaSignInFlow.enrolConfirmed(totpService, name, clock.instant());
    }

    HttpBrowser signedIn(String name) {
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> r = browser.login(name, PASSWORD);
        assertThat(r.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
        return browser;
    }

    HttpBrowser signedIn(String name, String userAgent) {
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> r = browser.login(name, PASSWORD, "User-Agent", userAgent);
        assertThat(r.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
        return browser;
    }

    HttpBrowser signedInWithTotp(String name, TotpSecret key) {
        HttpBrowser browser = signedIn(name);
        passTotp(browser, TOTP.code(key, clock.instant().plus(Duration.ofSeconds(30))));
        return browser;
    }

    static void passTotp(HttpBrowser browser, String code) {
        HttpResponse<String> r = MfaSignInFlow.postCode(browser, "/mfa/totp", code);
        assertThat(r.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
    }

    HttpResponse<String> changePassword(HttpBrowser browser, String current, String next, String again) {
        return changePassword(browser, current, next, again, "en");
    }

    HttpResponse<String> changePassword(
            HttpBrowser browser, String current, String next, String again, String language) {
        HttpResponse<String> page = browser.get("/account/password");
        assertThat(page.statusCode()).isEqualTo(200);
        return browser.postForm(
                "/account/password",
                Map.of(
                        "current_password",
                        current,
                        "new_password",
                        next,
                        "confirm_password",
                        again,
                        "_csrf",
                        csrf(page)),
                "Accept-Language",
                language);
    }

    RegisteredClient registerClient(String secret) {
        RegisteredClient client = RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId("account-test-" + UUID.randomUUID())
                .clientName("Account test app")
                .clientSecret(clientSecrets.encoder().encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .redirectUri(REDIRECT)
                .scopes(s -> s.addAll(Set.of("openid", "api.read")))
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(false)
                        .build())
                .build();
        clients.save(client);
        return client;
    }

    static List<String> handles(HttpResponse<String> page) {
        Matcher m = HANDLE.matcher(page.body());
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
