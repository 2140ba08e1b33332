package dev.gatehouse.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Issue #15's whole journey in real headless Chromium, its mails going through a real SMTP server (GreenMail, started
 * here; the server's {@code gatehouse.server.mail.delivery=smtp}, so not the development outbox): registration with
 * an e-mail address and a password, the verification mail and its link, sign-in, TOTP enrolment from the account's
 * two-step page, a password change, sign-out, the forgotten-password mail and its reset link, a new password, and
 * sign-in with it and TOTP to the account page. The previous passwords are refused, and the used reset link is
 * refused when opened again. Every mail goes to the registered address, with its subject, and every link in it is
 * absolute on the configured issuer.
 */
class JourneyThroughBrowserTests {

    private static final Duration MAIL_WAIT = Duration.ofSeconds(30);
    private static final String ADDRESS = "traveller@example.test";
    private static final String REGISTERED_PASSWORD = "a journey begins with one pass phrase";
    private static final String CHANGED_PASSWORD = "the journey changed its pass phrase twice";
    private static final String RESET_PASSWORD = "after the reset the journey signs in again";
    private static final Pattern ANY_LINK = Pattern.compile("https?://[^\\s\"'<>]+");

    private static Launcher launcher;
    private static Launcher.AuthServer server;
    private static GreenMail smtp;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        launcher = new Launcher("gatehouse-journey");
        // Nothing listens at the web client's address: this journey stays on auth-server's own pages.
        server = launcher.startAuthServer(
                "http://127.0.0.1:" + Launcher.freePort(),
                "--gatehouse.server.mail.registration-enabled=true",
                "--gatehouse.server.mail.password-reset-enabled=true",
                // Dev mode (the Launcher's) would write mails to the outbox; this class sends them by SMTP.
                "--gatehouse.server.mail.delivery=smtp",
                "--spring.mail.host=127.0.0.1",
                "--spring.mail.port=" + smtp.getSmtp().getPort());
        browser = launcher.chromium();
    }

    @AfterAll
    static void stop() {
        if (launcher != null) {
            launcher.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    @Test
    void journeyWhenRegisteredVerifiedEnrolledChangedAndResetThenSignsInWithTheNewPasswordAndTotpOnly()
            throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        String auth = server.issuer();

        // 1. Registration: an address and a password; the account waits for its address to be verified.
        browser.get(auth + "/register");
        until(wait, ExpectedConditions.visibilityOfElementLocated(By.id("email")))
                .sendKeys(ADDRESS);
        browser.findElement(By.id("password")).sendKeys(REGISTERED_PASSWORD);
        browser.findElement(By.id("confirmation")).sendKeys(REGISTERED_PASSWORD);
        submit("/register");
        until(wait, ExpectedConditions.invisibilityOfElementLocated(By.id("confirmation")));

        // 2. The verification mail, through SMTP; its link opens a page whose button verifies the address.
        MimeMessage verification = mail(1, "Confirm your e-mail address");
        browser.get(link(verification, "/register/verify"));
        until(wait, ExpectedConditions.presenceOfElementLocated(By.name("token")));
        submit("/register/verify");
        assertThat(browser.findElements(By.name("token"))).isEmpty();
        assertThat(navigationStatus()).isEqualTo(200);

        // 3. Sign-in with the address and the password (no second factor yet).
        signIn(wait, REGISTERED_PASSWORD);
        until(wait, ExpectedConditions.not(ExpectedConditions.urlContains("/login")));

        // 4. TOTP from the account's two-step page: the key read from the page, the first code confirming it.
        browser.get(auth + "/account/two-step");
        until(wait, ExpectedConditions.elementToBeClickable(By.id("setup"))).click();
        until(wait, ExpectedConditions.elementToBeClickable(By.id("start-enrolment")))
                .click();
        TotpSecret secret =
                TotpSecret.fromBase32(until(wait, ExpectedConditions.visibilityOfElementLocated(By.id("secret")))
                        .getText()
                        .replace(" ", ""));
        Totp totp = Totp.of(TotpParameters.defaults());
        browser.findElement(By.id("code")).sendKeys(totp.code(secret, Instant.now()));
        submit("/mfa/enroll");
        until(wait, ExpectedConditions.visibilityOfElementLocated(By.id("recovery-codes")));
        browser.get(auth + "/account/two-step");
        until(wait, ExpectedConditions.visibilityOfElementLocated(By.id("replace")));

        // 5. A new password on /account/password, the current one required.
        browser.get(auth + "/account/password");
        until(wait, ExpectedConditions.visibilityOfElementLocated(By.id("current_password")))
                .sendKeys(REGISTERED_PASSWORD);
        browser.findElement(By.id("new_password")).sendKeys(CHANGED_PASSWORD);
        browser.findElement(By.id("confirm_password")).sendKeys(CHANGED_PASSWORD);
        click(By.id("change-password"));
        until(wait, ExpectedConditions.visibilityOfElementLocated(By.id("changed")));

        // 6. Sign-out.
        browser.get(auth + "/");
        until(wait, ExpectedConditions.elementToBeClickable(By.id("sign-out"))).click();
        until(wait, ExpectedConditions.urlContains("/login?logout"));

        // 7. Forgotten password, from the sign-in page's link; the reset mail and its link; a new password.
        until(wait, ExpectedConditions.elementToBeClickable(By.id("forgot-password")))
                .click();
        until(wait, ExpectedConditions.visibilityOfElementLocated(By.id("email")))
                .sendKeys(ADDRESS);
        submit("/password/forgot");
        until(wait, ExpectedConditions.invisibilityOfElementLocated(By.id("email")));
        MimeMessage reset = mail(2, "Choose a new password");
        String resetLink = link(reset, "/password/reset");
        browser.get(resetLink);
        until(wait, ExpectedConditions.visibilityOfElementLocated(By.id("password")))
                .sendKeys(RESET_PASSWORD);
        browser.findElement(By.id("confirmation")).sendKeys(RESET_PASSWORD);
        submit("/password/reset");
        until(wait, ExpectedConditions.invisibilityOfElementLocated(By.id("confirmation")));

        // 8. The used link is refused when opened again: no form, 410 Gone.
        browser.get(resetLink);
        until(wait, ExpectedConditions.presenceOfElementLocated(By.tagName("main")));
        assertThat(navigationStatus()).isEqualTo(410);
        assertThat(browser.findElements(By.id("password"))).isEmpty();

        // 9. Both earlier passwords are refused.
        for (String old : List.of(REGISTERED_PASSWORD, CHANGED_PASSWORD)) {
            signIn(wait, old);
            until(wait, ExpectedConditions.urlContains("/login?error"));
        }

        // 10. The new password, then the account asks for the second factor: a TOTP code (the next time step: the
        // enrolment's is used up). Then /account.
        signIn(wait, RESET_PASSWORD);
        until(wait, ExpectedConditions.not(ExpectedConditions.urlContains("/login")));
        browser.get(auth + "/account");
        until(wait, ExpectedConditions.urlContains("/mfa/totp"));
        until(wait, ExpectedConditions.visibilityOfElementLocated(By.id("code")))
                .sendKeys(totp.code(secret, Instant.now().plusSeconds(30)));
        submit("/mfa/totp");
        until(wait, ExpectedConditions.not(ExpectedConditions.urlContains("/mfa/totp")));
        browser.get(auth + "/account");
        until(wait, ExpectedConditions.presenceOfElementLocated(By.tagName("main")));
        assertThat(URI.create(browser.getCurrentUrl()).getPath()).isEqualTo("/account");
        assertThat(navigationStatus()).isEqualTo(200);
        assertThat(browser.findElement(By.tagName("main")).getText()).contains(ADDRESS);

        // Every mail went through SMTP, none to the development outbox.
        assertThat(smtp.getReceivedMessages()).hasSize(2);
        Path outbox = launcher.work().resolve("data/outbox");
        if (Files.isDirectory(outbox)) {
            try (Stream<Path> files = Files.list(outbox)) {
                assertThat(files).isEmpty();
            }
        }
    }

    /** Waits for {@code condition}; on a timeout, says where the browser is and what its page says. */
    private static <T> T until(WebDriverWait wait, ExpectedCondition<T> condition) {
        try {
            return wait.until(condition);
        } catch (TimeoutException e) {
            List<WebElement> main = browser.findElements(By.tagName("main"));
            throw new AssertionError(
                    "at " + browser.getCurrentUrl() + ", page: "
                            + (main.isEmpty()
                                    ? browser.getPageSource()
                                    : main.get(0).getText()),
                    e);
        }
    }

    /** Opens the sign-in page afresh and submits the address with {@code password}. */
    private static void signIn(WebDriverWait wait, String password) {
        browser.get(server.issuer() + "/login");
        until(wait, ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys(ADDRESS);
        browser.findElement(By.id("password")).sendKeys(password);
        submit("/login");
    }

    /** Submits the page's form to {@code action} and waits until the browser has left the page. */
    private static void submit(String action) {
        click(By.cssSelector("main form[action='" + action + "'] [type=submit]"));
    }

    /** Clicks a button or link and waits until the browser has left the page. */
    private static void click(By what) {
        WebElement element = browser.findElement(what);
        element.click();
        until(new WebDriverWait(browser, Duration.ofSeconds(30)), ExpectedConditions.stalenessOf(element));
    }

    /** The HTTP status of the page the browser shows. */
    private static long navigationStatus() {
        Object status = browser.executeScript(
                "const n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : 0;");
        return ((Number) status).longValue();
    }

    /**
     * Waits until GreenMail has received {@code count} mails in all, and returns the newest: sent to the registered
     * address only, with {@code subject}.
     */
    private static MimeMessage mail(int count, String subject) throws MessagingException {
        assertThat(smtp.waitForIncomingEmail(MAIL_WAIT.toMillis(), count))
                .withFailMessage("no mail number %d within %s; see the logs in %s", count, MAIL_WAIT, launcher.work())
                .isTrue();
        MimeMessage[] received = smtp.getReceivedMessages();
        assertThat(received).hasSize(count);
        MimeMessage mail = received[count - 1];
        assertThat(addresses(mail.getRecipients(Message.RecipientType.TO))).containsExactly(ADDRESS);
        assertThat(mail.getRecipients(Message.RecipientType.CC)).isNull();
        assertThat(mail.getRecipients(Message.RecipientType.BCC)).isNull();
        assertThat(mail.getSubject()).isEqualTo(subject);
        return mail;
    }

    /**
     * The mail's link to {@code path}, after checking that every link in its text and HTML parts is absolute on the
     * configured issuer.
     */
    private static String link(MimeMessage mail, String path) throws MessagingException, IOException {
        List<String> texts = new ArrayList<>();
        collectTexts(mail, texts);
        assertThat(texts).isNotEmpty();
        String issuer = server.issuer();
        List<String> links = new ArrayList<>();
        for (String text : texts) {
            Matcher m = ANY_LINK.matcher(text);
            while (m.find()) {
                links.add(m.group());
            }
        }
        assertThat(links)
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l.equals(issuer) || l.startsWith(issuer + "/"))
                        .withFailMessage("%s is not on the issuer %s", l, issuer)
                        .isTrue());
        Pattern wanted = Pattern.compile(Pattern.quote(issuer + path) + "\\?token=[A-Za-z0-9_.~-]+");
        return texts.stream()
                .map(wanted::matcher)
                .filter(Matcher::find)
                .map(Matcher::group)
                .findFirst()
                .orElseThrow(() -> new AssertionError("the mail has no link to " + issuer + path));
    }

    /** The decoded text of every text/plain and text/html part. */
    private static void collectTexts(Part part, List<String> texts) throws MessagingException, IOException {
        if (part.isMimeType("text/plain") || part.isMimeType("text/html")) {
            texts.add((String) part.getContent());
        } else if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                collectTexts(child, texts);
            }
        }
    }

    private static List<String> addresses(Address[] addresses) {
        return Arrays.stream(addresses).map(Address::toString).toList();
    }
}
