package dev.gatehouse.server.audit;

/**
 * The event types the server records, and the detail keys they use. Types are dotted lower case, the last part
 * saying what happened; the outcome is one of {@link AuditEvent#SUCCESS}, {@link AuditEvent#FAILURE}, {@link
 * AuditEvent#DENIED}. Details never hold a password, code, token, secret or a hash of one.
 */
public final class AuditEvents {

    /** A password sign-in succeeded; actor = username. */
    public static final String SIGNIN_SUCCESS = "signin.success";

    /** A password sign-in failed (wrong password, unknown or disabled user, throttled); actor = the name tried. */
    public static final String SIGNIN_FAILURE = "signin.failure";

    /** A password sign-in was refused because the account and address (or the address) are locked out. */
    public static final String SIGNIN_LOCKED = "signin.locked";

    /** A TOTP code at sign-in was accepted or refused; detail {@code factor=totp}. */
    public static final String MFA_VERIFY = "mfa.verify";

    /** A recovery code was used (success, with {@code remaining}) or refused; detail {@code factor=recovery_code}. */
    public static final String MFA_RECOVERY = "mfa.recovery";

    /** TOTP enrolment was confirmed by a first code (recovery codes issued) or the code was refused. */
    public static final String MFA_ENROL = "mfa.enrol";

    /** A second-factor attempt was refused because of a lockout; detail {@code action}: verify, recovery, enrol. */
    public static final String MFA_LOCKED = "mfa.locked";

    /** Tokens were issued at the token endpoint; details: client_id, grant_type, scope, jti. */
    public static final String TOKEN_ISSUE = "token.issue";

    /** Tokens were issued for a refresh token (rotation); same details as {@link #TOKEN_ISSUE}. */
    public static final String TOKEN_REFRESH = "token.refresh";

    /** A token request was refused (invalid_grant, invalid_scope, ...); details: client_id, grant_type, error. */
    public static final String TOKEN_FAILURE = "token.failure";

    /**
     * An authorization code was presented again after it had been exchanged (RFC 6749 §4.1.2: the code is refused
     * with {@code invalid_grant} and the tokens issued for it are revoked); outcome denied, actor the client id,
     * subject the user the code was issued to; details: client_id, grant_type, error, authorization_id, address.
     */
    public static final String TOKEN_CODE_REPLAY = "token.code_replay";

    /**
     * Tokens were revoked: at {@code /oauth2/revoke} (reason {@code client_request}) or a whole family after refresh
     * token reuse (reason {@code refresh_token_reuse}).
     */
    public static final String TOKEN_REVOKE = "token.revoke";

    /** Client authentication failed at a protocol endpoint; actor = the client id presented. */
    public static final String CLIENT_AUTH_FAILURE = "client.auth.failure";

    /** Retention removed old audit events; details: deleted, anchor_id. */
    public static final String AUDIT_PURGE = "audit.purge";

    /**
     * A signed-in user changed their password at {@code /account/password} (success; details: address,
     * sessions_ended) or was refused (failure: reason {@code current_password}, {@code policy}, {@code input};
     * denied: reason {@code throttled}).
     */
    public static final String ACCOUNT_PASSWORD_CHANGE = "account.password_change";

    /** A signed-in user confirmed their factors again for a sensitive account action (or failed to; reason). */
    public static final String ACCOUNT_REAUTHENTICATE = "account.reauthenticate";

    /** A user removed their TOTP factor and recovery codes (success), or was refused (denied: reason required). */
    public static final String ACCOUNT_MFA_REMOVE = "account.mfa_remove";

    /** A user replaced their TOTP factor with a new, confirmed one (success) or the new one's code was refused. */
    public static final String ACCOUNT_MFA_REPLACE = "account.mfa_replace";

    /** A user made a new set of recovery codes (success, detail recovery_codes_issued; the codes never). */
    public static final String ACCOUNT_RECOVERY_CODES = "account.recovery_codes";

    /** A user ended one of their browser sessions, or all others (detail sessions_ended). */
    public static final String ACCOUNT_SESSION_END = "account.session_end";

    /** A user revoked an application: its consent and every authorization of theirs (details client_id, revoked). */
    public static final String ACCOUNT_APPLICATION_REVOKE = "account.application_revoke";

    /**
     * A back-channel logout token (OIDC Back-Channel Logout 1.0) was delivered (success), given up or refused
     * (failure: details {@code result} the last status or error, e.g. {@code http_503}, {@code timeout}, {@code
     * redirect}, {@code address_refused}; or {@code reason=enqueue} when it could not be queued), or dropped because
     * the client or its URI is gone (denied). Subject the user; details {@code client_id}, {@code reason} (the
     * trigger), {@code sid}, {@code attempts}, {@code trigger_correlation_id}.
     */
    public static final String LOGOUT_BACKCHANNEL = "logout.backchannel";

