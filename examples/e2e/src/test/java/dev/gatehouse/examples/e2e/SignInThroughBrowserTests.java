package dev.gatehouse.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.ReaderException;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The whole stack, as a person uses it: auth-server, the resource server example and the web client example
 * run as their own processes on free ports; real headless Chromium enrols TOTP for the demo user, then signs
 * in through the web client with password + TOTP, sees the ID token's claims ({@code amr} with {@code otp}),
 * reads a document through the API (permitted by RBAC), tries to delete a locked one (denied by ABAC) and to read
 * a classified one (vetoed by a real OPA server running the Rego policy).
 */
class SignInThroughBrowserTests {

    private static Launcher launcher;
    private static Launcher.AuthServer server;
    private static int authPort;
    private static int webPort;
    private static String demoPassword;
    private static WebDriver browser;

    @BeforeAll
    static void startEverything() throws Exception {
        launcher = new Launcher("gatehouse-e2e");
        int apiPort = Launcher.freePort();
        webPort = Launcher.freePort();
        server = launcher.startAuthServer("http://127.0.0.1:" + webPort);
        authPort = server.port();
        demoPassword = server.demoPassword();
        String issuer = server.issuer();

        // A real OPA server with the documents policy: the resource server asks it beside RBAC and ABAC.
        int opaPort = Launcher.freePort();
        launcher.startProcess(
                "opa",
                List.of(
                        Launcher.opaBinary().toString(),
                        "run",
                        "--server",
                        "--addr",
                        "127.0.0.1:" + opaPort,
                        Launcher.ROOT
                                .resolve("examples/resource-server/policy/documents.rego")
                                .toString()),
                Map.of());
        launcher.waitFor("http://127.0.0.1:" + opaPort + "/health");
        launcher.startJar(
                "resource-server",
                Map.of(),
                Launcher.ROOT.resolve("examples/resource-server/target/resource-server.jar"),
                "--server.port=" + apiPort,
                "--gatehouse.resource-server.issuer-uri=" + issuer,
                "--gatehouse.policy.rbac-file="
                        + Launcher.ROOT.resolve("examples/resource-server/policy/documents-rbac.yaml"),
                "--gatehouse.policy.abac-files="
                        + Launcher.ROOT.resolve("examples/resource-server/policy/documents-abac.yaml"),
                "--gatehouse.policy.opa-url=http://127.0.0.1:" + opaPort,
                "--gatehouse.policy.opa-document=documents/decision");
        // The client secret goes through the environment, not the command line (process listings).
        launcher.startJar(
                "web-client",
                Map.of("GATEHOUSE_CLIENT_SECRET", server.serviceSecret()),
                Launcher.ROOT.resolve("examples/web-client/target/web-client.jar"),
                "--server.port=" + webPort,
                "--gatehouse.issuer=" + issuer,
                "--gatehouse.api=http://localhost:" + apiPort);
        launcher.waitFor("http://127.0.0.1:" + webPort + "/");
        launcher.waitFor("http://localhost:" + apiPort + "/documents/d-1", 401);
        browser = launcher.chromium();
    }

    @AfterAll
    static void stopEverything() {
        if (launcher != null) {
            launcher.close();
        }
    }

    @Test
    void signInWithPasswordAndTotpThenApiPermitsReadAndPolicyDeniesDeletingALockedDocument() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        String auth = "http://localhost:" + authPort;

