package dev.gatehouse.server.mail;

/**
 * A mail could not be handed over (the SMTP server is down, refused it, or the outbox cannot be written). The
 * message says which, never the mail's body or recipient.
 */
public final class MailDeliveryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed
     * @param cause the underlying failure
     */
    public MailDeliveryException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Creates the exception.
     *
     * @param message what failed
     */
    public MailDeliveryException(String message) {
        super(message);
    }
}
