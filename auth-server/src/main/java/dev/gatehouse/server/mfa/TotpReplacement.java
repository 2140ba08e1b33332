package dev.gatehouse.server.mfa;

import dev.gatehouse.core.mfa.MfaException;
import dev.gatehouse.core.mfa.TotpEnrolment;
import dev.gatehouse.core.mfa.TotpFactor;
import dev.gatehouse.core.mfa.TotpFactorStore;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.mfa.TotpVerification;
import java.util.Objects;
import java.util.Optional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Replacing a user's authenticator app without a gap: a new key is made and shown while the factor in use keeps
 * working; only a code from the new app makes it the factor (in one transaction: the old factor goes, the new one,
 * with the step of that code already used, takes its place). The new key is kept sealed in {@code
 * gh_totp_replacement} under the same envelope context as the factor (the user), so it moves over unchanged. Codes
 * are checked by auth-core's {@link TotpService} over that store, replay protection included.
 */
public final class TotpReplacement {

    private final TotpService factors;
    private final TotpFactorStore factorStore;
    private final TotpService replacements;
    private final TotpFactorStore replacementStore;
    private final TransactionTemplate tx;

    TotpReplacement(
            TotpService factors,
            TotpFactorStore factorStore,
            TotpService replacements,
            TotpFactorStore replacementStore,
            TransactionTemplate tx) {
        this.factors = Objects.requireNonNull(factors, "factors must not be null");
        this.factorStore = Objects.requireNonNull(factorStore, "factorStore must not be null");
        this.replacements = Objects.requireNonNull(replacements, "replacements must not be null");
        this.replacementStore = Objects.requireNonNull(replacementStore, "replacementStore must not be null");
        this.tx = Objects.requireNonNull(tx, "tx must not be null");
    }

    /**
     * Starts (or restarts) a replacement: a new key, shown once; the factor in use is unchanged.
     *
     * @param username the user, who must have a confirmed factor
     * @return the new key, its otpauth URI and QR code, or empty when the user has no confirmed factor to replace
     */
    public Optional<TotpEnrolment> start(String username) {
        if (factors.status(username) != TotpService.FactorStatus.CONFIRMED) {
            return Optional.empty();
        }
        replacementStore.delete(username);
        try {
            return Optional.of(replacements.enrol(username, username));
        } catch (MfaException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether a replacement waits for its first code.
     *
     * @param username the user
     * @return {@code true} if one is pending
     */
    public boolean pending(String username) {
        return replacements.status(username) == TotpService.FactorStatus.PENDING;
    }

    /**
     * Confirms the replacement with a code from the new app; on success the new key is the user's factor.
     *
     * @param username the user
     * @param code the code as typed
     * @return accepted, or rejected saying why ({@code NOT_ENROLLED} when nothing is pending)
     */
    public TotpVerification confirm(String username, CharSequence code) {
        if (factors.status(username) != TotpService.FactorStatus.CONFIRMED) {
            // The factor was removed meanwhile (by the user or an operator): nothing to replace, and a key made for
            // a replacement does not become a new enrolment.
            replacementStore.delete(username);
            return new TotpVerification.Rejected(TotpVerification.Reason.NOT_ENROLLED);
        }
        TotpVerification verification = replacements.confirm(username, code);
        if (!verification.accepted()) {
            return verification;
        }
        Boolean moved = tx.execute(status -> {
            Optional<TotpFactor> confirmed = replacementStore.find(username);
            if (confirmed.isEmpty() || !confirmed.get().confirmed()) {
                return false;
            }
            TotpFactor next = confirmed.get();
            if (!factorStore.delete(username)) {
                // Removed between the check above and now: same answer as above.
                replacementStore.delete(username);
                return false;
            }
            TotpFactor pending =
                    new TotpFactor(username, next.sealedSecret(), next.parameters(), false, -1, 0, next.createdAt());
            if (!factorStore.savePending(pending)
                    || !factorStore.compareAndSet(
                            pending, pending.accepted(next.lastAcceptedStep(), next.sealedSecret()))) {
                status.setRollbackOnly();
                return false;
            }
            replacementStore.delete(username);
            return true;
        });
        return Boolean.TRUE.equals(moved)
                ? verification
                : new TotpVerification.Rejected(TotpVerification.Reason.NOT_ENROLLED);
    }

    /**
     * Drops a pending replacement (when the factor is removed, or the user starts over).
     *
     * @param username the user
     */
    public void cancel(String username) {
        replacementStore.delete(username);
    }
}
