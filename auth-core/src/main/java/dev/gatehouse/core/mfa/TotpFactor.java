package dev.gatehouse.core.mfa;

import java.time.Instant;
import java.util.Objects;

/**
 * The stored state of one user's TOTP factor, as a {@link TotpFactorStore} keeps it.
 *
 * @param userId the owner
 * @param sealedSecret the secret sealed by the {@code crypto} envelope under context {@code "totp:" + userId}
 * @param parameters algorithm, digits, period and window fixed at enrolment
 * @param confirmed {@code false} while pending (unusable until a first valid code confirms it)
 * @param lastAcceptedStep the last time step accepted, {@code -1} if none; codes at or before it are refused
 *     (RFC 6238 §5.2)
 * @param version incremented on every change; stores update only if the version they hold still matches
 * @param createdAt when the enrolment began
 */
public record TotpFactor(
        String userId,
        String sealedSecret,
        TotpParameters parameters,
        boolean confirmed,
        long lastAcceptedStep,
        long version,
        Instant createdAt) {

    /** Checks nulls. */
    public TotpFactor {
        Objects.requireNonNull(userId, "userId must not be null");
        Objects.requireNonNull(sealedSecret, "sealedSecret must not be null");
        Objects.requireNonNull(parameters, "parameters must not be null");
        Objects.requireNonNull(createdAt, "createdAt must not be null");
    }

    /**
     * The state after a code for {@code step} was accepted.
     *
     * @param step the accepted time step
     * @param sealed the sealed secret to keep (re-sealed if the master key rotated)
     * @return the next state, confirmed, with the version incremented
     */
    public TotpFactor accepted(long step, String sealed) {
        return new TotpFactor(userId, sealed, parameters, true, step, version + 1, createdAt);
    }

    @Override
    public String toString() {
        return "TotpFactor[userId=" + userId + ", " + parameters + ", confirmed=" + confirmed + ", lastAcceptedStep="
                + lastAcceptedStep + ", version=" + version + ", createdAt=" + createdAt + "]";
    }
}
