package dev.gatehouse.server.account;

import dev.gatehouse.server.mfa.MfaPolicy;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Objects;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Holds every {@code /account} page back until the session carries every factor the user owes ({@link MfaPolicy}: a
 * confirmed TOTP factor, or an operator's requirement): a password-only session of such a user goes to the TOTP step
 * (or to enrolment), as an authorization request would. Account responses are never stored by caches: they show
 * sessions, addresses and, once, recovery codes and keys.
 */
final class FactorGuard implements HandlerInterceptor {

    private final MfaPolicy policy;

    FactorGuard(MfaPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws Exception {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Pragma", "no-cache");
        Authentication user = SecurityContextHolder.getContext().getAuthentication();
        if (user == null || !user.isAuthenticated() || user instanceof AnonymousAuthenticationToken) {
            // The login chain lets nobody anonymous this far; should it ever, nothing is shown.
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            return false;
        }
        if (policy.hasAllFactors(user) || !policy.otpRequired(user.getName(), null, null)) {
            return true;
        }
        // The step the user can pass: the TOTP step, else the passkey step (a user with a passkey owes it, issue
        // #16), else enrolment.
        String name = user.getName();
        String next =
                policy.hasConfirmedTotp(name) ? "/mfa/totp" : policy.hasPasskey(name) ? "/mfa/passkey" : "/mfa/enroll";
        response.sendRedirect(request.getContextPath() + next);
        return false;
    }
}
