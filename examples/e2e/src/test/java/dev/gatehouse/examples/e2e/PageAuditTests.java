package dev.gatehouse.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * Every page a person meets on auth-server, audited in real headless Chromium: at 390 px (a phone) and 1280 px wide,
 * light and dark ({@code prefers-color-scheme} emulated), a full-page screenshot written to
 * {@code target/page-screenshots/<page>-<width>-<scheme>.png} and an axe-core run (WCAG 2.0, 2.1 and 2.2 A/AA rules)
 * with no serious or critical violation; at 320 px and 390 px no horizontal scrolling; the stylesheet loaded; a
 * visible focus on every element Tab reaches. Pages reached by a GET are audited in German and French too.
 *
 * <p>The pages are reached as a person reaches them (one auth-server for the whole class): sign-in, a refused
 * password, an expired form, TOTP enrolment, sign-out, the TOTP and recovery-code steps, consent, the device flow, the
 * error pages, the account pages and their actions, the e-mail flows with the links read from the development outbox,
 * the passkey pages (the offer after a password sign-in; a virtual authenticator adds and uses a passkey).
 * Pages reached by a plain GET are listed in {@link #SIGNED_IN_PAGES}, {@link #ACCOUNT_PAGES}, the e-mail lists and
 * {@link #SIGNED_OUT_PAGES}: one line per page. Every problem of every page is collected and reported together, so
 * one run shows the whole audit.
 */
class PageAuditTests {

    /** axe-core's rule tags for WCAG 2.0, 2.1 and 2.2, levels A and AA. */
    private static final List<String> WCAG_TAGS = List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa");

    private static final List<String> FAILING_IMPACTS = List.of("serious", "critical");

    /** Widths of the screenshots and the axe runs: a phone and a desktop. */
    private static final List<Integer> WIDTHS = List.of(390, 1280);

    /** The narrowest width WCAG 1.4.10 (reflow) asks for: checked for horizontal scrolling only. */
    private static final int NARROWEST = 320;

    /** Widths up to this are emulated as a phone (the page's {@code <meta name=viewport>} applies). */
    private static final int PHONE = 600;

    private static final List<String> SCHEMES = List.of("light", "dark");

    /** The pages reached by a GET are also audited in these languages, at a phone's width. */
    private static final List<String> OTHER_LANGUAGES = List.of("de", "fr");

    /**
     * Pages reached by a GET once signed in with password and TOTP, audited after the journey: one line per page.
     * Each must answer the given status at the given path (no redirect elsewhere).
     */
    private static final List<Page> SIGNED_IN_PAGES = List.of(
            new Page("home", "/", 200),
            new Page("enrolment-done", "/mfa/enroll", 200),
            new Page("consent-invalid", "/oauth2/consent", 400),
            new Page("device-approved", "/oauth2/device_verification?outcome=success", 200),
            new Page("device-code-refused", "/oauth2/device_verification?outcome=error", 200),
            new Page("error-not-found", "/no-such-page", 404),
            new Page("sign-out", "/logout", 200));

    /** The account pages, signed in: one line per page. */
    private static final List<Page> ACCOUNT_PAGES = List.of(
            new Page("account", "/account", 200),
            new Page("account-password", "/account/password", 200),
            new Page("account-two-step", "/account/two-step", 200),
            new Page("account-passkeys", "/account/passkeys", 200),
            new Page("account-sessions", "/account/sessions", 200),
            new Page("account-applications", "/account/applications", 200));

    /** The e-mail flows' pages reached by a GET: signed in, then signed out. */
    private static final List<Page> EMAIL_SIGNED_IN_PAGES = List.of(new Page("email-change", "/account/email", 200));

    private static final List<Page> EMAIL_SIGNED_OUT_PAGES =
            List.of(new Page("mail-link-invalid", "/password/reset?token=not-a-token", 410));

    /** Pages reached by a GET without a session (cookies cleared), audited last: one line per page. */
    private static final List<Page> SIGNED_OUT_PAGES = List.of(new Page("sign-in-fresh", "/login", 200));

    /**
     * The offer to add a passkey after a password sign-in, reached by a GET only while a sign-in is being offered one:
     * audited when the journey's sign-in through an application's request meets it.
     */
    private static final Page PASSKEY_OFFER = new Page("passkey-offer", "/passkeys/offer", 200);

    /**
     * The e-mail flows and the passkey offer, off by default, on here (in dev mode the mails go to the outbox in the
     * data directory). The offer is shown once per password sign-in, and only at an authorization request of a user
     * without a passkey: in this journey, once, to {@code demo} before the consent page.
     */
    private static final List<String> SERVER_PROPERTIES = List.of(
            "--gatehouse.server.mail.registration-enabled=true",
            "--gatehouse.server.mail.password-reset-enabled=true",
            "--gatehouse.server.mail.email-change-enabled=true",
            "--gatehouse.server.passkeys.offer-after-sign-in=true");

    private static final Path AXE = Launcher.ROOT.resolve("examples/e2e/axe/node_modules/axe-core/axe.min.js");
    private static final Path SCREENSHOTS = Path.of("target/page-screenshots").toAbsolutePath();
    private static final Pattern USER_CODE = Pattern.compile("\"user_code\"\\s*:\\s*\"([^\"]+)\"");

    private static Launcher launcher;
    private static Launcher.AuthServer server;
    private static ChromeDriver browser;
    private static String axeSource;
    private static String webClientUrl;
    private static final Findings findings = new Findings();
    private static final List<String> audited = new ArrayList<>();
    private static int focusChecked;

    /** A page reached by a GET. */
    private record Page(String name, String path, int status) {}

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isRegularFile(AXE)) {
            throw new IllegalStateException(AXE + " is missing: run bin/setup.d/node-axe.sh (bin/test does), which"
                    + " installs axe-core as examples/e2e/axe/package-lock.json pins it");
        }
        axeSource = Files.readString(AXE);
        Files.createDirectories(SCREENSHOTS);
        launcher = new Launcher("gatehouse-page-audit");
        // Nothing listens at the web client's address: the consent page is audited, never answered with a redirect.
        webClientUrl = "http://127.0.0.1:" + Launcher.freePort();
        server = launcher.startAuthServer(webClientUrl, SERVER_PROPERTIES.toArray(String[]::new));
        browser = launcher.chromium();
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (launcher != null) {
            launcher.close();
        }
    }

    @Test
    void pagesWhenAuditedAtEveryWidthAndSchemeThenNoSeriousViolationsNoHorizontalScrollAndStyled() throws Exception {
        long started = System.nanoTime();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        String auth = server.issuer();

        // Sign-in, then a refused password.
        browser.get(auth + "/login");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        audit("sign-in");
        fillSignIn("not-the-password");
        wait.until(ExpectedConditions.urlContains("/login?error"));
        audit("sign-in-error");
        // A form whose CSRF token no longer holds (a page left open past its session): the expired-form page.
        browser.executeScript("document.querySelector('input[name=_csrf]').value = 'expired';");
        fillSignIn(server.demoPassword());
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("password")));
        audit("error-form-expired");
        browser.get(auth + "/login");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        fillSignIn(server.demoPassword());
        wait.until(ExpectedConditions.not(ExpectedConditions.urlContains("/login")));
        audit("home-without-mfa");

        // TOTP enrolment: start, the QR code and key, the recovery codes.
        browser.get(auth + "/mfa/enroll");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("start-enrolment")));
        audit("enrolment-start");
        browser.findElement(By.id("start-enrolment")).click();
        String key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret")))
                .getText()
                .replace(" ", "");
        audit("enrolment-qr");
        TotpSecret secret = TotpSecret.fromBase32(key);
        Totp totp = Totp.of(TotpParameters.defaults());
        browser.findElement(By.id("code")).sendKeys(totp.code(secret, Instant.now()));
        browser.findElement(By.cssSelector("form[action='/mfa/enroll'] [type=submit]"))
                .click();
        String recoveryCode = wait.until(
                        ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#recovery-codes code")))
                .getText();
        audit("recovery-codes");

        // Signed out; an application's authorization request asks for the second step: TOTP (a refused code), then
        // a recovery code instead; then consent (left unanswered: the redirect URI has no server behind it).
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.urlContains("/login?logout"));
        audit("sign-in-after-logout");
        browser.get(authorizeUrl());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        fillSignIn(server.demoPassword());
        wait.until(ExpectedConditions.urlContains("/mfa/totp"));
        audit("totp");
        browser.findElement(By.id("code")).sendKeys("000000");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("error"));
        audit("totp-error");
        browser.findElement(By.cssSelector("a[href='/mfa/recovery']")).click();
        wait.until(ExpectedConditions.urlContains("/mfa/recovery"));
        audit("recovery-code");
        browser.findElement(By.id("code")).sendKeys(recoveryCode);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        // Every factor owed, no passkey yet: the offer to add one comes before the consent page; "Not now" goes on.
        wait.until(ExpectedConditions.urlContains("/passkeys/offer"));
        wait.until(ExpectedConditions.elementToBeClickable(By.id("add-passkey")));
        visit(PASSKEY_OFFER);
        WebElement later = browser.findElement(By.id("offer-later"));
        later.click();
        wait.until(ExpectedConditions.stalenessOf(later));
        wait.until(ExpectedConditions.urlContains("/oauth2/consent"));
        audit("consent");

        // An OAuth flow's error: an unknown client.
        browser.get(auth + "/oauth2/authorize?response_type=code&client_id=no-such-client&scope=openid");
        audit("error-oauth");

        // The device flow: the device asks for a code, the person types it, consents, and is told it worked.
        String userCode = deviceUserCode();
        browser.get(auth + "/oauth2/device_verification");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("user_code")));
        audit("device-code-entry");
        browser.findElement(By.id("user_code")).sendKeys(userCode);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("/oauth2/consent"));
        audit("device-consent");
        browser.findElement(By.id("allow")).click();
        wait.until(ExpectedConditions.urlContains("outcome=success"));

        for (Page page : SIGNED_IN_PAGES) {
            visit(page);
        }
        ACCOUNT_PAGES.forEach(PageAuditTests::visit);
        accountActions(wait, secret, totp);
        EMAIL_SIGNED_IN_PAGES.forEach(PageAuditTests::visit);
        browser.manage().deleteAllCookies();
        for (Page page : SIGNED_OUT_PAGES) {
            visit(page);
        }
        EMAIL_SIGNED_OUT_PAGES.forEach(PageAuditTests::visit);
        emailFlows(wait);
        passkeyPages(wait, "page-audit@example.test", "another long pass phrase for the audit 2");

        System.out.printf(
                "page audit: %d pages (%s) x %s px x %s, focus of %d elements, in %d s; screenshots in %s%n",
                audited.size(),
                String.join(", ", audited),
                WIDTHS,
                SCHEMES,
                focusChecked,
                Duration.ofNanos(System.nanoTime() - started).toSeconds(),
                SCREENSHOTS);
        assertThat(findings.problems())
                .withFailMessage(() -> findings.problems().size() + " problems in the page audit (serious and critical"
                        + " axe-core violations, sideways scrolling, the stylesheet), each with where it was seen:\n"
                        + String.join("\n", findings.problems()))
                .isEmpty();
    }

    /**
     * The account pages that act: the password form refused, the fresh confirmation an authenticator change asks for,
     * a new authenticator key, new recovery codes.
     */
    private static void accountActions(WebDriverWait wait, TotpSecret secret, Totp totp) {
        String auth = server.issuer();
        browser.get(auth + "/account/password");
        browser.findElement(By.id("change-password")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("main [role=alert]")));
        audit("account-password-refused");
        // Confirmed first, so that the changes below go through however long ago the sign-in was.
        browser.get(auth + "/account/confirm?next=/account/two-step");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("password")));
        audit("account-confirm");
        browser.findElement(By.id("password")).sendKeys(server.demoPassword());
        // The code of the next step: the enrolment above consumed the current one, and a step once used is refused
        // as a replay (RFC 6238 §5.2); the window of one step accepts the next.
        browser.findElement(By.id("code"))
                .sendKeys(totp.code(secret, Instant.now().plusSeconds(30)));
        browser.findElement(By.id("confirm")).click();
        wait.until(ExpectedConditions.urlContains("/account/two-step"));
        browser.findElement(By.id("replace")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-replacement")));
        audit("account-replace");
        browser.get(auth + "/account/two-step");
        browser.findElement(By.id("regenerate")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("done")));
        audit("account-recovery-codes");
    }

    /**
     * The e-mail flows, signed out, as a person goes through them: registration (refused, then accepted), the mailed
     * verification link and its confirmation, the forgotten-password form, the mailed reset link and the new password.
     */
    private static void emailFlows(WebDriverWait wait) throws IOException {
        String auth = server.issuer();
        String address = "page-audit@example.test";
        browser.get(auth + "/register");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("email")));
        audit("register");
        submit("/register");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("main [role=alert]")));
        audit("register-refused");
        browser.findElement(By.id("email")).clear();
        browser.findElement(By.id("email")).sendKeys(address);
        browser.findElement(By.id("password")).sendKeys("a long pass phrase for the page audit 1");
        browser.findElement(By.id("confirmation")).sendKeys("a long pass phrase for the page audit 1");
        submit("/register");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirmation")));
        audit("register-sent");
        browser.get(mailedLink("/register/verify"));
        audit("register-verify");
        submit("/register/verify");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.name("token")));
        audit("register-verified");

        browser.get(auth + "/password/forgot");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("email")));
        audit("forgot-password");
        browser.findElement(By.id("email")).sendKeys(address);
        submit("/password/forgot");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("email")));
        audit("forgot-password-sent");
        browser.get(mailedLink("/password/reset"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("password")));
        audit("reset-password");
        browser.findElement(By.id("password")).sendKeys("another long pass phrase for the audit 2");
        browser.findElement(By.id("confirmation")).sendKeys("another long pass phrase for the audit 2");
        submit("/password/reset");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirmation")));
        audit("reset-password-done");
    }

    /**
     * The passkey pages (issue #16), with a virtual authenticator (WebDriver's WebAuthn extension): an application's
     * request asking for a phishing-resistant factor ({@code acr_values}) of the user the e-mail flows registered (a
     * password, no other factor) leads after the password to the page that adds a passkey in the middle of the
     * sign-in; once one is added, to the passkey step; once that is used, the account's list shows the passkey.
     */
    private static void passkeyPages(WebDriverWait wait, String address, String password)
            throws NoSuchAlgorithmException {
        VirtualAuthenticator authenticator = browser.addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
                .setHasResidentKey(true)
                .setHasUserVerification(true)
                .setIsUserVerified(true)
                .setIsUserConsenting(true));
        try {
            browser.get(authorizeUrl() + "&acr_values=" + encode("urn:gatehouse:acr:phr"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                    .sendKeys(address);
            browser.findElement(By.id("password")).sendKeys(password);
            submit("/login");
            wait.until(ExpectedConditions.urlContains("/mfa/passkey/register"));
            wait.until(ExpectedConditions.elementToBeClickable(By.id("add-passkey")));
            audit("passkey-register");
            browser.findElement(By.id("passkey-label")).sendKeys("Page audit");
            WebElement add = browser.findElement(By.id("add-passkey"));
            add.click();
            wait.until(ExpectedConditions.stalenessOf(add));
            WebElement use = wait.until(ExpectedConditions.elementToBeClickable(By.id("use-passkey")));
            audit("passkey-step");
            use.click();
            wait.until(ExpectedConditions.stalenessOf(use));
            wait.until(ExpectedConditions.not(ExpectedConditions.urlContains("/mfa/passkey")));
            browser.get(server.issuer() + "/account/passkeys");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("li.passkey")));
            audit("account-passkeys-listed");
        } finally {
            browser.removeVirtualAuthenticator(authenticator);
        }
    }

    /**
     * Submits the page's form to {@code action} and waits until the browser has left the page: every post answers with
     * a new document (or a redirect to one), so the clicked button goes stale. A wait for a hidden field to become
     * invisible would be true at once, and the next step would race the post.
     */
    private static void submit(String action) {
        WebElement button = browser.findElement(By.cssSelector("main form[action='" + action + "'] [type=submit]"));
        button.click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.stalenessOf(button));
    }

    /** The newest link to {@code path} in the development outbox's mails (quoted-printable undone). */
    private static String mailedLink(String path) throws IOException {
        Pattern link = Pattern.compile(Pattern.quote(server.issuer() + path) + "\\?token=[A-Za-z0-9_.~-]+");
        List<Path> mails;
        try (var files = Files.list(launcher.work().resolve("data/outbox"))) {
            mails = files.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path mail : mails) {
            String text = Files.readString(mail).replaceAll("=\\r?\\n", "").replace("=3D", "=");
            Matcher m = link.matcher(text);
            if (m.find()) {
                return m.group();
            }
        }
        throw new AssertionError("no mail in the outbox has a link to " + path);
    }

    /** Opens a listed page, checks it answered where and how it should, and audits it. */
    private static void visit(Page page) {
        String url = server.issuer() + page.path();
        browser.get(url);
        Object status = browser.executeScript(
                "const n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : 0;");
        String path = URI.create(browser.getCurrentUrl()).getRawPath();
        if (!path.equals(URI.create(url).getRawPath())) {
            findings.add(page.name(), "", page.path() + " ended at " + browser.getCurrentUrl());
            return;
        }
        if (((Number) status).intValue() != page.status()) {
            findings.add(page.name(), "", page.path() + " answered " + status + ", not " + page.status());
        }
        audit(page.name());
        for (String language : OTHER_LANGUAGES) {
            language(language);
            browser.get(url);
            auditIn(page.name() + "-" + language, language);
        }
        language("en");
    }

    /**
     * The page in another language, at a phone's width and light: in that language, no sideways scrolling (longer
     * words), axe-core, a screenshot.
     */
    private static void auditIn(String name, String language) {
        audited.add(name);
        Object lang = browser.executeScript("return document.documentElement.lang;");
        if (!String.valueOf(lang).startsWith(language)) {
            findings.add(name, "", "the page is not in " + language + " (lang=\"" + lang + "\")");
        }
        browser.executeScript(axeSource);
        for (int width : List.of(NARROWEST, WIDTHS.get(0))) {
            viewport(width);
            horizontalScroll(name, width);
        }
        screenshot(name + "-" + WIDTHS.get(0) + "-light");
        axe(name, WIDTHS.get(0) + " light");
        browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }

    /** The browser's Accept-Language (the pages choose their language from it when no ui_locales was given). */
    private static void language(String language) {
        String userAgent = (String) browser.executeScript("return navigator.userAgent;");
        browser.executeCdpCommand(
                "Network.setUserAgentOverride", Map.of("userAgent", userAgent, "acceptLanguage", language));
    }

    /**
     * Audits the page the browser shows: for each scheme and width, the screenshot and axe-core; at phone widths and
     * 320 px, horizontal scrolling; once, the stylesheet.
     */
    private static void audit(String name) {
        audited.add(name);
        if (!Boolean.TRUE.equals(browser.executeScript("return typeof window.axe === 'object';"))) {
            // Through the driver (DevTools' Runtime), not a <script> element: the page's CSP (script-src 'none')
            // does not apply to it, and the page under audit stays as served.
            browser.executeScript(axeSource);
        }
        String stylesheet = (String) browser.executeScript("""
                const link = document.querySelector('link[rel=stylesheet][href$="/assets/gatehouse.css"]');
                if (!link) return 'no <link rel=stylesheet href=/assets/gatehouse.css>';
                if (!link.sheet || link.sheet.cssRules.length === 0) return '/assets/gatehouse.css did not load';
                const root = getComputedStyle(document.documentElement), body = getComputedStyle(document.body);
                if (root.colorScheme === 'normal' && body.marginTop === '8px'
                    && body.backgroundColor === 'rgba(0, 0, 0, 0)') return 'computed style is the browser default';
                return '';
                """);
        if (!stylesheet.isEmpty()) {
            findings.add(name, "", stylesheet);
        }
        emulate("light");
        viewport(NARROWEST);
        horizontalScroll(name, NARROWEST);
        for (String scheme : SCHEMES) {
            emulate(scheme);
            for (int width : WIDTHS) {
                viewport(width);
                if (width <= PHONE && scheme.equals("light")) {
                    horizontalScroll(name, width);
                }
                screenshot(name + "-" + width + "-" + scheme);
                axe(name, width + " " + scheme);
            }
        }
        focusVisible(name);
        browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        emulate("light");
    }

    /**
     * WCAG 2.4.7: every element the keyboard reaches (Tab, as a person presses it, so {@code :focus-visible} applies)
     * looks different when focused: its outline, shadow, border, background or underline changes.
     */
    private static void focusVisible(String name) {
        browser.executeScript("""
                const look = e => { const c = getComputedStyle(e); return [c.outlineStyle, c.outlineWidth, c.outlineColor,
                  c.boxShadow, c.borderColor, c.backgroundColor, c.color, c.textDecorationLine].join('|'); };
                window.__gatehouseUnfocused = new Map();
                if (document.activeElement) document.activeElement.blur();
                document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')
                  .forEach(e => window.__gatehouseUnfocused.set(e, look(e)));
                window.__gatehouseLook = look;
                """);
        List<Object> seen = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            new Actions(browser).sendKeys(Keys.TAB).perform();
            List<?> focused = (List<?>) browser.executeScript("""
                    const e = document.activeElement;
                    if (!e || e === document.body) return null;
                    const id = e.id ? '#' + e.id : e.tagName.toLowerCase() + (e.name ? '[name=' + e.name + ']' : '')
                      + (e.getAttribute('href') ? '[href="' + e.getAttribute('href') + '"]' : '');
                    const before = window.__gatehouseUnfocused.get(e);
                    return [e, id, before === undefined || before !== window.__gatehouseLook(e)];
                    """);
            if (focused == null || seen.contains(focused.get(0))) {
                return; // past the last element, or round again
            }
            seen.add(focused.get(0));
            focusChecked++;
            if (!Boolean.TRUE.equals(focused.get(2))) {
                findings.add(name, "", "no visible focus on " + focused.get(1) + " (WCAG 2.4.7)");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void axe(String name, String where) {
        Object result = browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
                  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    helpUrl: v.helpUrl, targets: v.nodes.map(n => n.target.join(' '))}))))
                  .catch(e => done('axe-core failed: ' + e));
                """, WCAG_TAGS);
        if (result instanceof String failure) {
            findings.add(name, where, failure);
            return;
        }
        for (Map<String, Object> violation : (List<Map<String, Object>>) result) {
            String what = violation.get("id") + " (" + violation.get("impact") + ") " + violation.get("help") + " at "
                    + violation.get("targets") + " - " + violation.get("helpUrl");
            if (FAILING_IMPACTS.contains(String.valueOf(violation.get("impact")))) {
                findings.add(name, where, what);
            } else {
                System.out.println("page audit, below serious: " + name + " at " + where + ": " + what);
            }
        }
    }

    /** WCAG 1.4.10: no horizontal scrolling, and the page lays out at the phone's width (its viewport meta). */
    private static void horizontalScroll(String name, int width) {
        List<?> sizes =
                (List<?>) browser.executeScript("return [document.documentElement.scrollWidth, window.innerWidth];");
        long scrollWidth = ((Number) sizes.get(0)).longValue();
        long innerWidth = ((Number) sizes.get(1)).longValue();
        if (innerWidth != width) {
            findings.add(
                    name,
                    String.valueOf(width),
                    "laid out wider than the phone (no <meta name=viewport content=\"width=device-width\">?)");
        } else if (scrollWidth > innerWidth) {
            findings.add(name, String.valueOf(width), "scrolls sideways (content wider than the viewport)");
        }
    }

    private static void viewport(int width) {
        browser.executeCdpCommand(
                "Emulation.setDeviceMetricsOverride",
                Map.of(
                        "width",
                        width,
                        "height",
                        width <= PHONE ? 844 : 800,
                        "deviceScaleFactor",
                        1,
                        "mobile",
                        width <= PHONE));
    }

    private static void emulate(String scheme) {
        browser.executeCdpCommand(
                "Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    /** The whole page, not only the viewport: a phone's page is longer than its screen. */
    private static void screenshot(String name) {
        Map<String, Object> metrics = browser.executeCdpCommand("Page.getLayoutMetrics", Map.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> content = (Map<String, Object>) metrics.get("cssContentSize");
        Map<String, Object> shot = browser.executeCdpCommand(
                "Page.captureScreenshot",
                Map.of(
                        "format",
                        "png",
                        "captureBeyondViewport",
                        true,
                        "clip",
                        Map.of(
                                "x", 0,
                                "y", 0,
                                "width", ((Number) content.get("width")).doubleValue(),
                                "height", ((Number) content.get("height")).doubleValue(),
                                "scale", 1)));
        try {
            Files.write(SCREENSHOTS.resolve(name + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the screenshot " + name, e);
        }
    }

    private static void fillSignIn(String password) {
        browser.findElement(By.id("username")).sendKeys("demo");
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
    }

    /** An authorization request of the demo service client, with PKCE (it requires it), asking for consent. */
    private static String authorizeUrl() throws NoSuchAlgorithmException {
        String verifier = "page-audit-verifier-0123456789-0123456789-0123456789";
        String challenge = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        return server.issuer() + "/oauth2/authorize?response_type=code&client_id=gatehouse-demo-service"
                + "&scope=" + encode("openid profile api.read") + "&state=page-audit"
                + "&redirect_uri=" + encode(webClientUrl + "/login/oauth2/code/gatehouse")
                + "&code_challenge=" + challenge + "&code_challenge_method=S256";
    }

    /** RFC 8628 §3.1-3.2: the device's request, authenticated as the demo service client. */
    private static String deviceUserCode() throws IOException, InterruptedException {
        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.issuer() + "/oauth2/device_authorization"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString(
                                                                ("gatehouse-demo-service:" + server.serviceSecret())
                                                                        .getBytes(StandardCharsets.UTF_8)))
                                .POST(HttpRequest.BodyPublishers.ofString("scope=" + encode("profile api.read")))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        Matcher m = USER_CODE.matcher(answer.body());
        if (answer.statusCode() != 200 || !m.find()) {
            throw new AssertionError("device authorization answered " + answer.statusCode() + ": " + answer.body());
        }
        return m.group(1);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Problems grouped by page and what was wrong, each with the widths and schemes where it was seen. */
    private static final class Findings {

        private final Map<String, Set<String>> seen = new LinkedHashMap<>();

        void add(String page, String where, String what) {
            seen.computeIfAbsent(page + ": " + what, k -> new LinkedHashSet<>()).add(where);
        }

        List<String> problems() {
            List<String> lines = new ArrayList<>();
            seen.forEach((what, where) -> {
                where.remove("");
                lines.add(where.isEmpty() ? what : what + " [" + String.join(", ", where) + "]");
            });
            return lines;
        }
    }
}
