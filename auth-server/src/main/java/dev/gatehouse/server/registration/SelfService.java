package dev.gatehouse.server.registration;

import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.PasswordPolicy;
import dev.gatehouse.core.password.PolicyResult;
import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.logout.BackchannelLogout;
import dev.gatehouse.server.mail.MailComposer;
import dev.gatehouse.server.mail.MailDeliveryException;
import dev.gatehouse.server.mail.MailSender;
import dev.gatehouse.server.registration.EmailTokens.Purpose;
import dev.gatehouse.server.settings.MailFlowProperties;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.server.users.JdbcUserStore.EmailAccount;
import dev.gatehouse.server.users.PasswordAuthenticationProvider;
import dev.gatehouse.server.users.SignInSessions;
import dev.gatehouse.server.users.Usernames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The e-mail flows' steps, apart from HTTP. Each step that stores something and mails a link does both in one
 * database transaction, sending last: when the mail server refuses, the transaction rolls back, so a registration
 * whose mail did not go out leaves no user, and a reset whose mail did not go out leaves no link. The refusal is
 * audited ({@code mail.failure}) and logged without the link, and the user is told to try again. Answers that could
 * tell whether an address has an account (registration, forgotten password, a new address already in use) are the
 * same either way; the mail to the address says what applies.
 */
final class SelfService {

    private static final Logger log = LoggerFactory.getLogger(SelfService.class);

    /** Passwords longer than this are refused before hashing (the policy's own maximum is lower). */
    static final int MAX_PASSWORD_FIELD = 1024;

    /** What a form step came to. */
    sealed interface Outcome permits Done, Refused, Throttled, MailFailed, LinkInvalid {}

    /** The step happened (or, where enumeration matters, looks as if it did). */
    record Done() implements Outcome {}

    /**
     * The form has errors; nothing happened.
     *
     * @param errors the errors, in form order
     */
    record Refused(List<FieldError> errors) implements Outcome {
        Refused {
            errors = List.copyOf(errors);
        }
    }

    /** Too many requests for this address or from this client; nothing happened. */
    record Throttled() implements Outcome {}

    /** The mail server did not take the mail; nothing was stored. */
    record MailFailed() implements Outcome {}

    /**
     * The link was used already, replaced, or never existed, or has expired.
     *
     * @param expired whether it expired (rather than being unknown)
     */
    record LinkInvalid(boolean expired) implements Outcome {}

    private final JdbcUserStore users;
    private final EmailTokens tokens;
    private final PasswordHasher hasher;
    private final PasswordPolicy policy;
    private final SignInSessions signIns;
    private final MailSender sender;
    private final MailComposer composer;
    private final AuditLog audit;
    private final AttemptLimiter limiter;
    private final PasswordAuthenticationProvider passwords;
    private final TransactionTemplate transaction;
    private final MailFlowProperties properties;
    private final BackchannelLogout backchannel;
    private final String issuer;

