package dev.gatehouse.server.signin;

import dev.gatehouse.core.mfa.MfaException;
import dev.gatehouse.core.mfa.RecoveryCodeRedemption;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.TotpEnrolment;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.mfa.TotpVerification;
import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.core.throttle.ThrottleDecision;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.mfa.FactorFreshness;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.users.Usernames;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;
import org.springframework.security.web.authentication.session.SessionFixationProtectionStrategy;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The second-factor pages: the TOTP step, the recovery-code step, and TOTP enrolment (QR code and manual key,
 * confirmed by a first code, then recovery codes shown once). Every code attempt goes through auth-core's {@link
 * AttemptLimiter} (scope {@code mfa}, per account, address and pair) before the code is checked; every refusal
 * reads the same. A passed step adds {@link MfaPolicy#OTP_AUTHORITY} to the session's authentication (new session
 * id) and resumes the saved authorization request.
 *
 * <p>Enrolment binds an authenticator and hands out recovery codes, so it needs factors as young as the account's
 * second-factor actions ({@link FactorFreshness}), whatever sent the user here. The enrolment a requirement forces
 * right after the password passes (the password was just proved). A stale session never enrols: one the account
 * pages are open to confirms at {@code /account/confirm} and comes back to enrolment; one still owing the factor its
 * own account requires (the account pages send it back here) signs in again.
 */
@Controller
final class MfaController {

    /** The name of the {@link AttemptLimiter} bean this controller uses. */
    public static final String LIMITER_BEAN = "mfaAttemptLimiter";

    private static final Logger log = LoggerFactory.getLogger(MfaController.class);
    private static final int MAX_CODE_LENGTH = 64;
    private static final String TOTP = "totp";
    private static final String RECOVERY_CODE = "recovery_code";
    private static final CodeStep SIGN_IN_TOTP = new CodeStep(AuditEvents.MFA_VERIFY, TOTP, "redirect:/mfa/totp?error");
    private static final CodeStep SIGN_IN_RECOVERY =
            new CodeStep(AuditEvents.MFA_RECOVERY, RECOVERY_CODE, "redirect:/mfa/recovery?error");
    private static final CodeStep ENROL = new CodeStep(AuditEvents.MFA_ENROL, TOTP, "redirect:/mfa/enroll?error");

    /** The account's confirmation step, returning to the account's set-up action, which leads back to enrolment. */
    static final String CONFIRM_THEN_ENROL = "/account/confirm?next=/account/two-step/setup";

    private final TotpService totp;
    private final RecoveryCodes recoveryCodes;
    private final AttemptLimiter limiter;
    private final MfaPolicy policy;
    private final Clock clock;
    private final FactorFreshness freshness;
    private final AuditLog audit;
    private final SavedRequestRedirect continuation;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();
    private final SessionAuthenticationStrategy fixation = new SessionFixationProtectionStrategy();

    /**
     * Creates the controller.
     *
     * @param totp TOTP enrolment and verification
     * @param recoveryCodes recovery codes
     * @param limiter limits code attempts (scope {@code mfa})
     * @param policy the factor policy
     * @param clock stamps the factor
     * @param freshness whether the session's factors are young enough to enrol
     * @param audit records every enrolment, verification, recovery-code use and lockout (never a code)
     * @param settings the authorization server's settings: the saved request resumes on its issuer, when one is
     *     configured ({@code gatehouse.token.issuer}), never on the request's {@code Host}
     */
    public MfaController(
            TotpService totp,
            RecoveryCodes recoveryCodes,
            @Qualifier(LIMITER_BEAN) AttemptLimiter limiter,
            MfaPolicy policy,
            Clock clock,
            FactorFreshness freshness,
            AuditLog audit,
            AuthorizationServerSettings settings) {
        this.totp = Objects.requireNonNull(totp, "totp must not be null");
        this.recoveryCodes = Objects.requireNonNull(recoveryCodes, "recoveryCodes must not be null");
        this.limiter = Objects.requireNonNull(limiter, "limiter must not be null");
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.freshness = Objects.requireNonNull(freshness, "freshness must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.continuation = new SavedRequestRedirect(
                Objects.requireNonNull(settings, "settings must not be null").getIssuer());
    }

