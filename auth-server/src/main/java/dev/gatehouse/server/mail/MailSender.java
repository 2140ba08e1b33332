package dev.gatehouse.server.mail;

/**
 * Sends mail; the one way the e-mail flows reach a user. Implementations: SMTP ({@code spring.mail.*}) and, in
 * development, an owner-only outbox directory. An implementation returns only once the message was handed over
 * (accepted by the SMTP server, or written and flushed), so a caller can undo its writes when it throws.
 */
public interface MailSender {

    /**
     * Sends one message.
     *
     * @param message the message
     * @throws MailDeliveryException when it could not be handed over; nothing was sent
     */
    void send(MailMessage message);
}
