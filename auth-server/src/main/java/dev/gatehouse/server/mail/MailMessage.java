package dev.gatehouse.server.mail;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One mail, ready to send: plain text, and optionally the same in HTML (sent as {@code multipart/alternative}).
 *
 * @param to the recipient's address
 * @param subject the subject line
 * @param text the body; may hold a single-use link, so it is never logged and {@link #toString()} leaves it out
 * @param html the same body as HTML, or {@code null} for a plain-text mail
 */
public record MailMessage(
        String to, String subject, String text, @Nullable String html) {

    /**
     * Checks the fields.
     *
     * @param to the recipient
     * @param subject the subject
     * @param text the body
     * @param html the HTML body, or {@code null}
     */
    public MailMessage {
        Objects.requireNonNull(to, "to must not be null");
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(text, "text must not be null");
    }

    /**
     * A plain-text mail.
     *
     * @param to the recipient
     * @param subject the subject
     * @param text the body
     */
    public MailMessage(String to, String subject, String text) {
        this(to, subject, text, null);
    }

    @Override
    public String toString() {
        return "MailMessage[subject=" + subject + "]";
    }
}