    /** The TOTP step. */
    @GetMapping("/mfa/totp")
    String totpPage(Authentication user, Model model) {
        model.addAttribute("user", user.getName());
        // The passkey step instead (issue #16), for a user who has one.
        model.addAttribute("passkey", policy.passkeysOffered() && policy.hasPasskey(user.getName()));
        return "mfa-totp";
    }

    /** Checks a TOTP code at sign-in. */
    @PostMapping("/mfa/totp")
    String totpSubmit(
            Authentication user,
            @RequestParam(name = "code", defaultValue = "") String code,
            HttpServletRequest request,
            HttpServletResponse response) {
        return attempt(
                SIGN_IN_TOTP,
                user,
                request,
                response,
                code.length() <= MAX_CODE_LENGTH,
                () -> totp.verify(user.getName(), code),
                TotpVerification::accepted,
                result -> {
                    if (result instanceof TotpVerification.Rejected rejected) {
                        log.debug("TOTP refused: {}", rejected.reason());
                        return new Verdict.Refused(reason(rejected));
                    }
                    return new Verdict.Passed(null, () -> "redirect:" + resume(request, response));
                });
    }

    /** The recovery-code step. */
    @GetMapping("/mfa/recovery")
    String recoveryPage(Authentication user, Model model) {
        model.addAttribute("user", user.getName());
        return "mfa-recovery";
    }

    /** Redeems a recovery code at sign-in; each code works once. */
    @PostMapping("/mfa/recovery")
    String recoverySubmit(
            Authentication user,
            @RequestParam(name = "code", defaultValue = "") String code,
            HttpServletRequest request,
            HttpServletResponse response) {
        return attempt(
                SIGN_IN_RECOVERY,
                user,
                request,
                response,
                !code.isBlank() && code.length() <= MAX_CODE_LENGTH,
                () -> redeem(user.getName(), code),
                RecoveryCodeRedemption::accepted,
                result -> result instanceof RecoveryCodeRedemption.Accepted accepted
                        ? new Verdict.Passed(
                                Integer.toString(accepted.remaining()), () -> "redirect:" + resume(request, response))
                        : new Verdict.Refused("rejected"));
    }

    /**
     * The enrolment page. A GET changes nothing (RFC 9110 §9.2.1: safe): it shows a button that starts enrolment
     * with a CSRF-protected POST, and, when an enrolment is pending, the form for its first code. The pending key is
     * not shown again: it is stored encrypted and shown only once, when it is made.
     */
    @GetMapping("/mfa/enroll")
    String enrolPage(Authentication user, Model model, HttpServletRequest request, HttpServletResponse response) {
        noStore(response);
        model.addAttribute("user", user.getName());
        TotpService.FactorStatus status = totp.status(user.getName());
        if (status == TotpService.FactorStatus.CONFIRMED) {
            return "mfa-enrolled";
        }
        if (!freshness.fresh(user)) {
            return staleEnrolment(user, request, response);
        }
        model.addAttribute("pending", status == TotpService.FactorStatus.PENDING);
        return "mfa-enroll-start";
    }

    /** Starts (or restarts) TOTP enrolment: a new secret, shown once as QR code and key in this response. */
    @PostMapping("/mfa/enroll/start")
    String enrolStart(Authentication user, Model model, HttpServletRequest request, HttpServletResponse response) {
        noStore(response);
        model.addAttribute("user", user.getName());
        if (policy.hasConfirmedTotp(user.getName())) {
            return "mfa-enrolled";
        }
        if (!freshness.fresh(user)) {
            return staleEnrolment(user, request, response);
        }
        TotpEnrolment e;
        try {
            e = totp.enrol(user.getName(), user.getName());
        } catch (MfaException ex) {
            log.debug("TOTP enrolment refused: {}", ex.reason());
            return "mfa-enrolled";
        }
        model.addAttribute("qr", e.qrDataUri());
        model.addAttribute("secret", e.secretBase32());
        return "mfa-enroll";
    }

