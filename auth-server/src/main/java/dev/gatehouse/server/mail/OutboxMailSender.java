package dev.gatehouse.server.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.mail.javamail.MimeMessageHelper;

/**
 * Development delivery: each mail becomes an {@code .eml} file (RFC 5322, readable by any mail program) in a
 * directory only the server's user may enter ({@code 0700}), each file readable only by that user ({@code 0600}),
 * created with those permissions rather than narrowed afterwards. Nothing is sent, and the log names only the file,
 * never the body: a verification or reset link in a log would open the account to anyone who reads logs.
 */
final class OutboxMailSender implements MailSender {

    private static final Logger log = LoggerFactory.getLogger(OutboxMailSender.class);
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final Path directory;
    private final String from;
    private final Clock clock;

    OutboxMailSender(Path directory, String from, Clock clock) {
        this.directory = Objects.requireNonNull(directory, "directory must not be null");
        this.from = Objects.requireNonNull(from, "from must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /** The outbox directory. */
    Path directory() {
        return directory;
    }

    @Override
    public void send(MailMessage message) {
        Objects.requireNonNull(message, "message must not be null");
        try {
            ensureDirectory();
            MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()));
            SmtpMailSender.fill(
                    new MimeMessageHelper(mime, message.html() != null, StandardCharsets.UTF_8.name()), from, message);
            mime.setSentDate(Date.from(clock.instant()));
            mime.saveChanges();
            String name =
                    STAMP.format(clock.instant().atZone(java.time.ZoneOffset.UTC)) + "-" + UUID.randomUUID() + ".eml";
            Path file = directory.resolve(name);
            if (isPosix()) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
            } else {
                Files.createFile(file);
            }
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
                mime.writeTo(out);
            }
            log.info("development mode: wrote a mail to the outbox instead of sending it: {}", file);
        } catch (IOException | MessagingException e) {
            throw new MailDeliveryException(
                    "the outbox could not be written (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private void ensureDirectory() throws IOException {
        if (!Files.isDirectory(directory)) {
            try {
                if (isPosix()) {
                    Files.createDirectories(directory.getParent() == null ? directory : directory.getParent());
                    Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(DIRECTORY));
                } else {
                    Files.createDirectories(directory);
                }
            } catch (FileAlreadyExistsException raced) {
                // created by a concurrent send
            }
        }
        if (isPosix()) {
            // An outbox made by hand (or by an older version) is narrowed to the owner too.
            Files.setPosixFilePermissions(directory, DIRECTORY);
        }
    }

    private boolean isPosix() {
        Path existing = directory.getParent() == null ? directory : directory.getParent();
        return Files.getFileAttributeView(existing.toAbsolutePath(), PosixFileAttributeView.class) != null;
    }
}
