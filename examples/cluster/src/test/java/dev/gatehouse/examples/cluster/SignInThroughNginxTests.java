package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A person signing in through nginx in headless Chromium, with no sticky sessions: password, TOTP enrolment and a
 * sign-in with password + TOTP + consent, each step answered by whichever node nginx picks (asserted from the node
 * header nginx logs for each request), then refresh-token rotation and reuse detection across nodes. Needs the
 * browser sign-in state shared by all nodes (issue 14, Spring Session JDBC).
 */
@ExtendWith(SharedCluster.class)
@Order(10)
class SignInThroughNginxTests {

    private static final Pattern NODE = Pattern.compile(" \"(\\S+) (\\S+) [^\"]*\" (\\d+) .* node=(\\S+) ");

    private static Cluster cluster;
    private static SharedCluster.Demo demo;
    private static WebDriver browser;

    private static HttpServer client;

    @BeforeAll
    static void cluster(Cluster shared, SharedCluster.Demo credentials) throws Exception {
        cluster = shared;
        demo = credentials;
        // The client's redirect URI answers, so the browser's address stays on it (with the code).
        client = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), SharedCluster.CALLBACK_PORT), 0);
        client.createContext(SharedCluster.Demo.CALLBACK_PATH, exchange -> {
            byte[] page = "<!doctype html><title>callback</title><p id=\"callback\">received</p>"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (var out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        client.start();
        browser = HeadlessChromium.start(Files.createTempDirectory(cluster.work(), "chromium-"));
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (client != null) {
            client.stop(0);
        }
    }

    @Test
    void signInWhenEveryStepLandsOnAnotherNodeThenPasswordTotpAndConsentSucceedAndRefreshRotatesAcrossNodes()
            throws Exception {
        String username =
                "browser-" + Admin.random(6).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "x");
        String password = Admin.on(cluster.issuer(), demo).createUser(username);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        String issuer = cluster.issuer();
        long logStart = Files.size(cluster.nginxAccessLog());

        // 1. Enrol TOTP on the server's own pages, through nginx.
        browser.get(issuer + "/login");
        signIn(wait, username, password);
        browser.get(issuer + "/mfa/enroll");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("start-enrolment")))
                .click();
        String key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret")))
                .getText();
        TotpSecret secret = TotpSecret.fromBase32(key.replace(" ", ""));
        Totp totp = Totp.of(TotpParameters.defaults());
        browser.findElement(By.id("code")).sendKeys(totp.code(secret, Instant.now()));
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("recovery-codes")));
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.urlContains("/login?logout"));

        // 2. The demo service client's authorization request: password, TOTP (next time step), consent.
        Http.Pkce pkce = Http.Pkce.create();
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", SharedCluster.Demo.SERVICE);
        q.put("redirect_uri", demo.redirect());
        q.put("scope", "openid api.read");
        q.put("state", "browser-1");
        q.put("nonce", "n-browser-1");
        q.put("code_challenge", pkce.challenge());
        q.put("code_challenge_method", "S256");
        browser.get(issuer + "/oauth2/authorize?" + Http.encode(q));
        signIn(wait, username, password);
        wait.until(ExpectedConditions.urlContains("/mfa/totp"));
        browser.findElement(By.id("code"))
                .sendKeys(totp.code(secret, Instant.now().plusSeconds(30)));
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("/oauth2/consent"));
        assertThat(browser.findElement(By.id("user")).getText()).isEqualTo(username);
        browser.findElement(By.id("allow")).click();
        // The redirect reaches the client's redirect URI (here a bare listener standing in for the web client).
        wait.until(ExpectedConditions.urlContains(demo.redirect()));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("callback")));
        Map<String, String> redirect = Http.query(browser.getCurrentUrl());
        assertThat(redirect).containsEntry("state", "browser-1").containsKey("code");

        // Consecutive browser requests were answered by different nodes (nginx logs each answer's node header).
        List<String> steps = browserSteps(logStart);
        assertThat(steps).as("the sign-in's requests through nginx").hasSizeGreaterThan(6);
        assertThat(steps.stream().map(s -> s.substring(s.lastIndexOf(' ') + 1)).distinct())
                .as("nodes that answered: %s", steps)
                .hasSizeGreaterThanOrEqualTo(2);

        // 3. The tokens: code redeemed through nginx, amr pwd + otp; then rotation on node 2, reuse on node 3.
        HttpResponse<String> exchanged = Flows.exchange(new Http(issuer), redirect.get("code"), pkce, demo);
        assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);
        Map<String, Object> tokens = Http.json(exchanged);
        assertThat(SignedJWT.parse((String) tokens.get("id_token"))
                        .getJWTClaimsSet()
                        .getStringListClaim("amr"))
                .contains("pwd", "otp");
        String rt1 = (String) tokens.get("refresh_token");
        HttpResponse<String> rotation =
                Flows.refresh(new Http(cluster.node(2).url()), SharedCluster.Demo.SERVICE, demo.serviceSecret(), rt1);
        assertThat(Flows.outcome(rotation)).isEqualTo("200");
        Map<String, Object> rotated = Http.json(rotation);
        assertThat(Flows.outcome(Flows.refresh(
                        new Http(cluster.node(3).url()), SharedCluster.Demo.SERVICE, demo.serviceSecret(), rt1)))
                .isEqualTo("400 invalid_grant");
        assertThat(Flows.introspect(
                        cluster.node(1).url(),
                        (String) rotated.get("access_token"),
                        SharedCluster.Demo.SERVICE,
                        demo.serviceSecret()))
                .containsEntry("active", false);
    }

    private static void signIn(WebDriverWait wait, String username, String password) {
        try {
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        } catch (org.openqa.selenium.TimeoutException e) {
            String page = browser.getPageSource();
            throw new AssertionError(
                    "no sign-in form at " + browser.getCurrentUrl() + ": "
                            + page.substring(0, Math.min(800, page.length())),
                    e);
        }
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.not(ExpectedConditions.urlContains("/login")));
    }

    /** The sign-in pages' requests nginx logged since {@code offset}: "METHOD path status node". */
    private static List<String> browserSteps(long offset) throws Exception {
        byte[] all = Files.readAllBytes(cluster.nginxAccessLog());
        String since =
                new String(all, (int) offset, all.length - (int) offset, java.nio.charset.StandardCharsets.UTF_8);
        List<String> steps = new ArrayList<>();
        for (String line : since.lines().toList()) {
            Matcher m = NODE.matcher(line);
            if (m.find()
                    && !m.group(2).startsWith("/oauth2/token")
                    && !m.group(2).startsWith("/admin")
                    && !m.group(2).startsWith("/favicon")) {
                steps.add(m.group(1) + " " + URI.create(m.group(2)).getPath() + " " + m.group(3) + " " + m.group(4));
            }
        }
        return steps;
    }
}
