package dev.gatehouse.server.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.mail.MailException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;

/**
 * Sends through Spring Boot's {@link JavaMailSender} ({@code spring.mail.host}, {@code port}, {@code username},
 * {@code password}, {@code properties.mail.smtp.starttls.required}, ...; auth-server/README.md, "E-mail"). Without
 * a configured SMTP server every send fails, so a flow that was switched on without one shows its error page rather
 * than pretending a mail went out.
 */
final class SmtpMailSender implements MailSender {

    private final @Nullable JavaMailSender smtp;
    private final String from;

    SmtpMailSender(@Nullable JavaMailSender smtp, String from) {
        this.smtp = smtp;
        this.from = Objects.requireNonNull(from, "from must not be null");
    }

    /** Sender, recipient, subject, and the text (with its HTML alternative, when there is one). */
    static void fill(MimeMessageHelper helper, String from, MailMessage message) throws MessagingException {
        helper.setFrom(from);
        helper.setTo(message.to());
        helper.setSubject(message.subject());
        String html = message.html();
        if (html == null) {
            helper.setText(message.text(), false);
        } else {
            helper.setText(message.text(), html);
        }
    }

    @Override
    public void send(MailMessage message) {
        Objects.requireNonNull(message, "message must not be null");
        if (smtp == null) {
            throw new MailDeliveryException("no SMTP server is configured (spring.mail.host)");
        }
        try {
            MimeMessage mime = smtp.createMimeMessage();
            fill(new MimeMessageHelper(mime, message.html() != null, StandardCharsets.UTF_8.name()), from, message);
            smtp.send(mime);
        } catch (MailException | MessagingException e) {
            throw new MailDeliveryException(
                    "the SMTP server did not accept the mail (" + e.getClass().getSimpleName() + ")", e);
        }
    }
}
