package dev.gatehouse.core.mfa;

/**
 * The outcome of {@link RecoveryCodes#redeem}: whether the code was accepted (and is now spent) and how many
 * remain, so the page can urge the user to regenerate when few are left.
 *
 * @param accepted whether the code was one of the user's unused codes
 * @param remaining unused codes left after this attempt
 */
public record RecoveryCodeRedemption(boolean accepted, int remaining) {

    /** Checks the count. */
    public RecoveryCodeRedemption {
        if (remaining < 0) {
            throw new IllegalArgumentException("remaining must not be negative");
        }
    }
}
