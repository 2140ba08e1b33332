package dev.gatehouse.core.mfa;

import java.util.Objects;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of {@link TotpService#verify} or {@link TotpService#confirm}. Anything other than {@link
 * Outcome#ACCEPTED} is a refusal; the outcome says why, for logs and metrics, but users should see one
 * message for all of them.
 */
public final class TotpVerification {

    /** Why a code was accepted or refused. */
    public enum Outcome {
        /** The code matched a fresh time step, which is now recorded as used. */
        ACCEPTED,
        /** The code matched no step in the window (or was not {@code digits} digits). */
        INVALID_CODE,
        /** The code matched a step at or before the last accepted one (RFC 6238 §5.2). */
        REPLAYED,
        /** The user has no TOTP factor. */
        NOT_ENROLLED,
        /** {@code verify}: the factor is still pending; confirm it first. */
        PENDING_CONFIRMATION,
        /** {@code confirm}: the factor is already confirmed; use {@code verify}. */
        ALREADY_CONFIRMED;
    }

    private final Outcome outcome;
    private final long step;

    private TotpVerification(Outcome outcome, long step) {
        this.outcome = outcome;
        this.step = step;
    }

    static TotpVerification accepted(long step) {
        return new TotpVerification(Outcome.ACCEPTED, step);
    }

    static TotpVerification refused(Outcome outcome) {
        if (Objects.requireNonNull(outcome, "outcome must not be null") == Outcome.ACCEPTED) {
            throw new IllegalArgumentException("a refusal needs a refusing outcome");
        }
        return new TotpVerification(outcome, -1);
    }

    /**
     * Whether the code was accepted.
     *
     * @return {@code true} only for {@link Outcome#ACCEPTED}
     */
    public boolean accepted() {
        return outcome == Outcome.ACCEPTED;
    }

    /**
     * Why.
     *
     * @return the outcome
     */
    public Outcome outcome() {
        return outcome;
    }

    /**
     * The time step the code matched, when accepted.
     *
     * @return the step, or empty
     */
    public OptionalLong step() {
        return accepted() ? OptionalLong.of(step) : OptionalLong.empty();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof TotpVerification v && v.outcome == outcome && v.step == step;
    }

    @Override
    public int hashCode() {
        return Objects.hash(outcome, step);
    }

    @Override
    public String toString() {
        return "TotpVerification[" + outcome + (accepted() ? ", step=" + step : "") + "]";
    }
}