        // 1. The demo user enrols TOTP on auth-server's own pages.
        browser.get(auth + "/login");
        signIn(wait);
        browser.get(auth + "/mfa/enroll");
        // The page only offers to start (a GET changes nothing); the key is made by the CSRF-protected POST.
        wait.until(ExpectedConditions.elementToBeClickable(By.id("start-enrolment")))
                .click();
        String key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret")))
                .getText();
        // Scan the QR code as a phone would: from the pixels Chromium rendered, not from the page source.
        WebElement qr = browser.findElement(By.cssSelector("img[alt^='QR code']"));
        URI otpauth = URI.create(scan(qr.getScreenshotAs(OutputType.BYTES)));
        assertThat(otpauth.getScheme()).isEqualTo("otpauth");
        assertThat(otpauth.getHost()).isEqualTo("totp");
        String scanned = queryParameter(otpauth, "secret");
        assertThat(scanned).isEqualTo(key.replace(" ", "")); // the manual key is the same secret
        TotpSecret secret = TotpSecret.fromBase32(scanned);
        Totp totp = Totp.of(TotpParameters.defaults());
        browser.findElement(By.id("code")).sendKeys(totp.code(secret, Instant.now()));
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("recovery-codes")));

        // Sign out (a CSRF-protected POST); the old session is gone, so the next sign-in starts afresh.
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.urlContains("/login?logout"));
        assertThat(browser.findElement(By.cssSelector("[role=status]")).getText())
                .isEqualTo("You have signed out.");
        browser.get(auth + "/");
        wait.until(ExpectedConditions.urlContains("/login"));

        // 2. Through the web client: password, then TOTP. A wrong code gets no further than the TOTP step.
        browser.get("http://127.0.0.1:" + webPort + "/me");
        signIn(wait);
        wait.until(ExpectedConditions.urlContains("/mfa/totp"));
        browser.findElement(By.id("code")).sendKeys("000000");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("code")));
        assertThat(browser.getCurrentUrl()).contains("localhost:" + authPort).doesNotContain("/me");
        // The right code, for the next time step (the enrolment code's step is used up: replay protection).
        browser.findElement(By.id("code"))
                .sendKeys(totp.code(secret, Instant.now().plusSeconds(30)));
        browser.findElement(By.cssSelector("button[type=submit]")).click();

        // 3. Gatehouse's consent page: who asks, for what, where the browser returns, for whom. Allow.
        wait.until(ExpectedConditions.urlContains("/oauth2/consent"));
        assertThat(browser.getCurrentUrl()).contains("localhost:" + authPort);
        assertThat(browser.findElement(By.id("client")).getText()).isEqualTo("Gatehouse demo service");
        assertThat(browser.findElement(By.id("user")).getText()).isEqualTo("demo");
        assertThat(browser.findElement(By.id("redirect-host")).getText()).isEqualTo("127.0.0.1:" + webPort);
        assertThat(browser.findElement(By.cssSelector("input[name=scope][value='api.read']"))
                        .isSelected())
                .isTrue();
        assertThat(browser.findElements(By.cssSelector("input[name=scope][value='profile']")))
                .hasSize(1);
        browser.findElement(By.id("allow")).click();

        // Back at the web client, which redeemed the code: the ID token's claims.
        String claims = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("claims")))
                .getText();
        assertThat(claims).contains("sub demo").contains("otp").contains("pwd");

        // 4. The API: RBAC permits reading; ABAC denies deleting a locked document, even for an admin.
        browser.findElement(By.id("read")).click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("answer")))
                        .getText())
                .startsWith("200");
        browser.navigate().back();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("delete")))
                .click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("answer")))
                        .getText())
                .startsWith("403");

        // 5. OPA: RBAC and ABAC would permit reading d-4, but it is classified and the Rego policy vetoes it.
        browser.get("http://127.0.0.1:" + webPort + "/me");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("read-classified")))
                .click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("answer")))
                        .getText())
                .startsWith("403");
    }

    /** Decodes the QR code in a screenshot (ZXing, searching the whole image as a camera app would). */
    private static String scan(byte[] screenshot) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(screenshot));
            BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image)));
            return new QRCodeReader()
                    .decode(bitmap, Map.of(DecodeHintType.TRY_HARDER, Boolean.TRUE))
                    .getText();
        } catch (IOException | ReaderException e) {
            Path kept = Path.of("target/qr-not-scanned.png").toAbsolutePath();
            try {
                Files.write(kept, screenshot);
            } catch (IOException notKept) {
                e.addSuppressed(notKept);
            }
            throw new AssertionError("the enrolment page's QR code does not scan; the pixels are in " + kept, e);
        }
    }

    private static String queryParameter(URI uri, String name) {
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no " + name + " in the scanned otpauth URI");
    }

    private static void signIn(WebDriverWait wait) {
        try {
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        } catch (org.openqa.selenium.TimeoutException e) {
            String page = browser.getPageSource();
            throw new AssertionError(
                    "no sign-in form at " + browser.getCurrentUrl() + ": "
                            + page.substring(0, Math.min(800, page.length())),
                    e);
        }
        browser.findElement(By.id("username")).sendKeys("demo");
        browser.findElement(By.id("password")).sendKeys(demoPassword);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.not(ExpectedConditions.urlContains("/login")));
    }
}