    /** Confirms enrolment with the first code; shows the recovery codes once. */
    @PostMapping("/mfa/enroll")
    String enrolSubmit(
            Authentication user,
            @RequestParam(name = "code", defaultValue = "") String code,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        noStore(response);
        if (!freshness.fresh(user)) {
            // Checked before the code: a stale session neither confirms a key nor spends an attempt.
            return staleEnrolment(user, request, response);
        }
        return attempt(
                ENROL,
                user,
                request,
                response,
                code.length() <= MAX_CODE_LENGTH,
                () -> totp.confirm(user.getName(), code),
                TotpVerification::accepted,
                result -> {
                    if (result instanceof TotpVerification.Rejected rejected) {
                        log.debug("TOTP confirmation refused: {}", rejected.reason());
                        return new Verdict.Refused(reason(rejected));
                    }
                    List<String> codes = recoveryCodes.generate(user.getName());
                    return new Verdict.Passed(Integer.toString(codes.size()), () -> {
                        model.addAttribute("user", user.getName());
                        model.addAttribute("codes", codes);
                        // The resumed request's query is the client's (attacker-chosen); encoded for the
                        // attribute, written once.
                        model.addAttribute("continueUrl", resume(request, response));
                        return "mfa-recovery-codes";
                    });
                });
    }

    /**
     * The one path of every code attempt: a malformed code is refused unchecked; otherwise the {@link
     * AttemptLimiter} checks, verifies and records as one step per account, so parallel guesses cannot outrun the
     * counter. A throttled attempt, or a checked one the verdict refuses, is audited and returns to the step's page
     * with an error; a passed one is audited, adds the OTP factor to the session, and renders the verdict's view.
     *
     * @param step the audit event, factor and refusal page of this step
     * @param wellFormed whether the code may be checked at all
     * @param check verifies the code; runs only when the limiter allows
     * @param succeeded whether the check's result counts as a success for the limiter
     * @param verdict reads the check's result; runs after the limiter has recorded it
     * @return the view or redirect to render
     */
    private <T> String attempt(
            CodeStep step,
            Authentication user,
            HttpServletRequest request,
            HttpServletResponse response,
            boolean wellFormed,
            Supplier<T> check,
            Predicate<? super T> succeeded,
            Function<? super T, Verdict> verdict) {
        String account = account(user);
        String address = address(request);
        if (!wellFormed) {
            refused(step, user, account, address, false, "malformed");
            return step.refusedView();
        }
        if (!(limiter.attempt(account, address, check, succeeded)
                instanceof AttemptLimiter.Attempt.Completed<T> checked)) {
            refused(step, user, account, address, true, "throttled");
            return step.refusedView();
        }
        Verdict read = verdict.apply(checked.result());
        if (read instanceof Verdict.Refused refusal) {
            refused(step, user, account, address, false, refusal.reason());
            return step.refusedView();
        }
        Verdict.Passed passed = (Verdict.Passed) read; // sealed: the only other verdict
        passed(step, user, address, passed.count());
        grantOtpFactor(user, request, response);
        return passed.view().get();
    }

    /** One code step: its audit event type, its factor as audited, and where a refused attempt goes. */
    private record CodeStep(String event, String factor, String refusedView) {}

    /**
     * What a checked code comes to: passed, with the recovery-code count to audit (left or issued, when there is
     * one) and the page to render once the factor is granted; or refused, with the audited reason.
     */
    private sealed interface Verdict permits Verdict.Passed, Verdict.Refused {
        record Passed(@Nullable String count, Supplier<String> view) implements Verdict {}

        record Refused(String reason) implements Verdict {}
    }

    /** A passed step; {@code count} is the recovery codes left (recovery) or issued (enrolment). */
    private void passed(CodeStep step, Authentication user, String address, @Nullable String count) {
        String type = step.event();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("factor", step.factor());
        details.put("address", address);
        if (count != null) {
            details.put(AuditEvents.MFA_ENROL.equals(type) ? "recovery_codes_issued" : "recovery_codes_left", count);
        }
        audit.record(new AuditEvent(type, AuditEvent.SUCCESS, user.getName(), null, details));
    }

