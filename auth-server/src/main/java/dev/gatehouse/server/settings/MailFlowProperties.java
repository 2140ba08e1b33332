package dev.gatehouse.server.settings;

import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The e-mail flows under {@code gatehouse.server.mail.*} (environment {@code GATEHOUSE_SERVER_MAIL_*}): each flow is
 * off unless its property turns it on. The SMTP server itself is Spring Boot's {@code spring.mail.*}
 * (auth-server/README.md, "E-mail").
 *
 * @param registrationEnabled self-registration at {@code /register} with an e-mail address and a password; default
 *     {@code false}
 * @param registrationRequiresVerification a registered account can sign in only after the link mailed to its address
 *     was followed; default {@code true}
 * @param passwordResetEnabled forgotten password at {@code /password/forgot} (the sign-in page links to it); default
 *     {@code false}
 * @param emailChangeEnabled signed-in users change their address at {@code /account/email}, confirmed at the new
 *     address; default {@code false}
 * @param from the sender of every mail ({@code From}); default {@code Gatehouse <no-reply@localhost>}
 * @param delivery how mail leaves: {@code auto} (the outbox directory in {@code gatehouse.dev-mode}, SMTP
 *     otherwise), {@code smtp} or {@code outbox}; default {@code auto}
 * @param verificationLinkLifetime how long a registration's verification link works; default 24 hours
 * @param resetLinkLifetime how long a password reset link works; default 15 minutes
 * @param changeLinkLifetime how long the link confirming a new address works; default 24 hours
 * @param mailsPerRecipient mails about one address or account (reset requests, registrations, changes) sent before
 *     further requests are delayed, progressively up to an hour; default 3
 * @param mailsPerClientAddress mail-sending requests from one client address (any recipient) before that address is
 *     delayed; default 20
 */
@ConfigurationProperties("gatehouse.server.mail")
public record MailFlowProperties(
        @DefaultValue("false") boolean registrationEnabled,
        @DefaultValue("true") boolean registrationRequiresVerification,
        @DefaultValue("false") boolean passwordResetEnabled,
        @DefaultValue("false") boolean emailChangeEnabled,
        @DefaultValue("Gatehouse <no-reply@localhost>") String from,
        @DefaultValue("auto") Delivery delivery,
        @DefaultValue("24h") Duration verificationLinkLifetime,
        @DefaultValue("15m") Duration resetLinkLifetime,
        @DefaultValue("24h") Duration changeLinkLifetime,
        @DefaultValue("3") int mailsPerRecipient,
        @DefaultValue("20") int mailsPerClientAddress) {

    /**
     * Checks the values.
     *
     * @param registrationEnabled self-registration on
     * @param registrationRequiresVerification verification required before sign-in
     * @param passwordResetEnabled forgotten password on
     * @param emailChangeEnabled e-mail change on
     * @param from the sender
     * @param delivery how mail leaves
     * @param verificationLinkLifetime verification link lifetime
     * @param resetLinkLifetime reset link lifetime
     * @param changeLinkLifetime change link lifetime
     * @param mailsPerRecipient mails per recipient before delays
     * @param mailsPerClientAddress requests per client address before delays
     */
    public MailFlowProperties {
        Objects.requireNonNull(from, "gatehouse.server.mail.from must not be null");
        Objects.requireNonNull(delivery, "gatehouse.server.mail.delivery must not be null");
        for (Duration d : new Duration[] {verificationLinkLifetime, resetLinkLifetime, changeLinkLifetime}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("gatehouse.server.mail.*-link-lifetime must be positive");
            }
        }
        if (mailsPerRecipient < 1 || mailsPerRecipient > 1000) {
            throw new IllegalArgumentException(
                    "gatehouse.server.mail.mails-per-recipient must be 1 to 1000, was " + mailsPerRecipient);
        }
        if (mailsPerClientAddress < 1 || mailsPerClientAddress > 100000) {
            throw new IllegalArgumentException(
                    "gatehouse.server.mail.mails-per-client-address must be 1 to 100000, was " + mailsPerClientAddress);
        }
    }

    /** How mail leaves the server. */
    public enum Delivery {
        /** The outbox directory in development mode, SMTP otherwise. */
        AUTO,
        /** SMTP through Spring Boot's {@code spring.mail.*}. */
        SMTP,
        /** Files in an owner-only directory under the data directory, never sent. */
        OUTBOX
    }
}
