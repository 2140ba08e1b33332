package dev.gatehouse.server.account;

import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.passkeys.PasskeyCeremonyException;
import dev.gatehouse.server.passkeys.PasskeyIds;
import dev.gatehouse.server.passkeys.Passkeys;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialCreationOptions;
import org.springframework.security.web.webauthn.registration.PublicKeyCredentialCreationOptionsRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Holds Spring Security's passkey registration endpoints ({@code POST /webauthn/register/options}, {@code POST
 * /webauthn/register}, WebAuthn Level 3 §7.1) to the account's rules, in front of Spring's filters in the login chain:
 *
 * <ul>
 *   <li>a signed-in user whose account pages are open (every factor owed is present, as {@link FactorGuard} checks)
 *       and whose factors are fresh ({@link Factors#fresh}), as for every other second-factor change; or
 *   <li>a sign-in at {@code /mfa/passkey/register} ({@link SignInPasskeyController}): a phishing-resistant factor is
 *       owed, the user has no passkey, and the password (and any one-time code the user owes) were just proved, like
 *       the forced TOTP enrolment. Registering grants no factor: the user then signs in with the new passkey.
 * </ul>
 *
 * <p>A user who already has a passkey, or whose administrator requires one, adds another only with a fresh passkey
 * factor ({@link Factors#freshPasskey}): the password and a one-time code are exactly what a real-time phish relays,
 * and a passkey registered on them would meet every phishing-resistant requirement afterwards (WebAuthn Level 3
 * §13.4.9; issue #16, "then TOTP is not enough"). The one exception is recovery: a user who must use a passkey and has
 * none left (all lost, or an operator's reset) registers one with the password and the second factor owed; that
 * registration is audited with {@code recovery=true}.
 *
 * <p>{@code POST /webauthn/register} registers only for the signed-in user: the stored creation options name the user
 * the ceremony was started for (WebAuthn Level 3 §5.4.3, §13.4.3), and options of another user (a ceremony begun
 * before someone else signed in on this browser) are refused.
 *
 * <p>Anything else is refused with 403 and a JSON body saying why (and where to confirm the sign-in); Spring's {@code
 * DELETE /webauthn/register/{id}} is refused with 405: a passkey is removed at {@code /account/passkeys}, audited and
 * with the requirement checks. The outcome of {@code POST /webauthn/register} is audited here ({@code
 * passkey.register}), from the response status, with the new credential as a short hash, never its id.
 *
 * <p>Added to the login chain by the wiring (it is not a servlet filter of its own: {@link
 * AccountConfiguration} turns its container registration off).
 */
public final class PasskeyRegistrationGuard extends OncePerRequestFilter {

    /** Session attribute: the user name a sign-in's passkey registration page was shown to. */
    static final String SIGN_IN_REGISTRATION = PasskeyRegistrationGuard.class.getName() + ".signIn";

    private static final RequestMatcher OPTIONS =
            PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/webauthn/register/options");
    private static final RequestMatcher REGISTER =
            PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/webauthn/register");
    private static final RequestMatcher ANY_REGISTER =
            PathPatternRequestMatcher.withDefaults().matcher("/webauthn/register/**");

    private final MfaPolicy policy;
    private final Factors factors;
    private final Passkeys passkeys;
    private final AccountAudit audit;
    private final @Nullable PublicKeyCredentialCreationOptionsRepository creationOptions;
    private final @Nullable PasskeyNotices notices;

    PasskeyRegistrationGuard(
            MfaPolicy policy,
            Factors factors,
            Passkeys passkeys,
            AccountAudit audit,
            @Nullable PublicKeyCredentialCreationOptionsRepository creationOptions) {
        this(policy, factors, passkeys, audit, creationOptions, null);
    }

    PasskeyRegistrationGuard(
            MfaPolicy policy,
            Factors factors,
            Passkeys passkeys,
            AccountAudit audit,
            @Nullable PublicKeyCredentialCreationOptionsRepository creationOptions,
            @Nullable PasskeyNotices notices) {
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.factors = Objects.requireNonNull(factors, "factors must not be null");
        this.passkeys = Objects.requireNonNull(passkeys, "passkeys must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.creationOptions = creationOptions;
        this.notices = notices;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !ANY_REGISTER.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean options = OPTIONS.matches(request);
        boolean register = REGISTER.matches(request);
        if (!options && !register) {
            // DELETE /webauthn/register/{id} and anything else under it: removal goes through the account page.
            response.setHeader("Allow", "POST");
            refuse(
                    response,
                    HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                    "method_not_allowed",
                    "Passkeys are removed on the account page (/account/passkeys).");
            return;
        }
        Authentication user = SecurityContextHolder.getContext().getAuthentication();
        if (user == null || !user.isAuthenticated() || user instanceof AnonymousAuthenticationToken) {
            refuse(response, HttpServletResponse.SC_FORBIDDEN, "sign_in_required", "Sign in first.");
            return;
        }
        String name = user.getName();
        Decision decision = decide(user, request);
        if (!decision.allowed) {
            if (register) {
                audit.denied(AuditEvents.PASSKEY_REGISTER, name, request, "reason", decision.reason);
            }
            refuse(response, HttpServletResponse.SC_FORBIDDEN, decision.reason, decision.message);
            return;
        }
        if (options) {
            chain.doFilter(request, response);
            return;
        }
        PublicKeyCredentialCreationOptionsRepository repository = creationOptions;
        PublicKeyCredentialCreationOptions started;
        try {
            started = repository == null ? null : repository.load(request);
        } catch (PasskeyCeremonyException expired) {
            // Options older than their timeout (WebAuthn Level 3 §13.4.3): removed by the repository; start again.
            audit.failure(
                    AuditEvents.PASSKEY_REGISTER,
                    name,
                    request,
                    "reason",
                    expired.reason().code());
            refuse(
                    response,
                    HttpServletResponse.SC_BAD_REQUEST,
                    expired.reason().code(),
                    "The passkey was not registered.");
            return;
        }
        if (repository != null
                && started != null
                && !name.equals(started.getUser().getName())) {
            // Started by another user of this browser: Spring would register the credential to that user.
            audit.denied(AuditEvents.PASSKEY_REGISTER, name, request, "reason", "other_user");
            repository.save(request, response, null);
            refuse(
                    response,
                    HttpServletResponse.SC_FORBIDDEN,
                    "other_user",
                    "This registration was started by another sign-in. Start again.");
            return;
        }
        Set<String> before = ids(name);
        try {
            chain.doFilter(request, response);
        } catch (PasskeyCeremonyException refused) {
            // The relying party's typed refusal (wrong origin, no user verification, a bad label, ...): nothing was
            // stored; audited and answered with its code, never with anything of the request.
            audit.failure(
                    AuditEvents.PASSKEY_REGISTER,
                    name,
                    request,
                    "reason",
                    refused.reason().code());
            if (response.isCommitted()) {
                throw refused;
            }
            response.resetBuffer();
            refuse(
                    response,
                    HttpServletResponse.SC_BAD_REQUEST,
                    refused.reason().code(),
                    "The passkey was not registered.");
            return;
        }
        int status = response.getStatus();
        if (status >= 200 && status < 300) {
            List<Passkeys.Passkey> added = passkeys.list(name).stream()
                    .filter(p -> !before.contains(p.id()))
                    .toList();
            if (added.isEmpty()) {
                audit.failure(AuditEvents.PASSKEY_REGISTER, name, request, "reason", "not_stored");
                return;
            }
            Passkeys.Passkey p = added.get(0);
            audit.success(
                    AuditEvents.PASSKEY_REGISTER,
                    name,
                    request,
                    "credential",
                    PasskeyIds.ref(p.id()),
                    "backup_eligible",
                    Boolean.toString(p.backupEligible()),
                    "transports",
                    String.join(" ", p.transports()),
                    "recovery",
                    Boolean.toString(decision.recovery));
            if (notices != null) {
                // After the registration is stored and audited: a notice that fails does not undo it.
                notices.added(name, p.label(), p.created(), LocaleContextHolder.getLocale());
            }
        } else {
            audit.failure(
                    AuditEvents.PASSKEY_REGISTER,
                    name,
                    request,
                    "reason",
                    "refused",
                    "status",
                    Integer.toString(status));
        }
    }

    private Decision decide(Authentication user, HttpServletRequest request) {
        String name = user.getName();
        if (!factors.fresh(user)) {
            return Decision.STALE;
        }
        boolean hasPasskey = passkeys.hasAny(name);
        boolean required = policy.phishingResistantRequired(name, null, null);
        // The account's rule: every factor the account owes is present (FactorGuard), and fresh.
        if (policy.hasAllFactors(user) || !policy.otpRequired(name, null, null)) {
            if (!hasPasskey && !required) {
                return Decision.ALLOWED;
            }
            if (factors.freshPasskey(user)) {
                return Decision.ALLOWED;
            }
            // A required passkey, none left: the recovery the issue allows (password and the second factor owed).
            return hasPasskey ? Decision.PASSKEY_NEEDED : Decision.RECOVERY;
        }
        // A sign-in's registration: the page was shown to this user, who still has no passkey; the password (and the
        // code of a user with TOTP, which fresh() demands) were just proved.
        HttpSession session = request.getSession(false);
        if (session != null && name.equals(session.getAttribute(SIGN_IN_REGISTRATION)) && !hasPasskey) {
            return required ? Decision.RECOVERY : Decision.ALLOWED;
        }
        return Decision.FACTOR_MISSING;
    }

    private Set<String> ids(String name) {
        Set<String> ids = new HashSet<>();
        passkeys.list(name).forEach(p -> ids.add(p.id()));
        return ids;
    }

    /** A JSON body the page's script shows: an error code and a sentence, never anything of the request. */
    private static void refuse(HttpServletResponse response, int status, String error, String message)
            throws IOException {
        response.setStatus(status);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        String confirm = "stale".equals(error) || "passkey_needed".equals(error)
                ? ",\"confirm\":\"" + TwoStepController.CONFIRM + "?next=" + PasskeysController.PASSKEYS + "\""
                : "";
        // Both strings are constants of this class: nothing to escape.
        response.getWriter().write("{\"error\":\"" + error + "\",\"message\":\"" + message + "\"" + confirm + "}");
    }

    private enum Decision {
        ALLOWED(true, false, "", ""),
        RECOVERY(true, true, "", ""),
        STALE(false, false, "stale", "Confirm your sign-in again, then add the passkey."),
        PASSKEY_NEEDED(false, false, "passkey_needed", "Confirm with one of your passkeys, then add the new one."),
        FACTOR_MISSING(false, false, "factor_missing", "Complete your sign-in first.");

        private final boolean allowed;
        private final boolean recovery;
        private final String reason;
        private final String message;

        Decision(boolean allowed, boolean recovery, String reason, String message) {
            this.allowed = allowed;
            this.recovery = recovery;
            this.reason = reason;
            this.message = message;
        }
    }
}
