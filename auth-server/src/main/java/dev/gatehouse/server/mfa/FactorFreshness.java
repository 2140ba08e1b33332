package dev.gatehouse.server.mfa;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;

/**
 * Whether a session's factors are fresh enough for a sensitive second-factor action (set up, replace or remove TOTP,
 * new recovery codes), shared by the account pages ({@code account}) and the sign-in's enrolment pages ({@code
 * signin}), which both sit above this package.
 *
 * <p>Fresh means, like OIDC's {@code max_age} read cautiously (the earliest factor counts): every factor the session
 * carries is younger than {@code gatehouse.server.account.reauthentication-max-age}, and either the passkey factor is
 * among them (every factor at once, issue #16), or the password factor is, and so is the one-time-code factor when
 * the user has TOTP; a user with a passkey and no TOTP owes one of the two after the password. A factor without a
 * time, or any doubt, is stale.
 */
public final class FactorFreshness {

    private final MfaPolicy policy;
    private final Clock clock;
    private final Duration maxAge;

    /**
     * Creates the check.
     *
     * @param policy tells whether the user has TOTP (and so owes its factor)
     * @param clock the time the factors' ages are read at
     * @param maxAge how young every factor must be
     */
    public FactorFreshness(MfaPolicy policy, Clock clock, Duration maxAge) {
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge must not be null");
    }

    /**
     * Whether every factor is young enough, and every factor the user has is present.
     *
     * @param user the session's authentication
     * @return {@code true} only if fresh; stale or in doubt is {@code false}
     */
    public boolean fresh(Authentication user) {
        Instant now = clock.instant();
        boolean password = false;
        boolean otp = false;
        boolean passkey = false;
        for (GrantedAuthority a : user.getAuthorities()) {
            if (a instanceof FactorGrantedAuthority factor) {
                Instant at = factor.getIssuedAt();
                if (at == null || at.plus(maxAge).isBefore(now)) {
                    return false;
                }
                password |= FactorGrantedAuthority.PASSWORD_AUTHORITY.equals(factor.getAuthority());
                otp |= MfaPolicy.OTP_AUTHORITY.equals(factor.getAuthority());
                passkey |= MfaPolicy.PASSKEY_AUTHORITY.equals(factor.getAuthority());
            }
        }
        if (passkey) {
            // A passkey with user verification is every factor at once (issue #16).
            return true;
        }
        return password && (otp || (!policy.hasConfirmedTotp(user.getName()) && !policy.hasPasskey(user.getName())));
    }
}
