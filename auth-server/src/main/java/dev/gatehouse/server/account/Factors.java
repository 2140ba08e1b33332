package dev.gatehouse.server.account;

import dev.gatehouse.server.mfa.FactorFreshness;
import dev.gatehouse.server.mfa.MfaPolicy;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;
import org.springframework.security.web.authentication.session.SessionFixationProtectionStrategy;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;

/**
 * The session's factors, in Spring Security 7's factor-authority model: whether they are fresh enough for a sensitive
 * action, and stamping them anew after the user proved them again.
 *
 * <p>Fresh is {@link FactorFreshness}'s reading (every factor younger than {@code
 * gatehouse.server.account.reauthentication-max-age}, the one-time-code factor included when the user has TOTP),
 * shared with the sign-in's enrolment pages. A factor without a time, or any doubt, is stale: the user confirms
 * again.
 */
final class Factors {

    private final Clock clock;
    private final Duration maxAge;
    private final FactorFreshness freshness;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();
    private final SessionAuthenticationStrategy fixation = new SessionFixationProtectionStrategy();

    Factors(MfaPolicy policy, Clock clock, Duration maxAge) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge must not be null");
        this.freshness = new FactorFreshness(policy, clock, maxAge);
    }

    /**
     * Whether every factor is young enough, and every factor the user has is present ({@link FactorFreshness}); or a
     * passkey was just used ({@link #freshPasskey}): a user-verified assertion proves every factor at once (issue #16),
     * so an older password factor kept beside it by Spring's factor merge does not make the session stale.
     */
    boolean fresh(Authentication user) {
        return freshness.fresh(user) || freshPasskey(user);
    }

    /**
     * Whether the session carries a passkey factor ({@link MfaPolicy#PASSKEY_AUTHORITY}, WebAuthn Level 3 §7.2 with
     * user verification) younger than {@code gatehouse.server.account.reauthentication-max-age}. A factor without a
     * time is not fresh.
     */
    boolean freshPasskey(Authentication user) {
        Instant now = clock.instant();
        for (GrantedAuthority a : user.getAuthorities()) {
            if (a instanceof FactorGrantedAuthority factor
                    && MfaPolicy.PASSKEY_AUTHORITY.equals(factor.getAuthority())) {
                Instant at = factor.getIssuedAt();
                if (at != null && !at.plus(maxAge).isBefore(now)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The same check, for the sign-in's enrolment pages. */
    FactorFreshness freshness() {
        return freshness;
    }

    /**
     * Replaces the session's authentication by one whose factors were proved at {@code passwordAt} and, when given,
     * {@code otpAt}; other authorities (roles) are kept. The session gets a new id (session fixation), as after the
     * sign-in's own steps.
     *
     * @param user the current authentication
     * @param passwordAt when the password was proved
     * @param otpAt when a one-time code was proved, or {@code null} to keep the session's own one-time-code factor
     */
    void restamp(
            Authentication user,
            Instant passwordAt,
            @org.jspecify.annotations.Nullable Instant otpAt,
            HttpServletRequest request,
            HttpServletResponse response) {
        List<GrantedAuthority> authorities = new ArrayList<>();
        for (GrantedAuthority a : user.getAuthorities()) {
            String name = a.getAuthority();
            // The passkey factor is dropped, not kept with its old time (it would hold the session stale for good):
            // a user who owes it passes the passkey step again (FactorGuard sends there), and proves it fresh.
            boolean replaced = FactorGrantedAuthority.PASSWORD_AUTHORITY.equals(name)
                    || MfaPolicy.PASSKEY_AUTHORITY.equals(name)
                    || (otpAt != null && MfaPolicy.OTP_AUTHORITY.equals(name));
            if (!replaced) {
                authorities.add(a);
            }
        }
        authorities.add(FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.PASSWORD_AUTHORITY)
                .issuedAt(passwordAt)
                .build());
        if (otpAt != null) {
            authorities.add(FactorGrantedAuthority.withAuthority(MfaPolicy.OTP_AUTHORITY)
                    .issuedAt(otpAt)
                    .build());
        }
        UsernamePasswordAuthenticationToken next = UsernamePasswordAuthenticationToken.authenticated(
                Objects.requireNonNull(user.getPrincipal(), "principal must not be null"), null, authorities);
        next.setDetails(user.getDetails());
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(next);
        SecurityContextHolder.setContext(context);
        // Not changeSessionId(): with sessions in a shared table a concurrent request saving its stale copy would
        // write the old id back (as in the sign-in's own steps).
        fixation.onAuthentication(next, request, response);
        contexts.saveContext(context, request, response);
    }

    Instant now() {
        return clock.instant();
    }
}
