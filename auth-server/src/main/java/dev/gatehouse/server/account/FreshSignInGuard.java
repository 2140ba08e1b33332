package dev.gatehouse.server.account;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Objects;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Holds an account change that lives outside this package's controllers (the change of address, {@code
 * /account/email}, in {@code registration}) back until the sign-in is fresh ({@link Factors#fresh}), as the account's
 * own changes are: a stale session confirms its factors at {@code /account/confirm} first and comes back. Runs after
 * the {@link FactorGuard}, so every factor the user has is present by then.
 */
final class FreshSignInGuard implements HandlerInterceptor {

    private final Factors factors;
    private final String path;

    FreshSignInGuard(Factors factors, String path) {
        this.factors = Objects.requireNonNull(factors, "factors must not be null");
        this.path = Objects.requireNonNull(path, "path must not be null");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws Exception {
        Authentication user = SecurityContextHolder.getContext().getAuthentication();
        if (user != null && factors.fresh(user)) {
            return true;
        }
        response.sendRedirect(request.getContextPath() + TwoStepController.CONFIRM + "?next=" + path);
        return false;
    }
}