    SelfService(
            JdbcUserStore users,
            EmailTokens tokens,
            PasswordHasher hasher,
            PasswordPolicy policy,
            SignInSessions signIns,
            MailSender sender,
            MailComposer composer,
            AuditLog audit,
            AttemptLimiter limiter,
            PasswordAuthenticationProvider passwords,
            TransactionTemplate transaction,
            MailFlowProperties properties,
            String issuer,
            BackchannelLogout backchannel) {
        this.users = Objects.requireNonNull(users, "users must not be null");
        this.tokens = Objects.requireNonNull(tokens, "tokens must not be null");
        this.hasher = Objects.requireNonNull(hasher, "hasher must not be null");
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.signIns = Objects.requireNonNull(signIns, "signIns must not be null");
        this.sender = Objects.requireNonNull(sender, "sender must not be null");
        this.composer = Objects.requireNonNull(composer, "composer must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.limiter = Objects.requireNonNull(limiter, "limiter must not be null");
        this.passwords = Objects.requireNonNull(passwords, "passwords must not be null");
        this.transaction = Objects.requireNonNull(transaction, "transaction must not be null");
        this.properties = Objects.requireNonNull(properties, "properties must not be null");
        this.backchannel = Objects.requireNonNull(backchannel, "backchannel must not be null");
        Objects.requireNonNull(issuer, "issuer must not be null");
        this.issuer = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    }

    /** The smallest password length the policy accepts (the forms' hint). */
    int minPasswordLength() {
        return policy.minLength();
    }

    // ---------------------------------------------------------------- registration

    /**
     * Registers an address with a password: a new account (usable once the address is verified, when verification
     * is required) and a verification link to the address; for an address that already has an account, a mail
     * saying so instead, with the same answer.
     */
    Outcome register(
            @Nullable String email,
            @Nullable String password,
            @Nullable String confirmation,
            Locale locale,
            String client) {
        List<FieldError> errors = new ArrayList<>();
        String address = address(email, "email", errors);
        newPassword(password, confirmation, address, errors);
        if (!errors.isEmpty()) {
            return new Refused(errors);
        }
        Objects.requireNonNull(address);
        Objects.requireNonNull(password);
        String key = address.toLowerCase(Locale.ROOT);
        if (throttled(key, client)) {
            record(AuditEvents.REGISTRATION_REQUEST, AuditEvent.DENIED, null, Map.of("reason", "throttled"));
            return new Throttled();
        }
        // Hashed whatever the address: the answer takes as long for a taken address as for a new one.
        String hash = hasher.hash(password);
        String username = Usernames.canonical(address);
        Optional<EmailAccount> existing = users.findByEmail(address).or(() -> users.emailAccount(username));
        String result;
        try {
            if (existing.isEmpty()) {
                result = "created";
                transaction.executeWithoutResult(status -> {
                    String stored = users.createWithEmail(
                            username, hash, address, !properties.registrationRequiresVerification());
                    String token = tokens.issue(Purpose.VERIFY, stored, null, properties.verificationLinkLifetime());
                    send(address, "verify", locale, Map.of("link", link("/register/verify", token)));
                });
            } else if (existing.get().registrationPending()
                    && address.equalsIgnoreCase(existing.get().email())) {
                // Registered again before verifying: the link again, to the address, and the password stays the one
                // first chosen. Replacing it would let whoever registers someone's pending address choose the
                // password the address's owner then unknowingly activates (found in review).
                result = "renewed";
                String stored = existing.get().username();
                transaction.executeWithoutResult(status -> {
                    String token = tokens.issue(Purpose.VERIFY, stored, null, properties.verificationLinkLifetime());
                    send(address, "verify", locale, Map.of("link", link("/register/verify", token)));
                });
            } else {
                result = "already_registered";
                send(address, "registered", locale, signInLinks());
            }
        } catch (MailDeliveryException e) {
            mailFailed(AuditEvents.REGISTRATION_REQUEST, username, "register", e);
            return new MailFailed();
        } catch (DuplicateKeyException raced) {
            // Another request registered the same address between the lookup and the insert: it sent its mail.
            result = "already_registered";
        }
        record(AuditEvents.REGISTRATION_REQUEST, AuditEvent.SUCCESS, username, Map.of("result", result));
        return new Done();
    }

    /** Whether a verification link would work (the page with the confirmation button). */
    Outcome checkVerify(@Nullable String token) {
        EmailTokens.Redemption r = tokens.check(Purpose.VERIFY, token);
        return r instanceof EmailTokens.Redeemed ? new Done() : new LinkInvalid(r instanceof EmailTokens.Expired);
    }

    /** The signed-in user's address, or {@code null} when they have none. */
    @Nullable
    String currentEmail(String username) {
        return users.emailAccount(username).map(EmailAccount::email).orElse(null);
    }

    /** Follows a verification link: the account's address is verified and the account usable. */
    Outcome verify(@Nullable String token) {
        EmailTokens.Redemption redemption = transaction.execute(status -> {
            EmailTokens.Redemption r = tokens.redeem(Purpose.VERIFY, token);
            if (r instanceof EmailTokens.Redeemed redeemed) {
                users.verifyRegistration(redeemed.username());
            }
            return r;
        });
        if (redemption instanceof EmailTokens.Redeemed redeemed) {
            record(AuditEvents.REGISTRATION_VERIFY, AuditEvent.SUCCESS, redeemed.username(), Map.of());
            return new Done();
        }
        return linkRefused(AuditEvents.REGISTRATION_VERIFY, redemption);
    }

    // ---------------------------------------------------------------- forgotten password

    /**
     * Asks for a reset link. For an address with a usable account, a link valid {@code reset-link-lifetime} (15
     * minutes); for any other well-formed address, a mail saying no account uses it. The same answer either way.
     */
    Outcome requestReset(@Nullable String email, Locale locale, String client) {
        List<FieldError> errors = new ArrayList<>();
        String address = address(email, "email", errors);
        if (!errors.isEmpty()) {
            return new Refused(errors);
        }
        Objects.requireNonNull(address);
        Optional<EmailAccount> account = users.findByEmail(address).filter(a -> a.emailVerified() && a.enabled());
        // Limited by the address and by the account that uses it (its name may differ after a change), or, for an
        // address without one, a key standing in for it: the same two counts either way, so the client's limit runs
        // out after the same number of requests whether or not the address has an account (found in review).
        String addressKey = address.toLowerCase(Locale.ROOT);
        if (throttled(addressKey, client)
                || throttled(account.map(a -> "account:" + a.username()).orElse("no-account:" + addressKey), client)) {
            record(
                    AuditEvents.PASSWORD_RESET_REQUEST,
                    AuditEvent.DENIED,
                    account.map(EmailAccount::username).orElse(null),
                    Map.of("reason", "throttled"));
            return new Throttled();
        }
        try {
            if (account.isPresent()) {
                String username = account.get().username();
                transaction.executeWithoutResult(status -> {
                    String token = tokens.issue(Purpose.RESET, username, null, properties.resetLinkLifetime());
                    Map<String, Object> variables = new HashMap<>();
                    variables.put("link", link("/password/reset", token));
                    variables.put("minutes", properties.resetLinkLifetime().toMinutes());
                    send(address, "reset", locale, variables);
                });
                record(AuditEvents.PASSWORD_RESET_REQUEST, AuditEvent.SUCCESS, username, Map.of("result", "sent"));
            } else {
                send(address, "no-account", locale, signInLinks());
                record(AuditEvents.PASSWORD_RESET_REQUEST, AuditEvent.SUCCESS, null, Map.of("result", "no_account"));
            }
        } catch (MailDeliveryException e) {
            mailFailed(
                    AuditEvents.PASSWORD_RESET_REQUEST,
                    account.map(EmailAccount::username).orElse(null),
                    "reset",
                    e);
            return new MailFailed();
        }
        return new Done();
    }

    /** Whether a reset link would work (the page asking for the new password). */
    Outcome checkReset(@Nullable String token) {
        EmailTokens.Redemption r = tokens.check(Purpose.RESET, token);
        return r instanceof EmailTokens.Redeemed ? new Done() : new LinkInvalid(r instanceof EmailTokens.Expired);
    }

    /**
     * Sets a new password through a reset link: the link is used up, and every sign-in of the account ends. A
     * password the policy refuses leaves the link usable for another try.
     */
    Outcome reset(@Nullable String token, @Nullable String password, @Nullable String confirmation) {
        EmailTokens.Redemption seen = tokens.check(Purpose.RESET, token);
        if (!(seen instanceof EmailTokens.Redeemed valid)) {
            return linkRefused(AuditEvents.PASSWORD_RESET, seen);
        }
        List<FieldError> errors = new ArrayList<>();
        Optional<EmailAccount> account = users.emailAccount(valid.username());
        newPassword(password, confirmation, account.map(EmailAccount::email).orElse(valid.username()), errors);
        if (!errors.isEmpty()) {
            return new Refused(errors);
        }
        Objects.requireNonNull(password);
        String hash = hasher.hash(password);
        EmailTokens.Redemption redemption = transaction.execute(status -> {
            EmailTokens.Redemption r = tokens.redeem(Purpose.RESET, token);
            if (r instanceof EmailTokens.Redeemed redeemed) {
                users.setPasswordHash(redeemed.username(), hash);
                signIns.endAll(redeemed.username());
                // Queued in the same transaction (a savepoint); sent by the worker (Back-Channel Logout §2.5).
                backchannel.userSessionsEnded(redeemed.username(), null, BackchannelLogout.PASSWORD_RESET);
            }
            return r;
        });
        if (redemption instanceof EmailTokens.Redeemed redeemed) {
            record(AuditEvents.PASSWORD_RESET, AuditEvent.SUCCESS, redeemed.username(), Map.of("sessions", "ended"));
            return new Done();
        }
        return linkRefused(AuditEvents.PASSWORD_RESET, redemption);
    }

    // ---------------------------------------------------------------- e-mail change

    /**
     * A signed-in user asks to change their address: the current password is required; a link goes to the new
     * address and a notice to the old one, and nothing changes until the link is followed. An address another
     * account uses gets a mail saying so, and the same answer.
     */
    Outcome requestChange(
            String username, @Nullable String currentPassword, @Nullable String email, Locale locale, String client) {
        List<FieldError> errors = new ArrayList<>();
        String address = address(email, "email", errors);
        if (currentPassword == null || currentPassword.isEmpty()) {
            errors.add(0, new FieldError("password", "mail.error.current_password.missing"));
        } else if (currentPassword.length() > MAX_PASSWORD_FIELD || controls(currentPassword)) {
            errors.add(0, new FieldError("password", "mail.error.current_password.wrong"));
        }
        if (!errors.isEmpty()) {
            return new Refused(errors);
        }
        Objects.requireNonNull(address);
        Objects.requireNonNull(currentPassword);
        // The current password through the sign-in itself, so its guesses count against the sign-in's attempt
        // limit for the account (as the account's password change does), not a limit of their own.
        UsernamePasswordAuthenticationToken proof =
                UsernamePasswordAuthenticationToken.unauthenticated(username, currentPassword);
        proof.setDetails(new WebAuthenticationDetails(client, null));
        try {
            Authentication proved = passwords.authenticate(proof);
            if (!proved.getName().equals(username)) {
                throw new BadCredentialsException("Bad credentials");
            }
        } catch (PasswordAuthenticationProvider.Throttled throttled) {
            record(AuditEvents.EMAIL_CHANGE_REQUEST, AuditEvent.DENIED, username, Map.of("reason", "throttled"));
            return new Throttled();
        } catch (AuthenticationException wrong) {
            record(AuditEvents.EMAIL_CHANGE_REQUEST, AuditEvent.FAILURE, username, Map.of("reason", "wrong_password"));
            return new Refused(List.of(new FieldError("password", "mail.error.current_password.wrong")));
        }
        // Mails limited per account and per target address (as registrations and resets are per address), so a
        // signed-in user cannot send many mails to one stranger's address.
        if (throttled("account:" + username, client) || throttled(address.toLowerCase(Locale.ROOT), client)) {
            record(AuditEvents.EMAIL_CHANGE_REQUEST, AuditEvent.DENIED, username, Map.of("reason", "throttled"));
            return new Throttled();
        }
        Optional<EmailAccount> me = users.emailAccount(username);
        String old = me.map(EmailAccount::email).orElse(null);
        if (old != null && old.equalsIgnoreCase(address)) {
            return new Refused(List.of(new FieldError("email", "mail.error.email.same")));
        }
        Optional<EmailAccount> taken = users.findByEmail(address);
        try {
            if (taken.isPresent()) {
                send(address, "change-taken", locale, signInLinks());
                // The old address is told of the request either way: the same mails out as for a free address,
                // and the owner hears of a session trying to move their address (found in review).
                if (old != null) {
                    send(old, "change-notice", locale, Map.of("address", address, "username", username));
                }
                record(
                        AuditEvents.EMAIL_CHANGE_REQUEST,
                        AuditEvent.SUCCESS,
                        username,
                        Map.of("result", "address_in_use"));
            } else {
                transaction.executeWithoutResult(status -> {
                    String token = tokens.issue(Purpose.CHANGE, username, address, properties.changeLinkLifetime());
                    send(
                            address,
                            "change",
                            locale,
                            Map.of("link", link("/email/confirm", token), "username", username));
                    if (old != null) {
                        send(old, "change-notice", locale, Map.of("address", address, "username", username));
                    }
                });
                record(AuditEvents.EMAIL_CHANGE_REQUEST, AuditEvent.SUCCESS, username, Map.of("result", "sent"));
            }
        } catch (MailDeliveryException e) {
            mailFailed(AuditEvents.EMAIL_CHANGE_REQUEST, username, "change", e);
            return new MailFailed();
        }
        return new Done();
    }

    /** Whether a link to confirm an address would work (the page with the confirmation button). */
    Outcome checkChange(@Nullable String token) {
        EmailTokens.Redemption r = tokens.check(Purpose.CHANGE, token);
        return r instanceof EmailTokens.Redeemed ? new Done() : new LinkInvalid(r instanceof EmailTokens.Expired);
    }

    /** Follows the link sent to a new address: the address applies now, and the old one is told. */
    Outcome confirmChange(@Nullable String token, Locale locale) {
        String[] old = new String[1];
        EmailTokens.Redemption redemption;
        try {
            redemption = transaction.execute(status -> {
                EmailTokens.Redemption r = tokens.redeem(Purpose.CHANGE, token);
                if (r instanceof EmailTokens.Redeemed redeemed && redeemed.newEmail() != null) {
                    old[0] = users.emailAccount(redeemed.username())
                            .map(EmailAccount::email)
                            .orElse(null);
                    users.setVerifiedEmail(redeemed.username(), redeemed.newEmail());
                    // A reset link mailed to the old address would still reach the account: withdrawn.
                    tokens.withdraw(redeemed.username(), Purpose.RESET);
                }
                return r;
            });
        } catch (DuplicateKeyException taken) {
            // Another account took the address since the link was sent: nothing changed, the link is spent.
            record(AuditEvents.EMAIL_CHANGE, AuditEvent.FAILURE, null, Map.of("reason", "address_in_use"));
            return new LinkInvalid(false);
        }
        if (!(redemption instanceof EmailTokens.Redeemed redeemed) || redeemed.newEmail() == null) {
            return linkRefused(AuditEvents.EMAIL_CHANGE, Objects.requireNonNull(redemption));
        }
        record(AuditEvents.EMAIL_CHANGE, AuditEvent.SUCCESS, redeemed.username(), Map.of());
        if (old[0] != null && !old[0].equalsIgnoreCase(redeemed.newEmail())) {
            try {
                send(
                        old[0],
                        "changed-notice",
                        locale,
                        Map.of("address", redeemed.newEmail(), "username", redeemed.username()));
            } catch (MailDeliveryException e) {
                // The change stands (it was confirmed at the new address); the missed notice is audited and logged.
                mailFailed(AuditEvents.EMAIL_CHANGE, redeemed.username(), "changed_notice", e);
            }
        }
        return new Done();
    }

    // ---------------------------------------------------------------- helpers

    private @Nullable String address(@Nullable String email, String field, List<FieldError> errors) {
        EmailAddresses.Parsed parsed = EmailAddresses.parse(email);
        if (parsed instanceof EmailAddresses.Valid valid) {
            return valid.address();
        }
        errors.add(new FieldError(field, ((EmailAddresses.Invalid) parsed).reason()));
        return null;
    }

    private void newPassword(
            @Nullable String password,
            @Nullable String confirmation,
            @Nullable String context,
            List<FieldError> errors) {
        if (password == null || password.isEmpty()) {
            errors.add(new FieldError("password", "mail.error.password.missing"));
            return;
        }
        if (password.length() > MAX_PASSWORD_FIELD) {
            errors.add(new FieldError("password", "mail.error.password.too_long"));
            return;
        }
        int at = context == null ? -1 : context.indexOf('@');
        PolicyResult result = context == null
                ? policy.check(password)
                : at > 0 ? policy.check(password, context, context.substring(0, at)) : policy.check(password, context);
        for (PolicyResult.Violation v : result.violations()) {
            FieldError error = new FieldError(
                    "password", "mail.error.password." + v.code().name().toLowerCase(Locale.ROOT));
            if (!errors.contains(error)) {
                errors.add(error);
            }
        }
        if (!password.equals(confirmation)) {
            errors.add(new FieldError("confirmation", "mail.error.password.mismatch"));
        }
    }

    private static boolean controls(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }

    /**
     * Counts one mail-sending request; {@code true} when the recipient or client has sent too many lately. The
     * check and the count are one step under the limiter's lock for the key ({@link AttemptLimiter#attempt}), so
     * parallel requests cannot all pass the check before the first is counted (found in review).
     */
    private boolean throttled(String key, String client) {
        return !(limiter.attempt(key, client, () -> Boolean.TRUE, counted -> false)
                instanceof AttemptLimiter.Attempt.Completed<Boolean>);
    }

    private void send(String to, String template, Locale locale, Map<String, Object> variables) {
        Map<String, Object> all = new LinkedHashMap<>(variables);
        all.put("issuer", issuer);
        sender.send(composer.compose(to, template, locale, all));
    }

    private Map<String, Object> signInLinks() {
        Map<String, Object> links = new HashMap<>();
        links.put("login", issuer + "/login");
        links.put("forgot", properties.passwordResetEnabled() ? issuer + "/password/forgot" : "");
        return links;
    }

    /** An absolute link from the configured issuer, never from the request's {@code Host}. */
    private String link(String path, String token) {
        return issuer + path + "?token=" + token;
    }

    private Outcome linkRefused(String type, EmailTokens.Redemption redemption) {
        boolean expired = redemption instanceof EmailTokens.Expired;
        record(type, AuditEvent.FAILURE, null, Map.of("reason", expired ? "expired" : "invalid_link"));
        return new LinkInvalid(expired);
    }

    private void mailFailed(String type, @Nullable String username, String purpose, MailDeliveryException e) {
        // Never the link or the body: the purpose and the exception's class name only.
        String error = e.getCause() == null
                ? "MailDeliveryException"
                : e.getCause().getClass().getSimpleName();
        log.warn(
                "an e-mail flow's mail could not be sent (purpose {}, {}); nothing was stored, the user was told to"
                        + " try again",
                purpose,
                error);
        record(AuditEvents.MAIL_FAILURE, AuditEvent.FAILURE, username, Map.of("purpose", purpose, "error", error));
        record(type, AuditEvent.FAILURE, username, Map.of("reason", "mail_failed"));
    }

    private void record(String type, String outcome, @Nullable String subject, Map<String, String> details) {
        // The change of address is the signed-in user's own act; the other steps are anonymous requests.
        String actor = type.startsWith("email.change") ? subject : null;
        audit.record(new AuditEvent(type, outcome, actor, subject, details));
    }
}