    /** A refused step: a wrong code (failure), a delay (denied) or a lockout ({@code mfa.locked}). */
    private void refused(
            CodeStep step, Authentication user, String account, String address, boolean throttled, String reason) {
        String type = step.event();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("factor", step.factor());
        details.put("address", address);
        String outcome = AuditEvent.FAILURE;
        if (throttled) {
            // Which limit applies, read only on this refusal path.
            ThrottleDecision decision = limiter.check(account, address);
            boolean locked = decision instanceof ThrottleDecision.Denied denied && denied.lockedOut();
            details.put("reason", locked ? "locked_out" : "throttled");
            details.put("retry_after_s", Long.toString(decision.retryAfterSeconds()));
            outcome = AuditEvent.DENIED;
            if (locked) {
                details.put("action", type.substring(type.indexOf('.') + 1));
                type = AuditEvents.MFA_LOCKED;
            }
        } else {
            details.put("reason", reason);
        }
        audit.record(new AuditEvent(type, outcome, user.getName(), null, details));
    }

    private static String reason(TotpVerification.Rejected rejected) {
        return rejected.reason().name().toLowerCase(Locale.ROOT);
    }

    private RecoveryCodeRedemption redeem(String user, String code) {
        try {
            return recoveryCodes.redeem(user, code);
        } catch (MfaException e) {
            log.debug("recovery code refused: {}", e.reason());
            return new RecoveryCodeRedemption.Rejected(0);
        }
    }

    private void grantOtpFactor(Authentication user, HttpServletRequest request, HttpServletResponse response) {
        List<GrantedAuthority> authorities = new ArrayList<>();
        for (GrantedAuthority a : user.getAuthorities()) {
            if (!MfaPolicy.OTP_AUTHORITY.equals(a.getAuthority())) {
                authorities.add(a);
            }
        }
        authorities.add(FactorGrantedAuthority.withAuthority(MfaPolicy.OTP_AUTHORITY)
                .issuedAt(clock.instant())
                .build());
        UsernamePasswordAuthenticationToken next = UsernamePasswordAuthenticationToken.authenticated(
                Objects.requireNonNull(user.getPrincipal(), "principal must not be null"), null, authorities);
        next.setDetails(user.getDetails());
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(next);
        SecurityContextHolder.setContext(context);
        // The session gained privilege: a new session, as after the password step (session fixation). Not
        // changeSessionId(): with sessions in a shared table, a concurrent request saving its stale copy would
        // write the old id back over the new one.
        fixation.onAuthentication(next, request, response);
        contexts.saveContext(context, request, response);
    }

    /**
     * Where an enrolment from a session whose factors are not fresh goes: a session the account pages are open to
     * (every factor it owes, or none owed by the account itself) confirms the factors at {@code /account/confirm} and
     * comes back; any other (its own account requires the factor it lacks, so the account pages send it back here) is
     * signed out and signs in again, the saved authorization request kept. Nothing is enrolled either way.
     */
    private String staleEnrolment(Authentication user, HttpServletRequest request, HttpServletResponse response) {
        log.debug("enrolment held back: the session's factors are not fresh");
        if (policy.hasAllFactors(user) || !policy.otpRequired(user.getName(), null, null)) {
            return "redirect:" + CONFIRM_THEN_ENROL;
        }
        SecurityContext empty = SecurityContextHolder.createEmptyContext();
        SecurityContextHolder.setContext(empty);
        contexts.saveContext(empty, request, response);
        return "redirect:" + ReauthenticationFilter.LOGIN_PAGE;
    }

    private String resume(HttpServletRequest request, HttpServletResponse response) {
        return continuation.resume(request, response);
    }

    /**
     * The saved request as a path and query on this server. The saved URL was built from the request's own Host
     * header; only its path and query are used, so the step can never send the browser to another host.
     */
    static String sameOrigin(String savedUrl) {
        return SavedRequestRedirect.pathAndQuery(savedUrl);
    }

    private static void noStore(HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Pragma", "no-cache");
    }

    /** The attempt counters' key: the canonical name, as at the password step. */
    private static String account(Authentication user) {
        return Usernames.canonical(user.getName());
    }

    private static String address(HttpServletRequest request) {
        String address = request.getRemoteAddr();
        return address == null ? "unknown" : address;
    }
}