    /**
     * A client's back-channel logout circuit opened (failure: {@code circuit-failures} consecutive slow or failed sends;
     * its deliveries wait until {@code open_until} on every node) or closed again (success: a delivery went through).
     * Actor null, subject the client id; details {@code client_id}, {@code state} (open, closed), and when it opened
     * {@code failures}, {@code result} (the last send's, e.g. {@code timeout}) and {@code open_until}.
     */
    public static final String LOGOUT_BACKCHANNEL_CIRCUIT = "logout.backchannel_circuit";

    // E-mail flows (issue #15). Details never hold a link or token; the address appears only as the subject's.

    /**
     * Self-registration was asked for (success: a mail went out; denied: throttled; failure: the mail could not be
     * sent, nothing stored); actor null, subject the username; detail {@code result}: created, renewed (an unverified
     * registration got a new link), already_registered.
     */
    public static final String REGISTRATION_REQUEST = "registration.request";

    /** A registration's address was verified by its link (success), or the link was refused (failure, {@code reason}). */
    public static final String REGISTRATION_VERIFY = "registration.verify";

    /**
     * A password reset link was asked for; subject the username when an account uses the address; detail
     * {@code result}: sent, no_account.
     */
    public static final String PASSWORD_RESET_REQUEST = "password.reset.request";

    /** A password was reset through a mailed link (all the user's sessions ended), or the link was refused. */
    public static final String PASSWORD_RESET = "password.reset";

    /** A signed-in user asked to change their address (a link went to the new one, a notice to the old one). */
    public static final String EMAIL_CHANGE_REQUEST = "email.change.request";

    /** A new address was confirmed by its link and applied, or the link was refused. */
    public static final String EMAIL_CHANGE = "email.change";

    /**
     * A mail of an e-mail flow could not be handed to the mail server (outcome failure); detail {@code purpose}
     * (register, reset, change, changed_notice) and {@code error} (the
     * exception's class).
     */
    public static final String MAIL_FAILURE = "mail.failure";

    /**
     * A passkey was registered (success; details: credential (a short hash of its id), backup_eligible, transports,
     * address), or the registration was refused (failure; details: reason).
     */
    public static final String PASSKEY_REGISTER = "passkey.register";

    /**
     * A passkey signed a user in or passed the second step (success; details: credential, step {@code sign_in} or
     * {@code second_factor}, address), or an assertion was refused (failure; details: reason, address).
     */
    public static final String PASSKEY_USE = "passkey.use";

    /**
     * An assertion whose signature counter did not grow past the stored one (WebAuthn Level 3 §6.1.1): refused, the
     * authenticator possibly cloned (outcome denied; details: credential, address).
     */
    public static final String PASSKEY_CLONE_SUSPECTED = "passkey.clone_suspected";

    /** A passkey was removed by its user at the account pages or by an operator (details: credential, by). */
    public static final String PASSKEY_REMOVE = "passkey.remove";

    /**
     * The user answered the offer to add a passkey after a password sign-in ({@code
     * gatehouse.server.passkeys.offer-after-sign-in}; success; details: choice {@code added}, {@code later} or {@code
     * never}, address).
     */
    public static final String PASSKEY_OFFER = "passkey.offer";

    /**
     * A client registered itself (RFC 7591 §3; subject = the new client id; details: mode, address), or a registration
     * was refused (outcome denied; details: error, reason, address). Nothing is stored on refusal.
     */
    public static final String CLIENT_REGISTER = "client.register";

    /** A dynamically registered client's registration read (RFC 7592 §2.1), which rotates its access token. */
    public static final String CLIENT_REGISTRATION_READ = "client.registration.read";

    /** A dynamically registered client changed its registration (RFC 7592 §2.2; subject = the client id). */
    public static final String CLIENT_REGISTRATION_UPDATE = "client.registration.update";

    /** A dynamically registered client deleted its registration (RFC 7592 §2.3; subject = the client id). */
    public static final String CLIENT_REGISTRATION_DELETE = "client.registration.delete";

    /**
     * A client configuration request (RFC 7592 §2) was refused: unknown client, wrong registration access token or
     * refused metadata (outcome denied; subject = the client id in the path; details: method, error, reason).
     */
    public static final String CLIENT_REGISTRATION_REFUSED = "client.registration.refused";

    private AuditEvents() {}
}
