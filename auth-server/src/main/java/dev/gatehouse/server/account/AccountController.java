package dev.gatehouse.server.account;

import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.PasswordPolicy;
import dev.gatehouse.core.password.PolicyResult;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.registration.ResetLinks;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.server.users.PasswordAuthenticationProvider;
import dev.gatehouse.server.users.SignInSessions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The account's overview ({@code /account}: name, creation time, roles, second-factor state, recovery codes left)
 * and the password change ({@code /account/password}). The current password is checked by the sign-in's own {@link
 * PasswordAuthenticationProvider} (the same hasher, store and attempt limiter, so this form cannot be used to guess
 * faster than the sign-in form); the new one by auth-core's {@link PasswordPolicy}. A changed password ends every other
 * browser session of the user on every node, while this one stays signed in.
 */
@Controller
final class AccountController {

    private final JdbcUserStore users;
    private final PasswordHasher hasher;
    private final PasswordPolicy policy;
    private final PasswordAuthenticationProvider passwords;
    private final TotpService totp;
    private final RecoveryCodes recoveryCodes;
    private final SignInSessions signIns;
    private final UserSessions sessions;
    private final Factors factors;
    private final AccountAudit audit;
    private final ResetLinks resetLinks;

    AccountController(
            JdbcUserStore users,
            PasswordHasher hasher,
            ObjectProvider<PasswordPolicy> policy,
            PasswordAuthenticationProvider passwords,
            TotpService totp,
            RecoveryCodes recoveryCodes,
            SignInSessions signIns,
            UserSessions sessions,
            Factors factors,
            AccountAudit audit,
            ResetLinks resetLinks) {
        this.resetLinks = Objects.requireNonNull(resetLinks, "resetLinks must not be null");
        this.users = Objects.requireNonNull(users, "users must not be null");
        this.hasher = Objects.requireNonNull(hasher, "hasher must not be null");
        this.policy = policy.getIfAvailable(PasswordPolicy::defaults);
        this.passwords = Objects.requireNonNull(passwords, "passwords must not be null");
        this.totp = Objects.requireNonNull(totp, "totp must not be null");
        this.recoveryCodes = Objects.requireNonNull(recoveryCodes, "recoveryCodes must not be null");
        this.signIns = Objects.requireNonNull(signIns, "signIns must not be null");
        this.sessions = Objects.requireNonNull(sessions, "sessions must not be null");
        this.factors = Objects.requireNonNull(factors, "factors must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
    }

    /** The overview. */
    @GetMapping("/account")
    String overview(Authentication user, Model model) {
        String name = user.getName();
        JdbcUserStore.Account account = users.account(name)
                .orElseThrow(() -> new IllegalStateException(
                        "the signed-in user has no account row")); // SessionValidityFilter ends such sessions first
        TotpService.FactorStatus status = totp.status(name);
        model.addAttribute("user", name);
        model.addAttribute("created", Times.utc(account.createdAt()));
        model.addAttribute("roles", users.roles(name));
        model.addAttribute("totp", status == TotpService.FactorStatus.CONFIRMED);
        model.addAttribute("mfaRequired", account.mfaRequired());
        model.addAttribute("recoveryCodesLeft", recoveryCodes.remaining(name));
        return "account/index";
    }

    /** The password form. */
    @GetMapping("/account/password")
    String passwordPage(Authentication user, Model model) {
        model.addAttribute("user", user.getName());
        model.addAttribute("errors", List.of());
        model.addAttribute("minLength", policy.minLength());
        return "account/password";
    }

    /** Changes the password. */
    @PostMapping("/account/password")
    String changePassword(
            Authentication user,
            @RequestParam(name = "current_password", required = false) @Nullable String current,
            @RequestParam(name = "new_password", required = false) @Nullable String next,
            @RequestParam(name = "confirm_password", required = false) @Nullable String confirmation,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        String name = user.getName();
        model.addAttribute("user", name);
        model.addAttribute("minLength", policy.minLength());
        List<FormError> errors = new ArrayList<>();
        boolean ok = Inputs.check(errors, "current_password", current, Inputs.MAX_PASSWORD);
        ok &= Inputs.check(errors, "new_password", next, Inputs.MAX_PASSWORD);
        ok &= Inputs.check(errors, "confirm_password", confirmation, Inputs.MAX_PASSWORD);
        if (ok && !Objects.equals(next, confirmation)) {
            errors.add(FormError.of("confirm_password", "account.password.error.mismatch"));
            ok = false;
        }
        if (!ok) {
            audit.failure(AuditEvents.ACCOUNT_PASSWORD_CHANGE, name, request, "reason", "input");
            return refused(model, errors, response);
        }
        String currentPassword = Objects.requireNonNull(current);
        String newPassword = Objects.requireNonNull(next);
        // The current password first, counted by the sign-in's attempt limiter whatever the new one is.
        try {
            passwords.authenticate(verification(name, currentPassword, request));
        } catch (PasswordAuthenticationProvider.Throttled throttled) {
            audit.denied(AuditEvents.ACCOUNT_PASSWORD_CHANGE, name, request, "reason", "throttled");
            errors.add(FormError.of("current_password", "account.error.throttled"));
            return refused(model, errors, response);
        } catch (AuthenticationException wrong) {
            audit.failure(AuditEvents.ACCOUNT_PASSWORD_CHANGE, name, request, "reason", "current_password");
            errors.add(FormError.of("current_password", "account.password.error.current"));
            return refused(model, errors, response);
        }
        PolicyResult result = policy.check(newPassword, name);
        if (!result.accepted()) {
            for (PolicyResult.Violation v : result.violations()) {
                errors.add(FormError.of(
                        "new_password",
                        "account.password.policy." + v.code().name().toLowerCase(Locale.ROOT),
                        policy.minLength(),
                        policy.maxLength()));
            }
            audit.failure(
                    AuditEvents.ACCOUNT_PASSWORD_CHANGE,
                    name,
                    request,
                    "reason",
                    "policy",
                    "violations",
                    String.join(
                            " ",
                            result.violations().stream()
                                    .map(v -> v.code().name().toLowerCase(Locale.ROOT))
                                    .toList()));
            return refused(model, errors, response);
        }
        if (!users.setPasswordHash(name, hasher.hash(newPassword))) {
            throw new IllegalStateException("the signed-in user has no account row");
        }
        // Every other sign-in of the user ends, on every node: their rows go, and any sign-in older than now is
        // refused (SessionValidityFilter), which also catches one racing this change with the old password.
        HttpSession session = request.getSession(false);
        int ended = sessions.endOthers(name, session == null ? null : session.getId());
        signIns.endAll(name);
        // A reset link mailed before the change would undo it: withdrawn.
        resetLinks.withdraw(name);
        // This session stays: its password factor is stamped after the end recorded above. The database keeps
        // microseconds (PostgreSQL rounds to them), so the stamp is the next microsecond, never before it.
        Instant stamp = factors.now().truncatedTo(ChronoUnit.MICROS).plus(1, ChronoUnit.MICROS);
        factors.restamp(user, stamp, null, request, response);
        audit.success(AuditEvents.ACCOUNT_PASSWORD_CHANGE, name, request, "sessions_ended", Integer.toString(ended));
        return "redirect:/account/password?changed";
    }

    private static String refused(Model model, List<FormError> errors, HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        model.addAttribute("errors", errors);
        return "account/password";
    }

    /** The current password as the sign-in form would present it, with the client address for the limiter. */
    static UsernamePasswordAuthenticationToken verification(String name, String password, HttpServletRequest request) {
        UsernamePasswordAuthenticationToken token = UsernamePasswordAuthenticationToken.unauthenticated(name, password);
        token.setDetails(new WebAuthenticationDetails(AccountAudit.address(request), null));
        return token;
    }
}
