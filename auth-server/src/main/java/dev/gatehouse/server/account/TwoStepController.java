package dev.gatehouse.server.account;

import dev.gatehouse.core.mfa.MfaException;
import dev.gatehouse.core.mfa.RecoveryCodeRedemption;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.TotpEnrolment;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.mfa.TotpVerification;
import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.mfa.TotpReplacement;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.server.users.PasswordAuthenticationProvider;
import dev.gatehouse.server.users.Usernames;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Two-step verification of the account ({@code /account/two-step}): set up (the sign-in's own enrolment pages), remove
 * TOTP, and make new recovery codes, each only on a fresh sign-in ({@link Factors#fresh}); otherwise the user confirms
 * the password, and a TOTP code when enrolled, at {@code /account/confirm} and comes back to the action. A stale or
 * missing factor never lets an action through (fail closed). Both checks count against the sign-in's attempt limiters.
 */
@Controller
final class TwoStepController {

    /** The MFA attempt limiter of the sign-in's TOTP step (signin.SignInConfiguration), by its bean name. */
    static final String MFA_LIMITER = "mfaAttemptLimiter";

    static final String CONFIRM = "/account/confirm";
    static final String TWO_STEP = "/account/two-step";
    static final String SETUP = "/account/two-step/setup";
    static final String REPLACE = "/account/two-step/replace";
    /** The change of address (registration's controller, guarded by {@link FreshSignInGuard}). */
    static final String EMAIL = "/account/email";

    /** Where a confirmation may return to: account pages only, never a URL from elsewhere. */
    private static final Set<String> RETURNS = Set.of(TWO_STEP, SETUP, REPLACE, EMAIL, PasskeysController.PASSKEYS);

    private final TotpService totp;
    private final RecoveryCodes recoveryCodes;
    private final JdbcUserStore users;
    private final MfaPolicy policy;
    private final PasswordAuthenticationProvider passwords;
    private final AttemptLimiter codeLimiter;
    private final TotpReplacement replacement;
    private final Factors factors;
    private final AccountAudit audit;

    TwoStepController(
            TotpService totp,
            RecoveryCodes recoveryCodes,
            JdbcUserStore users,
            MfaPolicy policy,
            PasswordAuthenticationProvider passwords,
            @Qualifier(MFA_LIMITER) AttemptLimiter codeLimiter,
            TotpReplacement replacement,
            Factors factors,
            AccountAudit audit) {
        this.totp = Objects.requireNonNull(totp, "totp must not be null");
        this.recoveryCodes = Objects.requireNonNull(recoveryCodes, "recoveryCodes must not be null");
        this.users = Objects.requireNonNull(users, "users must not be null");
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.passwords = Objects.requireNonNull(passwords, "passwords must not be null");
        this.codeLimiter = Objects.requireNonNull(codeLimiter, "codeLimiter must not be null");
        this.replacement = Objects.requireNonNull(replacement, "replacement must not be null");
        this.factors = Objects.requireNonNull(factors, "factors must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
    }

    /** Where the second factor stands, and what can be done. */
    @GetMapping(TWO_STEP)
    String page(Authentication user, Model model) {
        return show(user, model, List.of());
    }

    /** Setting up TOTP: the sign-in's enrolment pages, after a fresh confirmation. */
    @GetMapping(SETUP)
    String setup(Authentication user) {
        if (!factors.fresh(user)) {
            return confirmFirst(SETUP);
        }
        return "redirect:/mfa/enroll";
    }

    /** Removes the TOTP factor and the recovery codes, unless an operator requires the second factor. */
    @PostMapping("/account/two-step/remove")
    String remove(Authentication user, HttpServletRequest request, HttpServletResponse response, Model model) {
        if (!factors.fresh(user)) {
            return confirmFirst(TWO_STEP);
        }
        String name = user.getName();
        if (users.mfaRequired(name)) {
            audit.denied(AuditEvents.ACCOUNT_MFA_REMOVE, name, request, "reason", "required");
            response.setStatus(HttpServletResponse.SC_CONFLICT);
            return show(user, model, List.of(FormError.of("remove", "account.twostep.error.required")));
        }
        if (!policy.hasConfirmedTotp(name)) {
            return show(user, model, List.of(FormError.of("remove", "account.twostep.error.not_enrolled")));
        }
        replacement.cancel(name);
        totp.remove(name);
        recoveryCodes.revokeAll(name);
        audit.success(AuditEvents.ACCOUNT_MFA_REMOVE, name, request);
        return "redirect:" + TWO_STEP + "?removed";
    }

    /** Starts replacing the authenticator app: a new key, shown once; the app in use keeps working meanwhile. */
    @PostMapping("/account/two-step/replace/start")
    String replaceStart(Authentication user, HttpServletRequest request, Model model) {
        if (!factors.fresh(user)) {
            return confirmFirst(TWO_STEP);
        }
        String name = user.getName();
        Optional<TotpEnrolment> started = replacement.start(name);
        if (started.isEmpty()) {
            return show(user, model, List.of(FormError.of("replace", "account.twostep.error.not_enrolled")));
        }
        audit.success(AuditEvents.ACCOUNT_MFA_REPLACE, name, request, "step", "start");
        model.addAttribute("user", name);
        model.addAttribute("qr", started.get().qrDataUri());
        model.addAttribute("secret", started.get().secretBase32());
        model.addAttribute("errors", List.of());
        return "account/replace";
    }

    /** The pending replacement's code form (the key is not shown again). */
    @GetMapping(REPLACE)
    String replacePage(Authentication user, Model model) {
        if (!replacement.pending(user.getName())) {
            return "redirect:" + TWO_STEP;
        }
        model.addAttribute("user", user.getName());
        model.addAttribute("errors", List.of());
        return "account/replace";
    }

    /** Confirms the new app with a code from it; the old app stops working only now. */
    @PostMapping(REPLACE)
    String replaceConfirm(
            Authentication user,
            @RequestParam(name = "code", required = false) @Nullable String code,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        if (!factors.fresh(user)) {
            return confirmFirst(REPLACE);
        }
        String name = user.getName();
        model.addAttribute("user", name);
        List<FormError> errors = new ArrayList<>();
        if (!Inputs.check(errors, "code", code, Inputs.MAX_CODE)) {
            audit.failure(AuditEvents.ACCOUNT_MFA_REPLACE, name, request, "reason", "input");
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            model.addAttribute("errors", errors);
            return "account/replace";
        }
        String typed = Objects.requireNonNull(code);
        AttemptLimiter.Attempt<TotpVerification> attempt = codeLimiter.attempt(
                Usernames.canonical(name),
                AccountAudit.address(request),
                () -> replacement.confirm(name, typed),
                TotpVerification::accepted);
        if (!(attempt instanceof AttemptLimiter.Attempt.Completed<TotpVerification> checked)) {
            audit.denied(AuditEvents.ACCOUNT_MFA_REPLACE, name, request, "reason", "throttled");
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            model.addAttribute("errors", List.of(FormError.of("code", "account.error.throttled")));
            return "account/replace";
        }
        if (checked.result() instanceof TotpVerification.Rejected rejected) {
            boolean none = rejected.reason() == TotpVerification.Reason.NOT_ENROLLED;
            audit.failure(AuditEvents.ACCOUNT_MFA_REPLACE, name, request, "reason", none ? "not_pending" : "code");
            if (none) {
                return show(user, model, List.of(FormError.of("replace", "account.replace.error.none")));
            }
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            model.addAttribute("errors", List.of(FormError.of("code", "account.replace.error.failed")));
            return "account/replace";
        }
        audit.success(AuditEvents.ACCOUNT_MFA_REPLACE, name, request, "step", "confirm");
        return "redirect:" + TWO_STEP + "?replaced";
    }

    /** Makes a new set of recovery codes (the old ones stop working) and shows them once. */
    @PostMapping("/account/two-step/recovery-codes")
    String regenerate(Authentication user, HttpServletRequest request, Model model) {
        if (!factors.fresh(user)) {
            return confirmFirst(TWO_STEP);
        }
        String name = user.getName();
        if (!policy.hasConfirmedTotp(name)) {
            return show(user, model, List.of(FormError.of("regenerate", "account.twostep.error.not_enrolled")));
        }
        List<String> codes = recoveryCodes.generate(name);
        audit.success(
                AuditEvents.ACCOUNT_RECOVERY_CODES,
                name,
                request,
                "recovery_codes_issued",
                Integer.toString(codes.size()));
        model.addAttribute("user", name);
        model.addAttribute("codes", codes);
        return "account/recovery-codes";
    }

    /** The confirmation form: the password, and a TOTP code when the user has one. */
    @GetMapping(CONFIRM)
    String confirmPage(
            Authentication user, @RequestParam(name = "next", required = false) @Nullable String next, Model model) {
        return confirmView(user, model, returnTo(next), List.of());
    }

    /** Checks the factors again; on success they are stamped anew and the user goes back to the action. */
    @PostMapping(CONFIRM)
    String confirm(
            Authentication user,
            @RequestParam(name = "password", required = false) @Nullable String password,
            @RequestParam(name = "code", required = false) @Nullable String code,
            @RequestParam(name = "recovery_code", required = false) @Nullable String recoveryCode,
            @RequestParam(name = "next", required = false) @Nullable String next,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        String name = user.getName();
        String back = returnTo(next);
        boolean withCode = policy.hasConfirmedTotp(name);
        List<FormError> errors = new ArrayList<>();
        boolean ok = Inputs.check(errors, "password", password, Inputs.MAX_PASSWORD);
        // A recovery code stands in for the app's code, as at sign-in (a lost phone); it is used up.
        boolean withRecoveryCode =
                withCode && (code == null || code.isEmpty()) && recoveryCode != null && !recoveryCode.isEmpty();
        if (withRecoveryCode) {
            ok &= Inputs.check(errors, "recovery_code", recoveryCode, Inputs.MAX_RECOVERY_CODE);
        } else if (withCode) {
            ok &= Inputs.check(errors, "code", code, Inputs.MAX_CODE);
        }
        if (!ok) {
            audit.failure(AuditEvents.ACCOUNT_REAUTHENTICATE, name, request, "reason", "input");
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return confirmView(user, model, back, errors);
        }
        Instant passwordAt;
        try {
            passwords.authenticate(AccountController.verification(name, Objects.requireNonNull(password), request));
            passwordAt = factors.now();
        } catch (PasswordAuthenticationProvider.Throttled throttled) {
            audit.denied(
                    AuditEvents.ACCOUNT_REAUTHENTICATE, name, request, "reason", "throttled", "factor", "password");
            return refusedConfirm(user, model, back, response, FormError.of("password", "account.error.throttled"));
        } catch (AuthenticationException wrong) {
            audit.failure(AuditEvents.ACCOUNT_REAUTHENTICATE, name, request, "reason", "password");
            return refusedConfirm(
                    user, model, back, response, FormError.of("password", "account.confirm.error.failed"));
        }
        @Nullable Instant otpAt = null;
        if (withRecoveryCode) {
            String typed = Objects.requireNonNull(recoveryCode);
            AttemptLimiter.Attempt<RecoveryCodeRedemption> attempt = codeLimiter.attempt(
                    Usernames.canonical(name),
                    AccountAudit.address(request),
                    () -> redeem(name, typed),
                    RecoveryCodeRedemption::accepted);
            if (!(attempt instanceof AttemptLimiter.Attempt.Completed<RecoveryCodeRedemption> checked)) {
                audit.denied(
                        AuditEvents.ACCOUNT_REAUTHENTICATE,
                        name,
                        request,
                        "reason",
                        "throttled",
                        "factor",
                        "recovery_code");
                return refusedConfirm(
                        user, model, back, response, FormError.of("recovery_code", "account.error.throttled"));
            }
            if (!(checked.result() instanceof RecoveryCodeRedemption.Accepted accepted)) {
                audit.failure(AuditEvents.ACCOUNT_REAUTHENTICATE, name, request, "reason", "recovery_code");
                return refusedConfirm(
                        user, model, back, response, FormError.of("recovery_code", "account.confirm.error.failed"));
            }
            factors.restamp(user, passwordAt, factors.now(), request, response);
            audit.success(
                    AuditEvents.ACCOUNT_REAUTHENTICATE,
                    name,
                    request,
                    "factor",
                    "password recovery_code",
                    "recovery_codes_left",
                    Integer.toString(accepted.remaining()));
            return "redirect:" + back;
        }
        if (withCode) {
            String typed = Objects.requireNonNull(code);
            AttemptLimiter.Attempt<TotpVerification> attempt = codeLimiter.attempt(
                    Usernames.canonical(name),
                    AccountAudit.address(request),
                    () -> totp.verify(name, typed),
                    TotpVerification::accepted);
            if (!(attempt instanceof AttemptLimiter.Attempt.Completed<TotpVerification> checked)) {
                audit.denied(
                        AuditEvents.ACCOUNT_REAUTHENTICATE, name, request, "reason", "throttled", "factor", "totp");
                return refusedConfirm(user, model, back, response, FormError.of("code", "account.error.throttled"));
            }
            if (!checked.result().accepted()) {
                audit.failure(AuditEvents.ACCOUNT_REAUTHENTICATE, name, request, "reason", "totp");
                return refusedConfirm(
                        user, model, back, response, FormError.of("code", "account.confirm.error.failed"));
            }
            otpAt = factors.now();
        }
        factors.restamp(user, passwordAt, otpAt, request, response);
        audit.success(
                AuditEvents.ACCOUNT_REAUTHENTICATE, name, request, "factor", withCode ? "password totp" : "password");
        return "redirect:" + back;
    }

    private RecoveryCodeRedemption redeem(String name, String code) {
        try {
            return recoveryCodes.redeem(name, code);
        } catch (MfaException e) {
            // Malformed or unusable: refused like a wrong code, without saying why.
            return new RecoveryCodeRedemption.Rejected(0);
        }
    }

    private String show(Authentication user, Model model, List<FormError> errors) {
        String name = user.getName();
        TotpService.FactorStatus status = totp.status(name);
        model.addAttribute("user", name);
        model.addAttribute("totp", status == TotpService.FactorStatus.CONFIRMED);
        model.addAttribute("mfaRequired", users.mfaRequired(name));
        model.addAttribute("recoveryCodesLeft", recoveryCodes.remaining(name));
        model.addAttribute("errors", errors);
        return "account/two-step";
    }

    private String confirmView(Authentication user, Model model, String back, List<FormError> errors) {
        model.addAttribute("user", user.getName());
        model.addAttribute("withCode", policy.hasConfirmedTotp(user.getName()));
        // A passkey user may confirm with a passkey (hasPasskey is false when passkeys are switched off).
        model.addAttribute("passkey", policy.hasPasskey(user.getName()));
        model.addAttribute("next", back);
        model.addAttribute("errors", errors);
        return "account/confirm";
    }

    private String refusedConfirm(
            Authentication user, Model model, String back, HttpServletResponse response, FormError error) {
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        return confirmView(user, model, back, List.of(error));
    }

    private static String confirmFirst(String back) {
        return "redirect:" + CONFIRM + "?next=" + back;
    }

    private static String returnTo(@Nullable String next) {
        return next != null && RETURNS.contains(next) ? next : TWO_STEP;
    }
}
