package dev.gatehouse.core.mfa;

import java.time.Duration;
import java.util.Objects;

/**
 * How TOTP codes are computed and checked (RFC 6238 §4, §5.2).
 *
 * @param algorithm the HMAC; default {@link TotpAlgorithm#SHA1}
 * @param digits 6 (default) or 8
 * @param period the time step {@code X}; default 30 seconds, whole seconds from 1 to 300
 * @param window how many steps either side of the current one are accepted; default 1 (RFC 6238 §5.2
 *     recommends at most one step of network delay), 0 to 10
 */
public record TotpParameters(TotpAlgorithm algorithm, int digits, Duration period, int window) {

    /** Largest accepted window: beyond this a guesser's odds grow with no benefit to users. */
    public static final int MAX_WINDOW = 10;

    /** Checks ranges. */
    public TotpParameters {
        Objects.requireNonNull(algorithm, "algorithm must not be null");
        Objects.requireNonNull(period, "period must not be null");
        if (digits != 6 && digits != 8) {
            throw new MfaException(MfaException.Reason.INVALID_PARAMETERS, "digits must be 6 or 8, was " + digits);
        }
        if (period.getNano() != 0 || period.getSeconds() < 1 || period.getSeconds() > 300) {
            throw new MfaException(
                    MfaException.Reason.INVALID_PARAMETERS,
                    "period must be a whole number of seconds from 1 to 300 (RFC 6238 default 30), was " + period);
        }
        if (window < 0 || window > MAX_WINDOW) {
            throw new MfaException(
                    MfaException.Reason.INVALID_PARAMETERS,
                    "window must be between 0 and " + MAX_WINDOW + " steps, was " + window);
        }
    }

    /**
     * What authenticator apps use: HMAC-SHA-1, 6 digits, 30 seconds, one step either side.
     *
     * @return the default parameters
     */
    public static TotpParameters defaults() {
        return new TotpParameters(TotpAlgorithm.SHA1, 6, Duration.ofSeconds(30), 1);
    }

    /**
     * A copy with another algorithm.
     *
     * @param algorithm the HMAC
     * @return new parameters
     */
    public TotpParameters withAlgorithm(TotpAlgorithm algorithm) {
        return new TotpParameters(algorithm, digits, period, window);
    }

    /**
     * A copy with another number of digits.
     *
     * @param digits 6 or 8
     * @return new parameters
     */
    public TotpParameters withDigits(int digits) {
        return new TotpParameters(algorithm, digits, period, window);
    }

    /**
     * A copy with another time step.
     *
     * @param period whole seconds, 1 to 300
     * @return new parameters
     */
    public TotpParameters withPeriod(Duration period) {
        return new TotpParameters(algorithm, digits, period, window);
    }

    /**
     * A copy with another verification window.
     *
     * @param window steps either side, 0 to 10
     * @return new parameters
     */
    public TotpParameters withWindow(int window) {
        return new TotpParameters(algorithm, digits, period, window);
    }

    /**
     * The period in seconds.
     *
     * @return {@code period().getSeconds()}
     */
    public long periodSeconds() {
        return period.getSeconds();
    }
}
