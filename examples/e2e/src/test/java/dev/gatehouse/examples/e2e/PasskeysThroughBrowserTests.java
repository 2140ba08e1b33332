package dev.gatehouse.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * Passkeys (issue #16) in real headless Chromium with a virtual authenticator (WebDriver's WebAuthn extension, W3C
 * WebAuthn Level 3 §11, through Selenium's {@code HasVirtualAuthenticator}: CTAP2, internal transport, resident keys,
 * user verification, presence given automatically), against auth-server and the web client example as their own
 * processes:
 *
 * <ol>
 *   <li>a passkey registered on {@code /account/passkeys} signs in alone ({@code #passkey-sign-in}) through the web
 *       client, whose ID token says {@code amr} {@code hwk} and {@code acr} {@code urn:gatehouse:acr:phr};
 *   <li>a passkey is the second factor after a password ({@code /mfa/passkey}, {@code #use-passkey});
 *   <li>a passkey removed on {@code /account/passkeys} is refused though the authenticator still offers it;
 *   <li>an authorization request asking for a phishing-resistant factor ({@code acr_values=urn:gatehouse:acr:phr})
 *       gets no code for a valid TOTP code, and gets one for the passkey;
 *   <li>the passkey offered in the username field's autofill (conditional mediation) signs in without a click;
 *   <li>the offer after a password sign-in ({@code /passkeys/offer}) adds a passkey, the sign-in goes on through the
 *       passkey step the user now owes to the web client, and the passkey then signs in alone.
 * </ol>
 *
 * <p>The server runs with the offer on ({@code gatehouse.server.passkeys.offer-after-sign-in}, off by default). It is
 * shown only at an authorization request of a password sign-in whose user has no passkey: the other tests' users add
 * their passkey on the account page, outside any authorization request, before any sign-in through the web client, so
 * they never meet it and one server serves them all.
 *
 * <p>Users other than {@code demo} are made for each test through the admin API (a client-credentials token of the
 * demo service client, which holds scope {@code admin}), so that no test depends on what another left behind.
 *
 * <p><b>Why this is stable where Spring Security's own {@code WebAuthnWebDriverTests} was not</b> (disabled as flaky,
 * spring-projects/spring-security#16753). That test waited at most 2 s for anything (a {@code FluentWait} that also
 * swallowed every {@code WebDriverException} and assertion error while it polled), mixed in a 1 s implicit wait, and
 * clicked the passkey button as soon as the URL looked right, before the page's script had wired it and while a
 * form post or a script-driven redirect was still on its way; it also drove the authenticator through raw DevTools
 * commands. Here:
 *
 * <ul>
 *   <li>no implicit wait (set to zero) and no sleep: every step waits explicitly, up to 30 s, for a condition that
 *       only the next state satisfies;
 *   <li>after every click that navigates (a form post, or a script that reloads or assigns {@code location}) the
 *       clicked element must go stale (the old document is gone) or the page must show its {@code role=alert} error,
 *       and the next action waits for an element of the new page; a URL check alone is never taken as the page
 *       being ready;
 *   <li>the passkey buttons are waited for until clickable: the pages serve them {@code hidden}, and only the
 *       script, once it has found WebAuthn support and wired its handler, shows them, so a click never lands before
 *       the handler;
 *   <li>a fresh browser profile (its own user-data directory) and a fresh virtual authenticator for each test,
 *       removed after it, and a fresh user where the test changes one, so no test sees another's credentials;
 *   <li>the sign-in page's passkey autofill, which the virtual environment answers at once and so would race every
 *       click and every typed password (and sign in again on the page shown after signing out), is off in every test,
 *       and on only for the one sign-in of the test about it, where nothing else is done on the page;
 *   <li>the authenticator is added through the standard WebDriver extension (Selenium's {@code
 *       HasVirtualAuthenticator}), not DevTools, so no DevTools version has to match the browser.
 * </ul>
 */
class PasskeysThroughBrowserTests {

    private static final String ACR_PHISHING_RESISTANT = "urn:gatehouse:acr:phr";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern SESSION_COOKIE = Pattern.compile("JSESSIONID=([^;]+)");
    private static final AtomicInteger USERS = new AtomicInteger();

    private static Launcher launcher;
    private static Launcher.AuthServer server;
    private static String auth;
    private static String web;

    private ChromeDriver browser;
    private @Nullable VirtualAuthenticator authenticator;

    /** A person: name and password, and once TOTP is set up, its secret and the unused recovery codes. */
    private static final class Account {
        final String username;
        final String password;

        @Nullable
        TotpSecret totp;

        final Deque<String> recoveryCodes = new ArrayDeque<>();

        Account(String username, String password) {
            this.username = username;
            this.password = password;
        }
    }

    @BeforeAll
    static void startEverything() throws Exception {
        launcher = new Launcher("gatehouse-passkeys");
        int webPort = Launcher.freePort();
        web = "http://127.0.0.1:" + webPort;
        // The issuer is http://localhost:<port>: a secure context for WebAuthn (W3C Secure Contexts §3.1), and the
        // relying party id localhost.
        server = launcher.startAuthServer(web, "--gatehouse.server.passkeys.offer-after-sign-in=true");
        auth = server.issuer();
        // The client secret goes through the environment, not the command line (process listings). No API behind it:
        // these tests read only the ID token the web client shows.
        launcher.startJar(
                "web-client",
                Map.of("GATEHOUSE_CLIENT_SECRET", server.serviceSecret()),
                Launcher.ROOT.resolve("examples/web-client/target/web-client.jar"),
                "--server.port=" + webPort,
                "--gatehouse.issuer=" + auth);
        launcher.waitFor(web + "/");
    }

    @AfterAll
    static void stopEverything() {
        if (launcher != null) {
            launcher.close();
        }
    }

    @BeforeEach
    void freshBrowserAndAuthenticator() {
        browser = launcher.chromium();
        browser.manage().timeouts().implicitlyWait(Duration.ZERO);
        authenticator = browser.addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
                .setHasResidentKey(true)
                .setHasUserVerification(true)
                .setIsUserVerified(true)
                // WebDriver's name for automatic presence simulation: the "touch" is given at once.
                .setIsUserConsenting(true));
    }

    @AfterEach
    void removeAuthenticatorAndBrowser() {
        try {
            if (authenticator != null) {
                browser.removeVirtualAuthenticator(authenticator);
                authenticator = null;
            }
        } finally {
            browser.quit();
        }
    }

    @Test
    void passkeyWhenRegisteredOnTheAccountPageThenSignsInAloneThroughTheWebClientWithHwkAndPhishingResistantAcr() {
        withoutPasskeyAutofill();
        Account demo = new Account("demo", server.demoPassword());
        signInWithPassword(demo);
        addPasskey(demo, "Demo's virtual authenticator", 1);
        // A discoverable credential, kept by the authenticator: what the sign-in below finds without a user name.
        assertThat(authenticator().getCredentials()).hasSize(1);
        assertThat(authenticator().getCredentials().get(0).isResidentCredential())
                .isTrue();
        signOut();

        browser.get(web + "/me");
        until(ExpectedConditions.urlContains(auth + "/login"));
        signInWithPasskeyOnly();
        Map<String, String> claims = claimsAfterConsent();
        assertThat(claims).containsEntry("sub", "demo");
        // RFC 8176 §2: hwk (proof of possession of a hardware-secured key); no password was typed.
        assertThat(values(claims.get("amr"))).contains("hwk").doesNotContain("pwd", "otp");
        assertThat(claims).containsEntry("acr", ACR_PHISHING_RESISTANT);
    }

    @Test
    void passkeyWhenUserHasOneThenIsTheSecondStepAfterThePassword() {
        withoutPasskeyAutofill();
        Account user = newUser("passkey-second");
        signInWithPassword(user);
        addPasskey(user, "Second step", 1);
        signOut();

        browser.get(web + "/me");
        until(ExpectedConditions.urlContains(auth + "/login"));
        typePassword(user);
        until(path("/mfa/passkey"));
        usePasskeyStep();
        Map<String, String> claims = claimsAfterConsent();
        assertThat(claims).containsEntry("sub", user.username);
        assertThat(values(claims.get("amr"))).contains("hwk", "pwd");
        assertThat(claims).containsEntry("acr", ACR_PHISHING_RESISTANT);
    }

    @Test
    void passkeyWhenRemovedOnTheAccountPageThenRefusedAndNobodySignedIn() {
        withoutPasskeyAutofill();
        Account user = newUser("passkey-removed");
        signInWithPassword(user);
        addPasskey(user, "Soon removed", 1);
        removeOnlyPasskey(user);
        signOut();
        // The authenticator still holds the credential and offers it: only the server can refuse it.
        assertThat(authenticator().getCredentials()).hasSize(1);

        browser.get(auth + "/login");
        WebElement button = until(ExpectedConditions.elementToBeClickable(By.id("passkey-sign-in")));
        clickUnlessGone(button);
        until(alertShown());
        assertThat(currentPath()).isEqualTo("/login");
        assertThat(alertText()).isNotBlank();

        // Nobody is signed in: the account sends the browser to sign in.
        browser.get(auth + "/account");
        until(path("/login"));
    }

    @Test
    void phishingResistantWhenAskedByTheRequestThenTotpGetsNoCodeAndThePasskeyDoes() throws Exception {
        withoutPasskeyAutofill();
        Account user = newUser("passkey-phr");
        signInWithPassword(user);
        enrolTotp(user);
        addPasskey(user, "Phishing-resistant", 1);
        signOut();

        // The web client's own authorization request (its state, nonce and PKCE challenge, kept in its session) with
        // acr_values added (OIDC Core §3.1.2.1), as a client asking for a phishing-resistant sign-in would send it.
        String authorize = webClientAuthorizationRequest() + "&acr_values="
                + URLEncoder.encode(ACR_PHISHING_RESISTANT, StandardCharsets.UTF_8);
        browser.get(authorize);
        until(ExpectedConditions.urlContains(auth + "/login"));
        typePassword(user);
        until(ExpectedConditions.not(path("/login")));
        assertThat(currentPath()).isIn("/mfa/passkey", "/mfa/totp");

        // A valid TOTP code (the next time step: enrolment used the current one) does not finish this sign-in.
        browser.get(auth + "/mfa/totp");
        until(ExpectedConditions.or(
                ExpectedConditions.visibilityOfElementLocated(By.id("code")),
                ExpectedConditions.visibilityOfElementLocated(By.id("use-passkey"))));
        if (!browser.findElements(By.id("code")).isEmpty()) {
            browser.findElement(By.id("code"))
                    .sendKeys(Totp.of(TotpParameters.defaults())
                            .code(totpOf(user), Instant.now().plusSeconds(30)));
            submit("/mfa/totp");
            until(ExpectedConditions.presenceOfElementLocated(By.tagName("main")));
        }
        assertThat(browser.getCurrentUrl())
                .withFailMessage(
                        "a TOTP code finished a sign-in that asked for a phishing-resistant factor: at %s",
                        browser.getCurrentUrl())
                .startsWith(auth)
                .doesNotContain("code=");
        assertThat(currentPath()).isNotEqualTo("/oauth2/consent");

        // The same request again (its state is still unused): the passkey finishes it.
        browser.get(authorize);
        until(path("/mfa/passkey"));
        usePasskeyStep();
        Map<String, String> claims = claimsAfterConsent();
        assertThat(claims).containsEntry("sub", user.username);
        assertThat(values(claims.get("amr"))).contains("hwk");
        assertThat(claims).containsEntry("acr", ACR_PHISHING_RESISTANT);
    }

    @Test
    void passkeyWhenOfferedInTheUsernameAutofillThenSignsInWithoutAClick() {
        Account user = newUser("passkey-autofill");
        // Off until the one sign-in this test is about: the page after signing out is the sign-in page too, whose
        // autofill would sign in again there, racing the next navigation.
        String autofillOff = withoutPasskeyAutofill();
        signInWithPassword(user);
        addPasskey(user, "Autofill", 1);
        signOut();
        browser.executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", autofillOff));

        // The sign-in page asks for a passkey through the username field's autofill (conditional mediation) as soon
        // as it loads; the virtual authenticator answers it with its credential, as a person picking the passkey from
        // the autofill list would. Nothing is clicked or typed.
        browser.get(web + "/me");
        Map<String, String> claims = claimsAfterConsent();
        assertThat(claims).containsEntry("sub", user.username);
        assertThat(values(claims.get("amr"))).contains("hwk").doesNotContain("pwd");
    }

    @Test
    void offerWhenAcceptedAfterAPasswordSignInThenPasskeyAddedSignInGoesOnToTheClientAndThePasskeyLaterSignsInAlone() {
        withoutPasskeyAutofill();
        Account user = newUser("passkey-offer");

        // A password sign-in through the web client: before the authorization response, the offer.
        browser.get(web + "/me");
        until(ExpectedConditions.urlContains(auth + "/login"));
        typePassword(user);
        until(path("/passkeys/offer"));
        until(ExpectedConditions.visibilityOfElementLocated(By.id("passkey-label")))
                .sendKeys("Offered after the password");
        WebElement add = until(ExpectedConditions.elementToBeClickable(By.id("add-passkey")));
        add.click();
        until(ExpectedConditions.or(gone(add), alertShown()));
        assertThat(isStale(add))
                .withFailMessage(() -> "adding the offered passkey was refused: " + alertText())
                .isTrue();
        assertThat(authenticator().getCredentials()).hasSize(1);
        assertThat(authenticator().getCredentials().get(0).isResidentCredential())
                .isTrue();
        // The page's reload: the new passkey is now owed as the second factor, then the sign-in goes on to the client.
        until(path("/mfa/passkey"));
        usePasskeyStep();
        Map<String, String> claims = claimsAfterConsent();
        assertThat(claims).containsEntry("sub", user.username);
        assertThat(values(claims.get("amr"))).contains("hwk", "pwd");
        assertThat(claims).containsEntry("acr", ACR_PHISHING_RESISTANT);

        // Signed out of the web client and of auth-server; the passkey alone signs in, and nothing is offered.
        WebElement webSignOut = browser.findElement(By.cssSelector("form[action='/logout'] button"));
        webSignOut.click();
        until(gone(webSignOut));
        signOut();
        browser.get(web + "/me");
        until(ExpectedConditions.urlContains(auth + "/login"));
        signInWithPasskeyOnly();
        Map<String, String> again = claimsAfterConsent();
        assertThat(again).containsEntry("sub", user.username);
        assertThat(values(again.get("amr"))).contains("hwk").doesNotContain("pwd");
        assertThat(again).containsEntry("acr", ACR_PHISHING_RESISTANT);
        assertThat(authenticator().getCredentials()).hasSize(1);
    }

    // --- steps a person takes -----------------------------------------------------------------------------------

    /**
     * Turns the sign-in page's passkey autofill off for this browser: WebDriver's virtual environment answers a
     * conditional (autofill) request at once with the authenticator's credential (W3C WebAuthn Level 3 §11 makes no
     * difference between conditional and modal requests), as if the person had picked the passkey from the username
     * field's list as soon as the page showed, so a password could never be typed and the button never clicked. The
     * page's script then sees a browser without autofill and offers the button only. {@link
     * #passkeyWhenOfferedInTheUsernameAutofillThenSignsInWithoutAClick} turns it on again for its sign-in.
     *
     * @return the identifier of the script that turns it off, for {@code Page.removeScriptToEvaluateOnNewDocument}
     */
    private String withoutPasskeyAutofill() {
        Map<String, Object> added = browser.executeCdpCommand(
                "Page.addScriptToEvaluateOnNewDocument",
                Map.of(
                        "source",
                        "if (window.PublicKeyCredential) { Object.defineProperty(PublicKeyCredential,"
                                + " 'isConditionalMediationAvailable', {value: () => Promise.resolve(false)}); }"));
        return String.valueOf(added.get("identifier"));
    }

    /** Signs in on auth-server's own sign-in page with the password, and waits until the browser has left it. */
    private void signInWithPassword(Account account) {
        browser.get(auth + "/login");
        typePassword(account);
        until(ExpectedConditions.not(path("/login")));
    }

    /** Types the user name and password into the sign-in page the browser shows, and posts them. */
    private void typePassword(Account account) {
        until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(account.username);
        browser.findElement(By.id("password")).sendKeys(account.password);
        submit("/login");
    }

    /**
     * On the sign-in page: the passkey button, nothing typed. The button appears only once the page's script has wired
     * it. Should the browser's passkey autofill (conditional mediation, started by the same script) have finished the
     * ceremony first, the page is already gone, which is the same sign-in.
     */
    private void signInWithPasskeyOnly() {
        WebElement button = until(ExpectedConditions.elementToBeClickable(By.id("passkey-sign-in")));
        clickUnlessGone(button);
        until(ExpectedConditions.or(gone(button), alertShown()));
        assertThat(isStale(button))
                .withFailMessage(() -> "the passkey sign-in was refused: " + alertText())
                .isTrue();
    }

    /** The passkey step after the password: {@code #use-passkey}, then the step is left. */
    private void usePasskeyStep() {
        WebElement button = until(ExpectedConditions.elementToBeClickable(By.id("use-passkey")));
        button.click();
        until(ExpectedConditions.or(gone(button), alertShown()));
        assertThat(isStale(button))
                .withFailMessage(() -> "the passkey step was refused: " + alertText())
                .isTrue();
        until(ExpectedConditions.not(path("/mfa/passkey")));
    }

    /**
     * Adds a passkey on {@code /account/passkeys} and waits for the page to list {@code count} of them. The page's
     * script reloads the page once the passkey is stored; a password-only session then owes the new passkey as its
     * second factor, so the reload may lead to the passkey step first, which is taken before the list is read. A sign-in
     * too old for a change is sent to confirm it afresh; then the passkey is added again.
     */
    private void addPasskey(Account account, String label, int count) {
        for (int attempt = 1; attempt <= 3; attempt++) {
            open(account, "/account/passkeys", By.id("add-passkey"));
            List<WebElement> listed = browser.findElements(By.cssSelector("li.passkey"));
            if (listed.size() == count) {
                // Added in the round before, whose reload led through the passkey step.
                assertThat(listed.get(count - 1).getText()).contains(label);
                return;
            }
            WebElement input = browser.findElement(By.id("passkey-label"));
            input.clear();
            input.sendKeys(label);
            WebElement button = browser.findElement(By.id("add-passkey"));
            button.click();
            until(ExpectedConditions.or(gone(button), alertShown()));
            assertThat(isStale(button))
                    .withFailMessage(() -> "adding a passkey was refused: " + alertText())
                    .isTrue();
            until(ExpectedConditions.presenceOfElementLocated(By.tagName("main")));
            if (currentPath().equals("/account/passkeys")) {
                until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("li.passkey"), count));
                assertThat(browser.findElements(By.cssSelector("li.passkey"))
                                .get(count - 1)
                                .getText())
                        .contains(label);
                return;
            }
            if (currentPath().equals("/account/confirm")) {
                // The sign-in was too old for a change: confirmed here, then the passkey is added again.
                confirm(account);
            } else if (currentPath().equals("/mfa/passkey")) {
                // The passkey just added, owed now as the second factor; the list is read on the next round.
                usePasskeyStep();
            }
        }
        throw new AssertionError("the passkey was not added after 3 attempts; at " + browser.getCurrentUrl());
    }

    /** Removes the one passkey listed on {@code /account/passkeys} (confirming the sign-in afresh if asked). */
    private void removeOnlyPasskey(Account account) {
        for (int attempt = 1; attempt <= 3; attempt++) {
            open(account, "/account/passkeys", By.cssSelector("li.passkey"));
            assertThat(browser.findElements(By.cssSelector("li.passkey"))).hasSize(1);
            assertThat(browser.findElement(By.cssSelector("li.passkey")).getAttribute("data-id"))
                    .isNotBlank();
            WebElement remove = browser.findElement(By.cssSelector("li.passkey .remove-passkey"));
            remove.click();
            until(gone(remove));
            until(ExpectedConditions.presenceOfElementLocated(By.tagName("main")));
            if (currentPath().equals("/account/passkeys")) {
                until(ExpectedConditions.visibilityOfElementLocated(By.id("removed")));
                assertThat(browser.findElements(By.cssSelector("li.passkey"))).isEmpty();
                return;
            }
            if (currentPath().equals("/account/confirm")) {
                confirm(account);
            }
        }
        throw new AssertionError("the passkey was not removed after 3 attempts; at " + browser.getCurrentUrl());
    }

    /** TOTP from {@code /mfa/enroll}: the key read from the page, the first code confirming it, the recovery codes kept. */
    private void enrolTotp(Account account) {
        browser.get(auth + "/mfa/enroll");
        until(ExpectedConditions.elementToBeClickable(By.id("start-enrolment"))).click();
        TotpSecret secret = TotpSecret.fromBase32(until(ExpectedConditions.visibilityOfElementLocated(By.id("secret")))
                .getText()
                .replace(" ", ""));
        browser.findElement(By.id("code"))
                .sendKeys(Totp.of(TotpParameters.defaults()).code(secret, Instant.now()));
        submit("/mfa/enroll");
        until(ExpectedConditions.visibilityOfElementLocated(By.id("recovery-codes")));
        account.totp = secret;
        browser.findElements(By.cssSelector("#recovery-codes code"))
                .forEach(code -> account.recoveryCodes.add(code.getText().strip()));
        assertThat(account.recoveryCodes).isNotEmpty();
    }

    /**
     * Opens an account page and waits for {@code ready} on it. Where the server puts a step in between (confirming the
     * sign-in afresh at {@code /account/confirm}, or the passkey step a user with a passkey owes), the step is taken
     * and the page opened again.
     */
    private void open(Account account, String path, By ready) {
        for (int attempt = 1; attempt <= 3; attempt++) {
            browser.get(auth + path);
            until(ExpectedConditions.or(
                    ExpectedConditions.presenceOfElementLocated(ready),
                    path("/account/confirm"),
                    path("/mfa/passkey"),
                    path("/mfa/totp")));
            if (currentPath().equals(path) && !browser.findElements(ready).isEmpty()) {
                return;
            }
            if (currentPath().equals("/account/confirm")) {
                confirm(account);
            } else if (currentPath().equals("/mfa/passkey")) {
                usePasskeyStep();
            } else if (currentPath().equals("/mfa/totp")) {
                // A recovery code, not a TOTP code: the time steps stay unused for the sign-ins the tests make.
                browser.get(auth + "/mfa/recovery");
                until(ExpectedConditions.visibilityOfElementLocated(By.id("code")))
                        .sendKeys(recoveryCode(account));
                submit("/mfa/recovery");
            }
        }
        throw new AssertionError(path + " did not open after 3 attempts; at " + browser.getCurrentUrl());
    }

    /**
     * The fresh confirmation the account asks before a change: the password, and for a user with TOTP a recovery code
     * (not a TOTP code: those time steps stay unused for the sign-ins the tests make).
     */
    private void confirm(Account account) {
        until(ExpectedConditions.visibilityOfElementLocated(By.id("password"))).sendKeys(account.password);
        if (!browser.findElements(By.id("recovery_code")).isEmpty()) {
            browser.findElement(By.id("recovery_code")).sendKeys(recoveryCode(account));
        }
        WebElement button = browser.findElement(By.id("confirm"));
        button.click();
        until(gone(button));
        until(ExpectedConditions.not(path("/account/confirm")));
    }

    /** Signs out on auth-server ({@code /logout}'s CSRF-protected form). */
    private void signOut() {
        browser.get(auth + "/logout");
        WebElement button = until(ExpectedConditions.elementToBeClickable(By.id("sign-out")));
        button.click();
        until(ExpectedConditions.urlContains("/login?logout"));
    }

    /** Allows the web client on the consent page if asked, and returns the ID token's claims the web client shows. */
    private Map<String, String> claimsAfterConsent() {
        until(ExpectedConditions.or(path("/oauth2/consent"), ExpectedConditions.urlContains(web)));
        if (browser.getCurrentUrl().startsWith(auth)) {
            WebElement allow = until(ExpectedConditions.elementToBeClickable(By.id("allow")));
            allow.click();
            until(gone(allow));
            until(ExpectedConditions.urlContains(web));
        }
        // The callback redeems the code and then redirects (to /me, or / when the web client saved no request): wait
        // for that page, so that no navigation below cuts the redemption short.
        until(ExpectedConditions.or(
                ExpectedConditions.visibilityOfElementLocated(By.id("claims")),
                ExpectedConditions.presenceOfElementLocated(By.cssSelector("a[href='/me']"))));
        if (browser.findElements(By.id("claims")).isEmpty()) {
            browser.get(web + "/me");
        }
        until(ExpectedConditions.visibilityOfElementLocated(By.id("claims")));
        Map<String, String> claims = new LinkedHashMap<>();
        for (WebElement row : browser.findElements(By.cssSelector("#claims tr"))) {
            claims.put(
                    row.findElement(By.tagName("th")).getText().strip(),
                    row.findElement(By.tagName("td")).getText().strip());
        }
        return claims;
    }

    // --- outside the browser --------------------------------------------------------------------------------------

    /** A new user through the admin API (role {@code user}, no factor yet). */
    private static Account newUser(String prefix) {
        Account account = new Account(prefix + "-" + USERS.incrementAndGet(), "passkey e2e " + UUID.randomUUID());
        HttpResponse<String> created = Launcher.send(HttpRequest.newBuilder(URI.create(auth + "/admin/users"))
                .header("Authorization", "Bearer " + server.adminToken())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"" + account.username + "\",\"password\":\"" + account.password + "\"}"))
                .build());
        assertThat(created.statusCode())
                .withFailMessage("POST /admin/users answered %s: %s", created.statusCode(), created.body())
                .isEqualTo(201);
        return account;
    }

    /**
     * Starts the web client's sign-in outside the browser, then gives its session cookie to the browser: the
     * authorization request it redirects to (with its state, nonce and PKCE challenge) can then be extended and
     * followed by the browser, and the web client still redeems the code.
     */
    private String webClientAuthorizationRequest() {
        HttpResponse<String> start =
                Launcher.send(HttpRequest.newBuilder(URI.create(web + "/oauth2/authorization/gatehouse"))
                        .GET()
                        .build());
        assertThat(start.statusCode()).isEqualTo(302);
        String location = start.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(auth + "/oauth2/authorize?");
        String session = start.headers().allValues("Set-Cookie").stream()
                .map(SESSION_COOKIE::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the web client set no session cookie"));
        browser.get(web + "/");
        until(ExpectedConditions.presenceOfElementLocated(By.tagName("body")));
        browser.manage()
                .addCookie(new Cookie.Builder("JSESSIONID", session)
                        .path("/")
                        .isHttpOnly(true)
                        .build());
        return location;
    }

    // --- waiting ------------------------------------------------------------------------------------------------

    /** Waits up to 30 s for {@code condition}; on a timeout, says where the browser is and what its page says. */
    private <T> T until(ExpectedCondition<T> condition) {
        try {
            return new WebDriverWait(browser, WAIT)
                    .ignoring(StaleElementReferenceException.class)
                    .until(condition);
        } catch (TimeoutException e) {
            List<WebElement> main = browser.findElements(By.tagName("main"));
            String page = main.isEmpty() ? browser.getPageSource() : main.get(0).getText();
            throw new AssertionError(
                    "at " + browser.getCurrentUrl() + ", page: " + page.substring(0, Math.min(1500, page.length())), e);
        }
    }

    /** Submits the page's form to {@code action} and waits until the browser has left the page. */
    private void submit(String action) {
        WebElement button = browser.findElement(By.cssSelector("form[action='" + action + "'] [type=submit]"));
        button.click();
        until(gone(button));
    }

    /** The browser is at {@code path} on auth-server (whatever the query). */
    private static ExpectedCondition<Boolean> path(String path) {
        return new ExpectedCondition<>() {
            @Override
            public Boolean apply(org.openqa.selenium.WebDriver driver) {
                String url = driver.getCurrentUrl();
                return url != null
                        && url.startsWith(auth)
                        && URI.create(url).getPath().equals(path);
            }

            @Override
            public String toString() {
                return "the browser at " + path;
            }
        };
    }

    /** Some {@code role=alert} element of the page is shown (the passkey scripts' errors). */
    private static ExpectedCondition<Boolean> alertShown() {
        return new ExpectedCondition<>() {
            @Override
            public Boolean apply(org.openqa.selenium.WebDriver driver) {
                try {
                    return driver.findElements(By.cssSelector("[role=alert]")).stream()
                            .anyMatch(WebElement::isDisplayed);
                } catch (StaleElementReferenceException e) {
                    return false;
                } catch (WebDriverException e) {
                    // Found in the document a script-driven navigation is replacing: no alert on the next page yet.
                    if (replaced(e)) {
                        return false;
                    }
                    throw e;
                }
            }

            @Override
            public String toString() {
                return "an error shown (role=alert)";
            }
        };
    }

    private String alertText() {
        return String.join(
                " / ",
                browser.findElements(By.cssSelector("[role=alert]")).stream()
                        .filter(WebElement::isDisplayed)
                        .map(WebElement::getText)
                        .toList());
    }

    private String currentPath() {
        return URI.create(browser.getCurrentUrl()).getPath();
    }

    /** Clicks a button whose page may already be gone (the passkey autofill finished first). */
    private static void clickUnlessGone(WebElement button) {
        try {
            button.click();
        } catch (StaleElementReferenceException gone) {
            // The page navigated before the click: what the click would have started has happened.
        }
    }

    private static boolean isStale(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (StaleElementReferenceException e) {
            return true;
        } catch (WebDriverException e) {
            if (replaced(e)) {
                return true;
            }
            throw e;
        }
    }

    /** ChromeDriver's word for an element of a document being replaced (a script-driven navigation under way). */
    private static boolean replaced(WebDriverException e) {
        return String.valueOf(e.getMessage()).contains("does not belong to the document");
    }

    /**
     * The element's document is gone: the browser has left the page (a form post's answer, or a script's reload or
     * {@code location.assign}).
     */
    private static ExpectedCondition<Boolean> gone(WebElement element) {
        return new ExpectedCondition<>() {
            @Override
            public Boolean apply(org.openqa.selenium.WebDriver driver) {
                return isStale(element);
            }

            @Override
            public String toString() {
                return "the page left";
            }
        };
    }

    private VirtualAuthenticator authenticator() {
        assertThat(authenticator).isNotNull();
        return authenticator;
    }

    private static String recoveryCode(Account account) {
        String code = account.recoveryCodes.poll();
        assertThat(code)
                .withFailMessage("a code is asked for and no recovery code is left")
                .isNotNull();
        return code;
    }

    private static TotpSecret totpOf(Account account) {
        assertThat(account.totp).isNotNull();
        return account.totp;
    }

    /** A claim the web client shows as a list ({@code [hwk, user, mfa]}), as its values. */
    private static List<String> values(@Nullable String shown) {
        assertThat(shown).withFailMessage("no such claim in the ID token").isNotNull();
        String inner = shown.strip().replaceAll("^\\[|]$", "");
        return Arrays.stream(inner.split(",")).map(String::strip).toList();
    }
}
