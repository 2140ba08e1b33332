package dev.gatehouse.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.FluentWait;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * OIDC Back-Channel Logout 1.0 end to end (issue #17): auth-server and the web client example as their own processes,
 * a person in real headless Chromium. The web client is Spring Security's own relying party ({@code
 * oidcLogout().backChannel(..)}, its {@code OidcBackChannelLogoutFilter} at {@code
 * /logout/connect/back-channel/gatehouse}), registered by the demo as {@code gatehouse-demo-service} with that
 * endpoint as its {@code backchannel_logout_uri} (§2.2), built from the web client's address the launcher gives the
 * server.
 *
 * <p>Each test signs {@code demo} in at the web client through Gatehouse, sees the web client's signed-in page (whose
 * ID token carries the {@code sid} the logout token will name, §2.4), ends the Gatehouse session, and then sees the
 * web client's session end without the browser going near the web client: its session cookie, sent outside the
 * browser, is answered with a redirect to sign in, and the browser, opening the signed-in page, is sent to Gatehouse's
 * sign-in page. Only a logout token the web client received and accepted (signature from the JWK Set, {@code iss},
 * {@code aud}, {@code events}, {@code sid}: §2.6) ends that session; nothing else in the web client ever does.
 *
 * <ul>
 *   <li>the user signs out at Gatehouse ({@code POST /logout} with its CSRF token, through the browser);
 *   <li>an operator ends the user's sessions ({@code DELETE /admin/users/demo/sessions} with an admin token).
 * </ul>
 *
 * <p>Delivery is asynchronous (an outbox and a worker, §2.7), so the end is waited for: the server's worker polls its
 * outbox every {@value #POLL} (set below; 2 s by default), and the test asks the web client again every 100 ms for at
 * most 30 s. With no token delivered, or one the web client refuses, the session lives on and the wait fails.
 */
class BackChannelLogoutThroughBrowserTests {

    private static final String POLL = "200ms";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Launcher launcher;
    private static Launcher.AuthServer server;
    private static String auth;
    private static String web;

    private ChromeDriver browser;

    @BeforeAll
    static void startEverything() throws Exception {
        launcher = new Launcher("gatehouse-bcl");
        int webPort = Launcher.freePort();
        web = "http://127.0.0.1:" + webPort;
        // The demo registers the web client's back-channel logout URI from this address (DemoBootstrap).
        server = launcher.startAuthServer(web, "--gatehouse.server.backchannel-logout.poll=" + POLL);
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
    void freshBrowser() {
        browser = launcher.chromium();
        browser.manage().timeouts().implicitlyWait(Duration.ZERO);
    }

    @AfterEach
    void quitBrowser() {
        browser.quit();
    }

    @Test
    void logoutWhenUserSignsOutAtGatehouseThenWebClientSessionEndsThroughLogoutToken() {
        String session = signInAtWebClient();

        // Gatehouse's sign-out page: a CSRF-protected form posting to /logout.
        browser.get(auth + "/logout");
        WebElement button = until(ExpectedConditions.elementToBeClickable(By.id("sign-out")));
        button.click();
        until(ExpectedConditions.urlContains("/login?logout"));

        assertWebClientSessionEnded(session);
    }

    @Test
    void revokeSessionsWhenOperatorEndsTheUsersSessionsThenWebClientSessionEndsThroughLogoutToken() {
        String session = signInAtWebClient();

        HttpResponse<String> revoked =
                Launcher.send(HttpRequest.newBuilder(URI.create(auth + "/admin/users/demo/sessions"))
                        .header("Authorization", "Bearer " + server.adminToken())
                        .DELETE()
                        .build());
        assertThat(revoked.statusCode())
                .withFailMessage(
                        "DELETE /admin/users/demo/sessions answered %s: %s", revoked.statusCode(), revoked.body())
                .isEqualTo(200);

        assertWebClientSessionEnded(session);
    }

    /**
     * Opens the web client's signed-in page, signs in at Gatehouse as {@code demo} with the password, allows the web
     * client if asked, and checks the page: the ID token is demo's and names a {@code sid}.
     *
     * @return the web client's session cookie
     */
    private String signInAtWebClient() {
        browser.get(web + "/me");
        until(ExpectedConditions.urlContains(auth + "/login"));
        until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys("demo");
        browser.findElement(By.id("password")).sendKeys(server.demoPassword());
        WebElement submit = browser.findElement(By.cssSelector("form[action='/login'] [type=submit]"));
        submit.click();
        until(ExpectedConditions.stalenessOf(submit));

        until(ExpectedConditions.or(
                ExpectedConditions.urlContains(auth + "/oauth2/consent"), ExpectedConditions.urlContains(web)));
        if (browser.getCurrentUrl().startsWith(auth)) {
            WebElement allow = until(ExpectedConditions.elementToBeClickable(By.id("allow")));
            allow.click();
            until(ExpectedConditions.stalenessOf(allow));
        }
        until(ExpectedConditions.visibilityOfElementLocated(By.id("claims")));
        Map<String, String> claims = new LinkedHashMap<>();
        for (WebElement row : browser.findElements(By.cssSelector("#claims tr"))) {
            claims.put(
                    row.findElement(By.tagName("th")).getText().strip(),
                    row.findElement(By.tagName("td")).getText().strip());
        }
        assertThat(claims).containsEntry("sub", "demo").containsEntry("iss", auth);
        // The web client's session registry keeps this sid; the logout token must name the same one (§2.4, §2.6).
        assertThat(claims.get("sid")).isNotBlank();

        Cookie cookie = browser.manage().getCookieNamed("JSESSIONID");
        assertThat(cookie)
                .withFailMessage("the web client set no session cookie")
                .isNotNull();
        String session = cookie.getValue();
        assertThat(webClientAnswer(session).statusCode())
                .withFailMessage("the web client's session does not show the signed-in page outside the browser")
                .isEqualTo(200);
        return session;
    }

    /**
     * Waits until the web client answers its signed-in page, for this session, with a redirect to sign in; then the
     * browser, opening that page, is sent to Gatehouse's sign-in page (no Gatehouse session either).
     */
    private void assertWebClientSessionEnded(String session) {
        try {
            new FluentWait<>(session)
                    .withTimeout(WAIT)
                    .pollingEvery(Duration.ofMillis(100))
                    .until(s -> webClientAnswer(s).statusCode() == 302);
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "the web client's session lived on for " + WAIT.toSeconds()
                            + " s after the Gatehouse session ended:"
                            + " no logout token received and accepted; see auth-server.log and web-client.log in "
                            + launcher.work(),
                    e);
        }
        HttpResponse<String> answer = webClientAnswer(session);
        assertThat(answer.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/oauth2/authorization/gatehouse"));

        browser.get(web + "/me");
        until(ExpectedConditions.urlContains(auth + "/login"));
        until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        assertThat(browser.findElements(By.id("claims"))).isEmpty();
    }

    /** The web client's signed-in page for this session cookie, asked outside the browser (redirects not followed). */
    private static HttpResponse<String> webClientAnswer(String session) {
        return Launcher.send(HttpRequest.newBuilder(URI.create(web + "/me"))
                .header("Cookie", "JSESSIONID=" + session)
                .GET()
                .build());
    }

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
}
