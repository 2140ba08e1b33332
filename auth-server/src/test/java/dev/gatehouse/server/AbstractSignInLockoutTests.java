package dev.gatehouse.server;

import static dev.gatehouse.server.MfaSignInFlow.csrf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.users.JdbcUserStore;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

/**
 * Sign-in over time, end to end over real HTTP with a clock the tests move forward. Attempt limits set through
 * {@code gatehouse.server.throttle.*}: the progressive delay, the lockout after the configured failures (which refuses even
 * the right password or code), and its release once the lockout has run, for passwords and for TOTP codes (the
 * counters are in the database). And {@code max_age}: a sign-in counts as made for a request only for minutes.
 * Subclasses choose the database.
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
            "gatehouse.server.rate-limit.enabled=false",
            "gatehouse.server.throttle.free-attempts=2",
            "gatehouse.server.throttle.base-delay=1s",
            "gatehouse.server.throttle.max-delay=2s",
            "gatehouse.server.throttle.lockout-threshold=4",
            "gatehouse.server.throttle.lockout-duration=10m",
            "gatehouse.server.throttle.address-free-attempts=50",
            "gatehouse.server.throttle.address-lockout-threshold=100"
        })
@Import(AbstractSignInLockoutTests.TestClock.class)
abstract class AbstractSignInLockoutTests {

    static final String PASSWORD = "correct horse battery 9";
    static final Duration PAST_ANY_DELAY = Duration.ofSeconds(3);
    static final Totp TOTP = Totp.of(TotpParameters.defaults());

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
    Clock injected;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    @Autowired
    TotpService totp;

    String base;

    @BeforeEach
    void setUp() {
        base = "http://localhost:" + port;
        assertThat(injected).isSameAs(clock); // the server's limiters, TOTP and sign-in all read this clock
    }

    @Test
    void passwordWhenFreeAttemptsSpentThenRightPasswordWaitsForTheDelay() {
        String name = newUser();
        for (int i = 0; i < 3; i++) { // two free failures, then one that starts a 1 s delay
            assertRefused(login(name, "wrong password " + i));
        }
        assertRefused(login(name, PASSWORD)); // within the delay: refused without checking the password
        clock.advance(PAST_ANY_DELAY);
        assertSignedIn(login(name, PASSWORD));
    }

    @Test
    void passwordWhenFailuresReachLockoutThresholdThenLockedUntilLockoutDurationHasRun() {
        String name = newUser();
        for (int i = 0; i < 4; i++) {
            assertRefused(login(name, "wrong password " + i));
            clock.advance(PAST_ANY_DELAY); // every failure counts: none was refused for a delay
        }
        assertRefused(login(name, PASSWORD)); // locked: the right password does not help
        clock.advance(Duration.ofMinutes(9));
        assertRefused(login(name, PASSWORD)); // still inside the 10 minute lockout
        clock.advance(Duration.ofMinutes(1).plusSeconds(5));
        assertSignedIn(login(name, PASSWORD)); // released
        // Another account from the same address was never affected by this one's lockout.
    }

    @Test
    void totpWhenWrongCodesReachLockoutThresholdThenRightCodeRefusedUntilReleased() {
        String name = newUser();
        TotpSecret key = TotpSecret.fromBase32(totp.enrol(name, name).secretBase32());
        assertThat(totp.confirm(name, TOTP.code(key, clock.instant())).accepted())
                .isTrue();
        clock.advance(Duration.ofSeconds(30)); // the confirming code's time step is used up
        HttpBrowser browser = new HttpBrowser(base);
        assertSignedIn(browser.login(name, PASSWORD));
        for (int i = 0; i < 4; i++) {
            assertThat(postTotp(browser, wrongCode(key))).endsWith("/mfa/totp?error");
            clock.advance(PAST_ANY_DELAY);
        }
        clock.advance(Duration.ofSeconds(30));
        assertThat(postTotp(browser, TOTP.code(key, clock.instant()))).endsWith("/mfa/totp?error");
        clock.advance(Duration.ofMinutes(10).plusSeconds(5));
        assertThat(postTotp(browser, TOTP.code(key, clock.instant())))
                .doesNotContain("/mfa/totp")
                .doesNotContain("error");
    }

    @Test
    void lockoutWhenOneAccountLockedThenAnotherAccountFromSameAddressStillSignsIn() {
        String locked = newUser();
        for (int i = 0; i < 4; i++) {
            assertRefused(login(locked, "wrong password " + i));
            clock.advance(PAST_ANY_DELAY);
        }
        assertRefused(login(locked, PASSWORD));
        assertSignedIn(login(newUser(), PASSWORD));
    }

    @Test
    void maxAgeWhenSignInForThisRequestIsOlderThanFreshWindowThenSignInAgain() {
        String name = newUser();
        String authorize = base + "/oauth2/authorize?"
                + HttpBrowser.encode(Map.of(
                        "response_type", "code",
                        "client_id", "gatehouse-demo-spa",
                        "redirect_uri", "http://127.0.0.1:5173/callback",
                        "scope", "openid",
                        "state", "m1",
                        "max_age", "60",
                        "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                        "code_challenge_method", "S256"));
        HttpBrowser browser = new HttpBrowser(base);
        assertThat(browser.get(authorize).headers().firstValue("Location").orElseThrow())
                .endsWith("/login");
        assertSignedIn(browser.login(name, PASSWORD)); // signed in for this request, which is not resumed yet
        // Eleven minutes on, the same request: that sign-in is far older than max_age and no longer counts as
        // made for this request, so the user signs in again rather than getting a code.
        clock.advance(Duration.ofMinutes(11));
        assertThat(browser.get(authorize).headers().firstValue("Location").orElseThrow())
                .endsWith("/login");
    }

    String newUser() {
        String name = "lock-" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        return name;
    }

    HttpResponse<String> login(String name, String password) {
        return new HttpBrowser(base).login(name, password);
    }

    String postTotp(HttpBrowser browser, String code) {
        HttpResponse<String> page = browser.get("/mfa/totp");
        assertThat(page.statusCode()).isEqualTo(200);
        return browser.postForm("/mfa/totp", Map.of("code", code, "_csrf", csrf(page)))
                .headers()
                .firstValue("Location")
                .orElseThrow();
    }

    /** A six-digit code that is none of the codes accepted around now (the window is one step either side). */
    String wrongCode(TotpSecret key) {
        List<String> valid = List.of(
                TOTP.code(key, clock.instant().minusSeconds(30)),
                TOTP.code(key, clock.instant()),
                TOTP.code(key, clock.instant().plusSeconds(30)));
        for (int candidate = 0; ; candidate++) {
            String code = String.format("%06d", candidate);
            if (!valid.contains(code)) {
                return code;
            }
        }
    }

    static void assertRefused(HttpResponse<String> login) {
        assertThat(login.headers().firstValue("Location").orElseThrow()).endsWith("/login?error");
    }

    static void assertSignedIn(HttpResponse<String> login) {
        assertThat(login.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
    }
}
