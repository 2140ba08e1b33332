package dev.gatehouse.server.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.support.ResourceBundleMessageSource;

class MailComposerTests {

    private static ResourceBundleMessageSource messages() {
        ResourceBundleMessageSource messages = new ResourceBundleMessageSource();
        messages.setBasenames("i18n/mail");
        messages.setDefaultEncoding(StandardCharsets.UTF_8.name());
        messages.setFallbackToSystemLocale(false);
        return messages;
    }

    @Test
    void composeWhenFrenchThenSubjectAndBodyInFrenchSignedWithTheProductName() {
        MailMessage mail = new MailComposer(messages(), "Acme ID", null)
                .compose(
                        "ada@example.com",
                        "reset",
                        Locale.FRENCH,
                        Map.of(
                                "link",
                                "https://id.example.com/password/reset?token=t",
                                "minutes",
                                15L,
                                "issuer",
                                "https://id.example.com"));
        assertThat(mail.to()).isEqualTo("ada@example.com");
        assertThat(mail.subject()).isEqualTo("Choisissez un nouveau mot de passe");
        assertThat(mail.text())
                .contains("dans les 15 minutes")
                .contains("https://id.example.com/password/reset?token=t")
                .contains("Acme ID")
                .doesNotContain("<")
                .doesNotContain("??");
    }

    @Test
    void composeWhenValueHoldsMarkupThenTheHtmlAlternativeEscapesIt() {
        MailMessage mail = new MailComposer(messages(), "Acme <b>ID</b>", null)
                .compose(
                        "ada@example.com",
                        "change-notice",
                        Locale.ENGLISH,
                        Map.of(
                                "username",
                                "<script>alert(1)</script>",
                                "address",
                                "x\"><img src=y>@example.com",
                                "issuer",
                                "https://id.example.com"));
        assertThat(mail.html())
                .isNotNull()
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("Acme &lt;b&gt;ID&lt;/b&gt;")
                .doesNotContain("<script")
                .doesNotContain("<img")
                .doesNotContain("<b>");
        // The text/plain part is not HTML: values go out as they are.
        assertThat(mail.text()).contains("<script>alert(1)</script>").contains("x\"><img src=y>@example.com");
    }

    @Test
    void composeWhenOverrideDirectoryHasTheTemplateThenItWins(@TempDir Path overrides) throws Exception {
        Path dir = Files.createDirectories(overrides.resolve("templates").resolve("mail"));
        Files.writeString(dir.resolve("verify.txt"), "Custom: [[${link}]] -- [[${product}]]\n", StandardCharsets.UTF_8);
        MailComposer composer = new MailComposer(messages(), "Acme ID", overrides);
        assertThat(composer.compose("a@example.com", "verify", Locale.ENGLISH, Map.of("link", "L", "issuer", "I"))
                        .text())
                .isEqualTo("Custom: L -- Acme ID\n");
        // Templates the directory lacks come from the server.
        assertThat(composer.compose("a@example.com", "no-account", Locale.ENGLISH, Map.of("issuer", "I"))
                        .text())
                .contains("no active account");
    }
}
