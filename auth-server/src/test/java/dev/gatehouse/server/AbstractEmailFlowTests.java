package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.testsupport.TestAuthenticator;
import dev.gatehouse.server.users.JdbcUserStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.TestPropertySource;

/**
 * The e-mail flows end to end over real HTTP and a real SMTP server (GreenMail): registration, verification and
 * sign-in; the forgotten password; the change of address; links used twice or too late; identical answers where an
 * answer could tell whether an address has an account; the mail server down; and bad input. Every link is read from
 * a received mail. Subclasses choose the database and give the server and the SMTP server ports of their own (their
 * contexts stay cached side by side).
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
        properties = {
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.mail.registration-enabled=true",
            "gatehouse.server.mail.password-reset-enabled=true",
            "gatehouse.server.mail.email-change-enabled=true",
            "gatehouse.server.mail.delivery=smtp",
            "gatehouse.server.mail.mails-per-client-address=100000"
        })
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
@Import(AbstractSignInLockoutTests.TestClock.class)
abstract class AbstractEmailFlowTests {

    static final String PASSWORD = "violet tractor sandwich 42";
    static final String NEW_PASSWORD = "orange glacier piano 17";
    private static final Pattern CSRF_VALUE = Pattern.compile("name=\"_csrf\"[^>]*value=\"[^\"]+\"");
    private static final Pattern TOKEN_INPUT = Pattern.compile("name=\"token\"[^>]*value=\"([^\"]+)\"");

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    @Autowired
    MovableClock clock;

    @Autowired
    JdbcAuditLog auditLog;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    MeterRegistry meters;

    @Autowired
    ClientSecrets clientSecrets;

    String base;

    /** The SMTP server of this suite. */
    abstract GreenMail smtp();

    /** This suite's HTTP port. */
    abstract int port();

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GreenMail startSmtp(int port) {
        GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        return smtp;
    }

    /** The server on its port, its issuer on the same origin (mailed links open on it), mail to the SMTP server. */
    static void register(DynamicPropertyRegistry registry, int httpPort, int smtpPort) {
        registry.add("server.port", () -> httpPort);
        registry.add("gatehouse.token.issuer", () -> "http://localhost:" + httpPort);
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> smtpPort);
    }

    @BeforeEach
    void setUp() {
        base = "http://localhost:" + port();
    }

    // ---------------------------------------------------------------- registration

    @Test
    void registerWhenLinkFollowedThenSignInWorksAndNotBefore() throws Exception {
        String address = address("Reg");
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> sent = register(browser, address, PASSWORD, PASSWORD);
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        assertThat(sent.body()).contains("Check your e-mail").contains("role=\"status\"");

        // Stored under the canonical address, not usable yet.
        String username = address.toLowerCase(java.util.Locale.ROOT);
        assertThat(users.emailAccount(username)).hasValueSatisfying(a -> {
            assertThat(a.email()).isEqualTo(address);
            assertThat(a.emailVerified()).isFalse();
            assertThat(a.enabled()).isFalse();
        });
        assertThat(signIn(username, PASSWORD)).isFalse();

        MimeMessage mail = onlyMail(address);
        assertThat(mail.getSubject()).isEqualTo("Confirm your e-mail address");
        String link = link(mail);
        assertThat(link).startsWith(base + "/register/verify?token=");
        // The HTML alternative carries the same link, as a button, and nothing active.
        assertThat(part(mail, "text/html"))
                .contains("href=\"" + link + "\"")
                .contains("lang=\"en\"")
                .doesNotContain("<script")
                .doesNotContain("<img");
        // Only the token's hash is stored.
        String token = link.substring(link.indexOf("token=") + 6);
        assertThat(jdbc.queryForList(
                        "SELECT token_hash FROM gh_email_token WHERE username = ?", String.class, username))
                .hasSize(1)
                .doesNotContain(token);

        // The link opens a page with a button (a scanner fetching it uses nothing up); the button verifies.
        HttpResponse<String> page = browser.get(link);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Confirm my address").contains("action=\"/register/verify\"");
        HttpResponse<String> verified = postToken(browser, page, "/register/verify");
        assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
        assertThat(verified.body()).contains("Address confirmed");

        assertThat(signIn(username, PASSWORD)).isTrue();
        assertThat(users.emailAccount(username))
                .hasValueSatisfying(a -> assertThat(a.emailVerified()).isTrue());
        // Used once: the same link again is refused with a clear page.
        HttpResponse<String> again = postToken(browser, page, "/register/verify");
        assertThat(again.statusCode()).isEqualTo(410);
        assertThat(again.body()).contains("This link is not valid").contains("role=\"alert\"");
    }

    @Test
    void registerWhenAddressAlreadyHasAccountThenSameAnswerAndMailSaysSo() throws Exception {
        String taken = verifiedUser("Taken");
        String fresh = address("Fresh");
        HttpResponse<String> forTaken = register(new HttpBrowser(base), taken, PASSWORD, PASSWORD);
        HttpResponse<String> forFresh = register(new HttpBrowser(base), fresh, PASSWORD, PASSWORD);

        assertThat(forTaken.statusCode()).isEqualTo(forFresh.statusCode()).isEqualTo(200);
        assertThat(normalised(forTaken.body())).isEqualTo(normalised(forFresh.body()));
        MimeMessage mail = onlyMail(taken);
        assertThat(mail.getSubject()).isEqualTo("You already have an account");
        assertThat(text(mail))
                .contains(base + "/login")
                .contains(base + "/password/forgot")
                .doesNotContain("token=");
        // The existing account is untouched: its password still works.
        assertThat(signIn(taken.toLowerCase(java.util.Locale.ROOT), PASSWORD)).isTrue();
    }

    @Test
    void registerWhenPendingAddressRegisteredAgainThenLinkSentAgainAndThePasswordStays() throws Exception {
        String address = address("Pending");
        String username = address.toLowerCase(java.util.Locale.ROOT);
        HttpResponse<String> first = register(new HttpBrowser(base), address, PASSWORD, PASSWORD);
        // Someone else registers the same still-unverified address with a password of their own.
        HttpResponse<String> second = register(new HttpBrowser(base), address, NEW_PASSWORD, NEW_PASSWORD);
        assertThat(second.statusCode()).isEqualTo(first.statusCode()).isEqualTo(200);
        assertThat(normalised(second.body())).isEqualTo(normalised(first.body()));
        MimeMessage[] mails = smtp().getReceivedMessagesForDomain(address);
        assertThat(mails).hasSize(2);
        assertThat(mails[1].getSubject()).isEqualTo("Confirm your e-mail address");

        // The owner of the address follows the newest link: the account is live with the first password only.
        HttpBrowser owner = new HttpBrowser(base);
        HttpResponse<String> page = owner.get(link(mails[1]));
        assertThat(postToken(owner, page, "/register/verify").statusCode()).isEqualTo(200);
        assertThat(signIn(username, NEW_PASSWORD)).isFalse();
        assertThat(signIn(username, PASSWORD)).isTrue();
    }

    @Test
    void verifyWhenAnOperatorDisabledThePendingRegistrationThenTheLinkDoesNotEnableIt() throws Exception {
        String address = address("Disabled");
        String username = address.toLowerCase(java.util.Locale.ROOT);
        register(new HttpBrowser(base), address, PASSWORD, PASSWORD);
        MimeMessage[] mails = smtp().getReceivedMessagesForDomain(address);
        assertThat(mails).hasSize(1);
        // The operator disables the account before its address is verified (the admin API's store call).
        assertThat(users.setEnabled(username, false)).isTrue();

        // The link still verifies the address, but the operator's decision stands.
        HttpBrowser owner = new HttpBrowser(base);
        HttpResponse<String> page = owner.get(link(mails[0]));
        assertThat(postToken(owner, page, "/register/verify").statusCode()).isEqualTo(200);
        assertThat(users.emailAccount(username)).hasValueSatisfying(a -> {
            assertThat(a.emailVerified()).isTrue();
            assertThat(a.enabled()).isFalse();
        });
        assertThat(signIn(username, PASSWORD)).isFalse();

        // Registering the address again is not a pending registration any more: no new link that could enable it.
        register(new HttpBrowser(base), address, NEW_PASSWORD, NEW_PASSWORD);
        MimeMessage[] after = smtp().getReceivedMessagesForDomain(address);
        assertThat(after).hasSize(2);
        assertThat(after[1].getSubject()).isNotEqualTo("Confirm your e-mail address");
        assertThat(signIn(username, PASSWORD)).isFalse();
        assertThat(signIn(username, NEW_PASSWORD)).isFalse();
        // Nor does the purge of abandoned registrations delete an account an operator decided on.
        assertThat(users.deleteUnverifiedRegistration(username)).isFalse();
    }

    @Test
    void registerWhenInputBadThenErrorSummaryAndNothingStored() {
        HttpBrowser browser = new HttpBrowser(base);
        String overlong = "a".repeat(250) + "@example.com";
        for (Map.Entry<String, String> bad : Map.of(
                        overlong,
                        "too long",
                        "bell\u0007@example.com",
                        "characters that are not allowed",
                        "no-at-sign.example.com",
                        "name@example.com",
                        "two@@example.com",
                        "name@example.com",
                        "dot.@example.com",
                        "name@example.com",
                        "x@localhost",
                        "name@example.com")
                .entrySet()) {
            HttpResponse<String> refused = register(browser, bad.getKey(), PASSWORD, PASSWORD);
            assertThat(refused.statusCode()).as(bad.getKey()).isEqualTo(400);
            assertThat(refused.body())
                    .as(bad.getKey())
                    .contains("class=\"error-summary\" role=\"alert\"")
                    .contains(bad.getValue())
                    .doesNotContain("\u0007");
        }
        String address = address("Weak");
        HttpResponse<String> weak = register(browser, address, "password", "password");
        assertThat(weak.statusCode()).isEqualTo(400);
        assertThat(weak.body()).contains("href=\"#password\"").doesNotContain("value=\"password\"");
        HttpResponse<String> mismatch = register(browser, address, PASSWORD, PASSWORD + "x");
        assertThat(mismatch.body()).contains("The two passwords are not the same");
        HttpResponse<String> overlongPassword = register(browser, address, "p".repeat(5000), "p".repeat(5000));
        assertThat(overlongPassword.statusCode()).isEqualTo(400);
        assertThat(users.findByEmail(address)).isEmpty();
        assertThat(smtp().getReceivedMessagesForDomain(address)).isEmpty();
    }

    @Test
    void postWhenCsrfTokenMissingOrWrongThenForbiddenAndNothingSent() {
        String address = address("Csrf");
        HttpBrowser browser = new HttpBrowser(base);
        browser.get("/register");
        for (String path : List.of("/register", "/password/forgot")) {
            HttpResponse<String> none =
                    browser.postForm(path, Map.of("email", address, "password", PASSWORD, "confirmation", PASSWORD));
            assertThat(none.statusCode()).as(path).isEqualTo(403);
            HttpResponse<String> wrong = browser.postForm(
                    path, Map.of("email", address, "password", PASSWORD, "confirmation", PASSWORD, "_csrf", "forged"));
            assertThat(wrong.statusCode()).as(path).isEqualTo(403);
        }
        assertThat(users.findByEmail(address)).isEmpty();
        assertThat(smtp().getReceivedMessagesForDomain(address)).isEmpty();
    }

    @Test
    void loginPageWhenFlowsOnThenLinksToRegistrationAndForgottenPassword() {
        HttpResponse<String> login = new HttpBrowser(base).get("/login");
        assertThat(login.body()).contains("href=\"/password/forgot\"").contains("href=\"/register\"");
    }

    @Test
    void pagesWhenSignInByAddressPossibleThenLabelSaysSoAndOverviewLinksToTheChangeOfAddress() {
        assertThat(new HttpBrowser(base).get("/login").body()).contains("Username or e-mail");
        assertThat(new HttpBrowser(base).get("/login", "Accept-Language", "de").body())
                .contains("Benutzername oder E-Mail-Adresse");
        assertThat(new HttpBrowser(base).get("/login", "Accept-Language", "fr").body())
                .contains("Nom d’utilisateur ou adresse e-mail");
        String address = verifiedUser("Overview");
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(address.toLowerCase(java.util.Locale.ROOT), PASSWORD);
        HttpResponse<String> overview = browser.get("/account");
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains("href=\"/account/email\"").contains("Change your e-mail address");
    }

    // ---------------------------------------------------------------- forgotten password

    @Test
    void resetWhenLinkFollowedThenOldPasswordFailsNewWorksAndOldSessionsEnded() throws Exception {
        String address = verifiedUser("Reset");
        String username = address.toLowerCase(java.util.Locale.ROOT);
        HttpBrowser signedIn = new HttpBrowser(base);
        assertThat(signedIn.login(username, PASSWORD)
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .doesNotContain("error");
        assertThat(signedIn.get("/").statusCode()).isEqualTo(200);

        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> sent = forgot(browser, address);
        assertThat(sent.statusCode()).isEqualTo(200);
        MimeMessage mail = onlyMail(address);
        assertThat(mail.getSubject()).isEqualTo("Choose a new password");
        assertThat(text(mail)).contains("15 minutes");
        String link = link(mail);
        assertThat(link).startsWith(base + "/password/reset?token=");

        HttpResponse<String> form = browser.get(link);
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains("autocomplete=\"new-password\"");
        // A page reached through a link that carries a token is never cached, and sends no Referer on.
        assertThat(form.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        assertThat(form.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        // A password the policy refuses: the form again, and the link still works.
        HttpResponse<String> weak = postReset(browser, form, "password", "password");
        assertThat(weak.statusCode()).isEqualTo(400);
        assertThat(weak.body()).contains("role=\"alert\"");
        HttpResponse<String> done = postReset(browser, form, NEW_PASSWORD, NEW_PASSWORD);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(done.body()).contains("Password changed");

        assertThat(signIn(username, PASSWORD)).isFalse();
        assertThat(signIn(username, NEW_PASSWORD)).isTrue();
        // The session signed in before the reset has ended.
        HttpResponse<String> old = signedIn.get("/");
        assertThat(old.statusCode()).isEqualTo(302);
        assertThat(old.headers().firstValue("Location").orElseThrow()).contains("/login");
        // The link is spent.
        HttpResponse<String> reused = postReset(browser, form, "another fine password 77", "another fine password 77");
        assertThat(reused.statusCode()).isEqualTo(410);
        assertThat(reused.body()).contains("This link is not valid");
        assertThat(browser.get(link).statusCode()).isEqualTo(410);
        // Audited, without the link's token anywhere.
        assertThat(audit(username)).contains("password.reset.request:success", "password.reset:success");
        assertThat(auditDetails()).noneMatch(d -> d.contains(link.substring(link.indexOf("token=") + 6)));
    }

    @Test
    void resetWhenPasswordChangedOnTheAccountPageSinceThenTheLinkIsWithdrawn() throws Exception {
        String address = verifiedUser("Withdrawn");
        forgot(new HttpBrowser(base), address);
        String link = link(onlyMail(address));
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(address.toLowerCase(java.util.Locale.ROOT), PASSWORD);
        HttpResponse<String> form = browser.get("/account/password");
        HttpResponse<String> changed = browser.postForm(
                "/account/password",
                Map.of(
                        "current_password", PASSWORD,
                        "new_password", NEW_PASSWORD,
                        "confirm_password", NEW_PASSWORD,
                        "_csrf", csrf(form)));
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(302);
        // The link mailed before the change cannot undo it.
        assertThat(new HttpBrowser(base).get(link).statusCode()).isEqualTo(410);
    }

    @Test
    void resetWhenAddressChangedSinceThenTheLinkIsWithdrawn() throws Exception {
        String old = verifiedUser("Moved");
        forgot(new HttpBrowser(base), old);
        String link = link(onlyMail(old));
        String fresh = address("MovedTo");
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(old.toLowerCase(java.util.Locale.ROOT), PASSWORD);
        HttpResponse<String> form = browser.get("/account/email");
        assertThat(browser.postForm("/account/email", Map.of("password", PASSWORD, "email", fresh, "_csrf", csrf(form)))
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> page = browser.get(link(onlyMail(fresh)));
        assertThat(postToken(browser, page, "/email/confirm").statusCode()).isEqualTo(200);
        // The link mailed to the old address no longer reaches the account.
        assertThat(new HttpBrowser(base).get(link).statusCode()).isEqualTo(410);
    }

    @Test
    void resetWhenLinkExpiredThenRefusedWithClearPage() throws Exception {
        String address = verifiedUser("Expired");
        HttpBrowser browser = new HttpBrowser(base);
        forgot(browser, address);
        String link = link(onlyMail(address));
        HttpResponse<String> form = browser.get(link);
        assertThat(form.statusCode()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(16));
        HttpResponse<String> late = browser.get(link);
        assertThat(late.statusCode()).isEqualTo(410);
        assertThat(late.body())
                .contains("This link has expired")
                .contains("role=\"alert\"")
                .contains("href=\"/password/forgot\"");
        HttpResponse<String> posted = postReset(browser, form, NEW_PASSWORD, NEW_PASSWORD);
        assertThat(posted.statusCode()).isEqualTo(410);
        assertThat(signIn(address.toLowerCase(java.util.Locale.ROOT), PASSWORD)).isTrue();
    }

    @Test
    void forgotWhenAddressUnknownOrKnownThenIdenticalAnswersAndEachAddressIsMailed() throws Exception {
        String known = verifiedUser("Known");
        String unknown = address("Unknown");
        HttpResponse<String> forKnown = forgot(new HttpBrowser(base), known);
        HttpResponse<String> forUnknown = forgot(new HttpBrowser(base), unknown);
        assertThat(forKnown.statusCode()).isEqualTo(forUnknown.statusCode()).isEqualTo(200);
        assertThat(normalised(forKnown.body())).isEqualTo(normalised(forUnknown.body()));
        assertThat(forKnown.headers().map().keySet())
                .isEqualTo(forUnknown.headers().map().keySet());
        assertThat(onlyMail(known).getSubject()).isEqualTo("Choose a new password");
        MimeMessage none = onlyMail(unknown);
        assertThat(none.getSubject()).isEqualTo("Password reset requested");
        assertThat(text(none)).contains("no active account").doesNotContain("token=");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_email_token WHERE purpose = 'reset' AND username = ?",
                        Integer.class,
                        known.toLowerCase(java.util.Locale.ROOT)))
                .isEqualTo(1);
    }

    @Test
    void forgotWhenAccountExistsOrNotThenTheClientsCounterMovesTheSame() throws Exception {
        String known = verifiedUser("Counted");
        String unknown = address("Uncounted");
        long before = clientMailCount();
        assertThat(forgot(new HttpBrowser(base), known).statusCode()).isEqualTo(200);
        long afterKnown = clientMailCount();
        assertThat(forgot(new HttpBrowser(base), unknown).statusCode()).isEqualTo(200);
        long afterUnknown = clientMailCount();
        // A client's limit must not run out one probe earlier for addresses that have an account.
        assertThat(afterKnown - before).isPositive().isEqualTo(afterUnknown - afterKnown);
    }

    /** The mail limiter's count for the one client address these tests come from. */
    long clientMailCount() {
        // A counter past its expiry counts as none (the limiter starts it afresh).
        List<Long> counts = jdbc.query(
                "SELECT failures, expires_at FROM gh_attempt_counter WHERE counter_key LIKE 'mail|i|%'",
                (rs, n) -> rs.getTimestamp(2).toInstant().isAfter(clock.instant()) ? rs.getLong(1) : 0L);
        assertThat(counts).hasSizeLessThanOrEqualTo(1);
        return counts.isEmpty() ? 0 : counts.get(0);
    }

    @Test
    void forgotWhenRepeatedForOneAddressThenThrottledAfterThree() throws Exception {
        String address = verifiedUser("Many");
        for (int i = 0; i < 3; i++) {
            assertThat(forgot(new HttpBrowser(base), address).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> fourth = forgot(new HttpBrowser(base), address);
        assertThat(fourth.statusCode()).isEqualTo(429);
        assertThat(fourth.body()).contains("Too many requests");
        assertThat(smtp().getReceivedMessagesForDomain(address)).hasSize(3);
        // Only the newest link works.
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_email_token WHERE username = ?",
                        Integer.class,
                        address.toLowerCase(java.util.Locale.ROOT)))
                .isEqualTo(1);
    }

    @Test
    void forgotWhenManyRequestsForOneAddressArriveAtOnceThenStillOnlyThreeMails() throws Exception {
        String address = verifiedUser("Burst");
        int n = 8;
        List<HttpBrowser> browsers = new java.util.ArrayList<>();
        List<String> tokens = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpBrowser browser = new HttpBrowser(base);
            tokens.add(csrf(browser.get("/password/forgot")));
            browsers.add(browser);
        }
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                HttpBrowser browser = browsers.get(i);
                String csrf = tokens.get(i);
                answers.add(pool.submit(() -> {
                    start.await();
                    return browser.postForm("/password/forgot", Map.of("email", address, "_csrf", csrf))
                            .statusCode();
                }));
            }
            start.countDown();
            List<Integer> codes = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Integer> answer : answers) {
                codes.add(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            // Counted before deciding: a burst cannot all pass the check before the first is counted.
            assertThat(codes).filteredOn(c -> c == 200).hasSize(3);
            assertThat(codes).filteredOn(c -> c == 429).hasSize(n - 3);
        } finally {
            pool.shutdownNow();
        }
        assertThat(smtp().getReceivedMessagesForDomain(address)).hasSize(3);
    }

    @Test
    void forgotWhenGermanRequestedThenPageAndMailInGerman() throws Exception {
        String address = verifiedUser("Sprache");
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> page = browser.get("/password/forgot", "Accept-Language", "de");
        HttpResponse<String> sent = browser.postForm(
                "/password/forgot", Map.of("email", address, "_csrf", csrf(page)), "Accept-Language", "de");
        assertThat(sent.body()).contains("Prüfen Sie Ihre E-Mails");
        MimeMessage mail = onlyMail(address);
        assertThat(mail.getSubject()).isEqualTo("Wählen Sie ein neues Passwort");
        assertThat(text(mail)).contains("innerhalb von 15 Minuten");
    }

    // ---------------------------------------------------------------- e-mail change

    @Test
    void changeWhenConfirmedAtNewAddressThenAppliedAndOldAddressNotified() throws Exception {
        String old = verifiedUser("Old");
        String username = old.toLowerCase(java.util.Locale.ROOT);
        String fresh = address("New");
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(username, PASSWORD);
        HttpResponse<String> form = browser.get("/account/email");
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains(old).contains("autocomplete=\"current-password\"");

        HttpResponse<String> wrong = browser.postForm(
                "/account/email", Map.of("password", "not my password", "email", fresh, "_csrf", csrf(form)));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("Your current password is not correct");
        assertThat(smtp().getReceivedMessagesForDomain(fresh)).isEmpty();

        HttpResponse<String> sent =
                browser.postForm("/account/email", Map.of("password", PASSWORD, "email", fresh, "_csrf", csrf(form)));
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        assertThat(sent.body()).contains("Check your new inbox");
        MimeMessage confirmation = onlyMail(fresh);
        assertThat(confirmation.getSubject()).isEqualTo("Confirm your new e-mail address");
        MimeMessage notice = onlyMail(old);
        assertThat(notice.getSubject()).isEqualTo("Your e-mail address is about to change");
        assertThat(text(notice)).contains(fresh).doesNotContain("token=");
        // Nothing changes before the link is followed.
        assertThat(users.emailAccount(username).orElseThrow().email()).isEqualTo(old);

        String link = link(confirmation);
        assertThat(link).startsWith(base + "/email/confirm?token=");
        HttpBrowser other = new HttpBrowser(base);
        HttpResponse<String> page = other.get(link);
        assertThat(page.statusCode()).isEqualTo(200);
        HttpResponse<String> changed = postToken(other, page, "/email/confirm");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        assertThat(changed.body()).contains("Address changed");
        assertThat(users.emailAccount(username)).hasValueSatisfying(a -> {
            assertThat(a.email()).isEqualTo(fresh);
            assertThat(a.emailVerified()).isTrue();
        });
        assertThat(Arrays.stream(smtp().getReceivedMessagesForDomain(old)).map(AbstractEmailFlowTests::subject))
                .containsExactly("Your e-mail address is about to change", "Your e-mail address has changed");
        // The forgotten-password flow now reaches the account at the new address only.
        assertThat(users.findByEmail(fresh).orElseThrow().username()).isEqualTo(username);
        assertThat(users.findByEmail(old)).isEmpty();
        assertThat(postToken(other, page, "/email/confirm").statusCode()).isEqualTo(410);
        // The username stays (it is the token subject); the new address signs in too, the old one only as the name.
        assertThat(signIn(fresh, PASSWORD)).isTrue();
        assertThat(signIn(username, PASSWORD)).isTrue();
    }

    @Test
    void changeWhenNewAddressTakenThenSameAnswerAndNothingChanges() throws Exception {
        String mine = verifiedUser("Mine");
        String theirs = verifiedUser("Theirs");
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(mine.toLowerCase(java.util.Locale.ROOT), PASSWORD);
        HttpResponse<String> form = browser.get("/account/email");
        HttpResponse<String> sent =
                browser.postForm("/account/email", Map.of("password", PASSWORD, "email", theirs, "_csrf", csrf(form)));
        assertThat(sent.statusCode()).isEqualTo(200);
        assertThat(sent.body()).contains("Check your new inbox");
        assertThat(onlyMail(theirs).getSubject()).isEqualTo("E-mail address already in use");
        // The old address hears of the request as it would for a free address (same mails out either way).
        assertThat(onlyMail(mine).getSubject()).isEqualTo("Your e-mail address is about to change");
        assertThat(users.findByEmail(mine)).isPresent();
    }

    @Test
    void changeWhenPasswordOnlySessionOfATotpUserThenSentToTheSecondFactorAndNothingSent() throws Exception {
        String address = verifiedUser("Totp");
        String username = address.toLowerCase(java.util.Locale.ROOT);
        HttpBrowser enrolled = new HttpBrowser(base);
        enrolled.login(username, PASSWORD);
        enrolTotp(enrolled);

        // A new sign-in with the password only: the code is still owed.
        HttpBrowser half = new HttpBrowser(base);
        half.login(username, PASSWORD);
        HttpResponse<String> page = half.get("/account/email");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/totp");
        String fresh = address("Attacker");
        HttpResponse<String> login = half.get("/mfa/totp");
        HttpResponse<String> post =
                half.postForm("/account/email", Map.of("password", PASSWORD, "email", fresh, "_csrf", csrf(login)));
        assertThat(post.statusCode()).isEqualTo(302);
        assertThat(post.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/totp");
        assertThat(smtp().getReceivedMessagesForDomain(fresh)).isEmpty();
    }

    @Test
    void changeWhenSignInNotFreshThenConfirmedFirstAndThenTheFormAgain() {
        String address = verifiedUser("Stale");
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(address.toLowerCase(java.util.Locale.ROOT), PASSWORD);
        assertThat(browser.get("/account/email").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> stale = browser.get("/account/email");
        assertThat(stale.statusCode()).isEqualTo(302);
        assertThat(stale.headers().firstValue("Location").orElseThrow())
                .endsWith("/account/confirm?next=/account/email");
        HttpResponse<String> confirm = browser.get("/account/confirm?next=/account/email");
        HttpResponse<String> confirmed = browser.postForm(
                "/account/confirm", Map.of("password", PASSWORD, "next", "/account/email", "_csrf", csrf(confirm)));
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(302);
        assertThat(confirmed.headers().firstValue("Location").orElseThrow()).endsWith("/account/email");
        assertThat(browser.get("/account/email").statusCode()).isEqualTo(200);
    }

    @Test
    void changeWhenCurrentPasswordWrongThenCountedByTheSignInAttemptLimit() {
        String address = verifiedUser("Guess");
        String username = address.toLowerCase(java.util.Locale.ROOT);
        HttpBrowser browser = new HttpBrowser(base);
        browser.login(username, PASSWORD);
        HttpResponse<String> form = browser.get("/account/email");
        HttpResponse<String> wrong = browser.postForm(
                "/account/email",
                Map.of("password", "not my password", "email", address("Elsewhere"), "_csrf", csrf(form)));
        assertThat(wrong.statusCode()).isEqualTo(400);
        // The sign-in's own per-account counter (scope "password") holds the failure.
        assertThat(jdbc.queryForList(
                        "SELECT failures FROM gh_attempt_counter WHERE counter_key = ?",
                        Long.class,
                        "password|a|" + username.length() + ":" + username))
                .containsExactly(1L);
    }

    @Test
    void changeWhenNotSignedInThenSentToSignIn() {
        HttpResponse<String> page = new HttpBrowser(base).get("/account/email");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElseThrow()).contains("/login");
    }

    // ---------------------------------------------------------------- the whole journey

    @Test
    void journeyWhenRegisteredEnrolledAndResetThenTheSecondFactorIsStillAsked() throws Exception {
        String address = address("Journey");
        String username = address.toLowerCase(java.util.Locale.ROOT);
        HttpBrowser browser = new HttpBrowser(base);
        register(browser, address, PASSWORD, PASSWORD);
        HttpResponse<String> confirm = browser.get(link(onlyMail(address)));
        assertThat(postToken(browser, confirm, "/register/verify").statusCode()).isEqualTo(200);

        // Signed in, the user enrols an authenticator app.
        assertThat(browser.login(username, PASSWORD).statusCode()).isEqualTo(302);
        HttpResponse<String> enrol = browser.get("/mfa/enroll");
        HttpResponse<String> started = browser.postForm("/mfa/enroll/start", Map.of("_csrf", csrf(enrol)));
        Matcher secret =
                Pattern.compile("<code id=\"secret\">([A-Z2-7]+)</code>").matcher(started.body());
        assertThat(secret.find()).as(started.body()).isTrue();
        TotpSecret key = TotpSecret.fromBase32(secret.group(1));
        HttpResponse<String> enrolled = browser.postForm(
                "/mfa/enroll",
                Map.of("code", Totp.of(TotpParameters.defaults()).code(key, clock.instant()), "_csrf", csrf(started)));
        assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(200);

        // Forgotten password, reset through the mailed link.
        HttpBrowser other = new HttpBrowser(base);
        forgot(other, address);
        MimeMessage[] received = smtp().getReceivedMessagesForDomain(address);
        HttpResponse<String> form = other.get(link(received[received.length - 1]));
        assertThat(postReset(other, form, NEW_PASSWORD, NEW_PASSWORD).statusCode())
                .isEqualTo(200);

        // At a client: the new password signs in, the reset did not take the second factor away, and the tokens
        // name the registered user.
        String clientId = "mail-journey-" + UUID.randomUUID();
        String secretValue = clientSecrets.generate();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(clientId)
                .clientSecret(clientSecrets.encoder().encode(secretValue))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(MfaSignInFlow.REDIRECT)
                .scope("openid")
                .build());
        MfaSignInFlow flow = new MfaSignInFlow(base, clientId, secretValue);
        HttpBrowser fresh = new HttpBrowser(base);
        AbstractAuthorizationServerTests.Pkce pkce = AbstractAuthorizationServerTests.Pkce.create();
        assertThat(flow.password(fresh, username, NEW_PASSWORD, pkce)).endsWith("/mfa/totp");
        String resumed = flow.submit(
                fresh,
                "/mfa/totp",
                Totp.of(TotpParameters.defaults()).code(key, clock.instant().plus(Duration.ofSeconds(30))));
        Map<String, Object> tokens = flow.tokens(fresh, resumed, pkce);
        assertThat(AbstractMfaSignInTests.claims((String) tokens.get("id_token"))
                        .get("sub"))
                .isEqualTo(username);
        assertThat(MfaSignInFlow.amr(tokens)).isEqualTo(MfaSignInFlow.pwdOtp());
    }

    // ---------------------------------------------------------------- mail server down

    @Test
    void flowsWhenMailServerDownThenClearErrorAndNothingHalfWritten() throws Exception {
        String known = verifiedUser("Down");
        String fresh = address("DownNew");
        smtp().stop();
        try {
            HttpResponse<String> registered = register(new HttpBrowser(base), fresh, PASSWORD, PASSWORD);
            assertThat(registered.statusCode()).isEqualTo(503);
            assertThat(registered.body())
                    .contains("The message could not be sent")
                    .contains("role=\"alert\"")
                    .contains("href=\"/register\"")
                    .doesNotContain("Exception");
            assertThat(users.findByEmail(fresh)).isEmpty();
            assertThat(users.emailAccount(fresh.toLowerCase(java.util.Locale.ROOT)))
                    .isEmpty();

            HttpResponse<String> reset = forgot(new HttpBrowser(base), known);
            assertThat(reset.statusCode()).isEqualTo(503);
            assertThat(jdbc.queryForObject(
                            "SELECT COUNT(*) FROM gh_email_token WHERE username = ?",
                            Integer.class,
                            known.toLowerCase(java.util.Locale.ROOT)))
                    .isZero();
            // Unknown and known addresses fail alike.
            HttpResponse<String> unknown = forgot(new HttpBrowser(base), address("DownUnknown"));
            assertThat(normalised(unknown.body())).isEqualTo(normalised(reset.body()));
        } finally {
            smtp().start();
        }
        assertThat(audit(known.toLowerCase(java.util.Locale.ROOT)))
                .contains("mail.failure:failure", "password.reset.request:failure");
        // Operators can alert on it.
        assertThat(meters.get("gatehouse.mail.failures")
                        .tag("purpose", "reset")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(2);
        assertThat(meters.get("gatehouse.mail.failures")
                        .tag("purpose", "register")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(1);
        // Back up: the same registration goes through.
        assertThat(register(new HttpBrowser(base), fresh, PASSWORD, PASSWORD).statusCode())
                .isEqualTo(200);
        assertThat(onlyMail(fresh).getSubject()).isEqualTo("Confirm your e-mail address");
    }

    // ---------------------------------------------------------------- helpers

    /** A new user with a verified address, made through the store as an earlier registration would have. */
    // ---------------------------------------------------------------- passkey notices (issue #16)

    @Test
    void passkeyWhenAddedAndRemovedThenVerifiedAddressNotifiedByLabelNeverById() throws Exception {
        String address = verifiedUser("Pk");
        String username = address.toLowerCase(java.util.Locale.ROOT);
        HttpBrowser browser = new HttpBrowser(base);
        assertThat(browser.login(username, PASSWORD).statusCode()).isEqualTo(302);
        TestAuthenticator key = TestAuthenticator.create().label("Work laptop");
        assertThat(addPasskey(browser, key).statusCode()).isEqualTo(200);

        MimeMessage added = onlyMail(address);
        assertThat(subject(added)).isEqualTo("A passkey was added to your account");
        assertThat(text(added))
                .contains("\"Work laptop\"")
                .contains(username)
                .contains(" UTC")
                .contains(base + "/account/passkeys")
                .doesNotContain(key.credentialId());
        assertThat(part(added, "text/html")).contains("Work laptop").doesNotContain(key.credentialId());

        // A user with a passkey owes it: the account pages open to a passkey sign-in.
        HttpBrowser signedIn = new HttpBrowser(base);
        String[] csrf = AbstractPasskeySignInTests.csrf(signedIn.get("/login"));
        HttpResponse<String> options = signedIn.postJson("/webauthn/authenticate/options", "", csrf);
        assertThat(signedIn.postJson("/login/webauthn", key.assertion(options.body(), base), csrf)
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> page = signedIn.get("/account/passkeys");
        HttpResponse<String> removed =
                signedIn.postForm("/account/passkeys/remove", Map.of("id", key.credentialId(), "_csrf", csrf(page)));
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(302);
        MimeMessage[] mails = smtp().getReceivedMessagesForDomain(address);
        assertThat(mails).hasSize(2);
        assertThat(subject(mails[1])).isEqualTo("A passkey was removed from your account");
        assertThat(text(mails[1])).contains("\"Work laptop\"").doesNotContain(key.credentialId());
    }

    @Test
    void passkeyWhenAddressNotVerifiedThenNoNotice() {
        String address = address("PkUnverified");
        String username = users.createWithEmail(address, hasher.hash(PASSWORD), address, true);
        HttpBrowser browser = new HttpBrowser(base);
        assertThat(browser.login(username, PASSWORD).statusCode()).isEqualTo(302);
        assertThat(addPasskey(browser, TestAuthenticator.create()).statusCode()).isEqualTo(200);
        assertThat(smtp().getReceivedMessagesForDomain(address)).isEmpty();
    }

    @Test
    void passkeyNoticeWhenMailServerDownThenPasskeyKeptAndFailureAuditedAndCounted() {
        String address = verifiedUser("PkDown");
        String username = address.toLowerCase(java.util.Locale.ROOT);
        HttpBrowser browser = new HttpBrowser(base);
        assertThat(browser.login(username, PASSWORD).statusCode()).isEqualTo(302);
        double before = passkeyNoticeFailures();
        smtp().stop();
        try {
            assertThat(addPasskey(browser, TestAuthenticator.create()).statusCode())
                    .isEqualTo(200);
        } finally {
            smtp().start();
        }
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_passkey p JOIN gh_passkey_user u ON u.user_handle = p.user_handle"
                                + " WHERE u.username = ?",
                        Integer.class,
                        username))
                .isEqualTo(1);
        assertThat(audit(username)).contains("passkey.register:success", "mail.failure:failure");
        assertThat(passkeyNoticeFailures()).isEqualTo(before + 1);
    }

    double passkeyNoticeFailures() {
        assertThat(auditLog.flush(Duration.ofSeconds(20))).isTrue();
        io.micrometer.core.instrument.Counter counter = meters.find("gatehouse.mail.failures")
                .tag("purpose", "passkey_added")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    /** Adds a passkey as the account page's script does (Spring's registration endpoints, the page's CSRF header). */
    HttpResponse<String> addPasskey(HttpBrowser browser, TestAuthenticator key) {
        String[] csrf = AbstractPasskeySignInTests.csrf(browser.get("/account/passkeys"));
        HttpResponse<String> options = browser.postJson("/webauthn/register/options", "", csrf);
        assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
        return browser.postJson("/webauthn/register", key.register(options.body(), base), csrf);
    }

    String verifiedUser(String label) {
        String address = address(label);
        String username = users.createWithEmail(address, hasher.hash(PASSWORD), address, false);
        users.verifyRegistration(username);
        return address;
    }

    /** Enrols an authenticator app in a fully signed-in browser, through the enrolment pages. */
    void enrolTotp(HttpBrowser browser) {
        HttpResponse<String> enrol = browser.get("/mfa/enroll");
        HttpResponse<String> started = browser.postForm("/mfa/enroll/start", Map.of("_csrf", csrf(enrol)));
        Matcher secret =
                Pattern.compile("<code id=\"secret\">([A-Z2-7]+)</code>").matcher(started.body());
        assertThat(secret.find()).as(started.body()).isTrue();
        TotpSecret key = TotpSecret.fromBase32(secret.group(1));
        HttpResponse<String> enrolled = browser.postForm(
                "/mfa/enroll",
                Map.of("code", Totp.of(TotpParameters.defaults()).code(key, clock.instant()), "_csrf", csrf(started)));
        assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(200);
    }

    /** The audit events about a user, as type:outcome, once the writer has stored them. */
    List<String> audit(String subject) {
        assertThat(auditLog.flush(Duration.ofSeconds(20))).isTrue();
        return jdbc.query(
                "SELECT type, outcome, details FROM gh_audit_event WHERE subject = ? ORDER BY id",
                (rs, n) -> rs.getString(1) + ":" + rs.getString(2),
                subject);
    }

    /** The details of every stored audit event. */
    List<String> auditDetails() {
        assertThat(auditLog.flush(Duration.ofSeconds(20))).isTrue();
        return jdbc.queryForList("SELECT details FROM gh_audit_event", String.class);
    }

    static String address(String label) {
        return label + "." + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    HttpResponse<String> register(HttpBrowser browser, String email, String password, String confirmation) {
        HttpResponse<String> page = browser.get("/register");
        assertThat(page.statusCode()).isEqualTo(200);
        return browser.postForm(
                "/register",
                Map.of("email", email, "password", password, "confirmation", confirmation, "_csrf", csrf(page)));
    }

    HttpResponse<String> forgot(HttpBrowser browser, String email) {
        HttpResponse<String> page = browser.get("/password/forgot");
        assertThat(page.statusCode()).isEqualTo(200);
        return browser.postForm("/password/forgot", Map.of("email", email, "_csrf", csrf(page)));
    }

    static HttpResponse<String> postReset(
            HttpBrowser browser, HttpResponse<String> form, String password, String confirmation) {
        return browser.postForm(
                "/password/reset",
                Map.of("token", token(form), "password", password, "confirmation", confirmation, "_csrf", csrf(form)));
    }

    static HttpResponse<String> postToken(HttpBrowser browser, HttpResponse<String> page, String path) {
        return browser.postForm(path, Map.of("token", token(page), "_csrf", csrf(page)));
    }

    boolean signIn(String username, String password) {
        HttpResponse<String> r = new HttpBrowser(base).login(username, password);
        return r.statusCode() == 302
                && !r.headers().firstValue("Location").orElse("").contains("error");
    }

    /** The one mail the address received. */
    MimeMessage onlyMail(String address) {
        MimeMessage[] received = smtp().getReceivedMessagesForDomain(address);
        assertThat(received).as("mail to " + address).hasSize(1);
        return received[0];
    }

    static String link(MimeMessage mail) throws Exception {
        Matcher m = Pattern.compile("(http://\\S+token=[A-Za-z0-9_-]{43})").matcher(text(mail));
        assertThat(m.find()).as(text(mail)).isTrue();
        return m.group(1);
    }

    /** The plain-text body (the text part of a multipart/alternative mail). */
    static String text(MimeMessage mail) throws Exception {
        return part(mail, "text/plain");
    }

    static String part(MimeMessage mail, String type) throws Exception {
        Object content = mail.getContent();
        if (!(content instanceof jakarta.mail.Multipart multipart)) {
            return mail.isMimeType(type) ? String.valueOf(content) : "";
        }
        return part(multipart, type);
    }

    private static String part(jakarta.mail.Multipart multipart, String type) throws Exception {
        for (int i = 0; i < multipart.getCount(); i++) {
            jakarta.mail.BodyPart body = multipart.getBodyPart(i);
            if (body.getContent() instanceof jakarta.mail.Multipart nested) {
                String found = part(nested, type);
                if (!found.isEmpty()) {
                    return found;
                }
            } else if (body.isMimeType(type)) {
                return String.valueOf(body.getContent());
            }
        }
        return "";
    }

    static String subject(MimeMessage mail) {
        try {
            return mail.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String csrf(HttpResponse<String> page) {
        return MfaSignInFlow.csrf(page);
    }

    static String token(HttpResponse<String> page) {
        Matcher m = TOKEN_INPUT.matcher(page.body());
        assertThat(m.find()).as(page.body()).isTrue();
        return m.group(1);
    }

    /** A page without its per-session CSRF token, for comparing two answers. */
    static String normalised(String body) {
        return CSRF_VALUE.matcher(body).replaceAll("name=\"_csrf\"");
    }
}
