package dev.gatehouse.server.mail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.settings.MailFlowProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class OutboxMailSenderTests {

    private static final String LINK =
            "http://localhost:9000/password/reset?token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE";

    @Test
    void sendWhenDevelopmentOutboxThenOwnerOnlyEmlFileAndNothingOfTheBodyInTheLog(
            @TempDir Path data, CapturedOutput output) throws Exception {
        Path outbox = data.resolve("outbox");
        OutboxMailSender sender = new OutboxMailSender(outbox, "Gatehouse <no-reply@localhost>", Clock.systemUTC());
        sender.send(new MailMessage("ada@example.com", "Wählen Sie ein neues Passwort", "Link:\n" + LINK + "\n"));
        sender.send(new MailMessage("bob@example.com", "Second", "second body"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outbox)))
                .isEqualTo("rwx------");
        List<Path> files;
        try (Stream<Path> listed = Files.list(outbox)) {
            files = listed.sorted().toList();
        }
        assertThat(files).hasSize(2).allSatisfy(f -> {
            assertThat(f.getFileName().toString()).endsWith(".eml");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                    .isEqualTo("rw-------");
        });
        String all = Files.readString(files.get(0), StandardCharsets.UTF_8) + Files.readString(files.get(1));
        assertThat(all).contains("To: ada@example.com").contains("Subject: =?UTF-8?");
        assertThat(output.getAll())
                .contains("outbox")
                .doesNotContain("token=")
                .doesNotContain("AbCdEfGhIjKlMnOpQrStUvWxYz")
                .doesNotContain("second body");
    }

    @Test
    void sendWhenOutboxExistsWithWiderPermissionsThenNarrowedToOwner(@TempDir Path data) throws Exception {
        Path outbox = Files.createDirectory(data.resolve("outbox"));
        Files.setPosixFilePermissions(outbox, PosixFilePermissions.fromString("rwxr-xr-x"));
        new OutboxMailSender(outbox, "no-reply@localhost", Clock.systemUTC())
                .send(new MailMessage("ada@example.com", "s", "t"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outbox)))
                .isEqualTo("rwx------");
    }

    @Test
    void outboxWhenDeliveryAutoThenOnlyInDevelopmentMode() {
        assertThat(MailConfiguration.outbox(MailFlowProperties.Delivery.AUTO, true))
                .isTrue();
        assertThat(MailConfiguration.outbox(MailFlowProperties.Delivery.AUTO, false))
                .isFalse();
        assertThat(MailConfiguration.outbox(MailFlowProperties.Delivery.SMTP, true))
                .isFalse();
        assertThat(MailConfiguration.outbox(MailFlowProperties.Delivery.OUTBOX, false))
                .isTrue();
    }

    @Test
    void toStringWhenMessageHoldsALinkThenLeavesTheBodyOut() {
        assertThat(new MailMessage("ada@example.com", "Subject", LINK).toString())
                .doesNotContain("token");
    }
}
