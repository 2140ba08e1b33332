package dev.gatehouse.server.mail;

import java.util.Objects;

/**
 * One plain-text mail, ready to send.
 *
 * @param to the recipient's address
 * @param subject the subject line
 * @param text the body; may hold a single-use link, so it is never logged and {@link #toString()} leaves it out
 */
public record MailMessage(String to, String subject, String text) {

    /**
     * Checks the fields.
     *
     * @param to the recipient
     * @param subject the subject
     * @param text the body
     */
    public MailMessage {
        Objects.requireNonNull(to, "to must not be null");
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(text, "text must not be null");
    }

    @Override
    public String toString() {
        return "MailMessage[subject=" + subject + "]";
    }
}
