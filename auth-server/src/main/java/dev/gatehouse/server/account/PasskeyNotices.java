package dev.gatehouse.server.account;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.mail.MailComposer;
import dev.gatehouse.server.mail.MailDeliveryException;
import dev.gatehouse.server.mail.MailSender;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.server.users.JdbcUserStore.EmailAccount;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security notices by mail when a passkey is added to or removed from an account (issue #16), as large providers send
 * them: a passkey added by someone else is a way into the account that the password's owner would not otherwise see.
 * Sent only while mail is on (an e-mail flow is switched on, {@code gatehouse.server.mail.*}) and to a verified address
 * of the user; the mail names the passkey's label and the time, never its credential id. A notice that cannot be sent
 * is logged, audited ({@code mail.failure}, purpose {@code passkey_added} or {@code passkey_removed}, counted in {@code
 * gatehouse.mail.failures}) and does not undo the change it reports.
 */
final class PasskeyNotices {

    private static final Logger log = LoggerFactory.getLogger(PasskeyNotices.class);

    private final boolean mailOn;
    private final JdbcUserStore users;
    private final MailSender sender;
    private final MailComposer composer;
    private final AuditLog audit;
    private final String issuer;

    PasskeyNotices(
            boolean mailOn,
            JdbcUserStore users,
            MailSender sender,
            MailComposer composer,
            AuditLog audit,
            @Nullable String issuer) {
        this.mailOn = mailOn;
        this.users = Objects.requireNonNull(users, "users must not be null");
        this.sender = Objects.requireNonNull(sender, "sender must not be null");
        this.composer = Objects.requireNonNull(composer, "composer must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.issuer = issuer == null ? "" : (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer);
    }

    /** A passkey was added to the user's account. */
    void added(String username, String label, Instant at, Locale locale) {
        send(username, "passkey-added", "passkey_added", label, at, locale);
    }

    /** A passkey was removed from the user's account. */
    void removed(String username, String label, Instant at, Locale locale) {
        send(username, "passkey-removed", "passkey_removed", label, at, locale);
    }

    private void send(String username, String template, String purpose, String label, Instant at, Locale locale) {
        if (!mailOn) {
            return;
        }
        Optional<String> to =
                users.emailAccount(username).filter(EmailAccount::emailVerified).map(EmailAccount::email);
        if (to.isEmpty()) {
            return;
        }
        try {
            sender.send(composer.compose(
                    to.get(),
                    template,
                    locale,
                    Map.of(
                            "username",
                            username,
                            "label",
                            label,
                            "time",
                            Times.utc(at),
                            "issuer",
                            issuer,
                            "passkeys",
                            issuer + PasskeysController.PASSKEYS)));
        } catch (RuntimeException e) {
            // A MailDeliveryException, or a template that failed: the change stands; the missed notice is logged
            // (purpose and exception class only) and audited.
            @Nullable Throwable wrapped = e instanceof MailDeliveryException ? e.getCause() : null;
            Throwable cause = wrapped == null ? e : wrapped;
            String error = cause.getClass().getSimpleName();
            log.warn("a passkey notice could not be sent (purpose {}, {}); the change stands", purpose, error);
            audit.record(new AuditEvent(
                    AuditEvents.MAIL_FAILURE,
                    AuditEvent.FAILURE,
                    username,
                    username,
                    Map.of("purpose", purpose, "error", error)));
        }
    }
}
