package dev.gatehouse.core.mfa;

import dev.gatehouse.core.crypto.ConstantTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Computes and matches TOTP codes (RFC 6238) and the HOTP values beneath them (RFC 4226), with no state:
 * which user, which steps were used and where secrets live belong to {@link TotpService}. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * Totp totp = Totp.of(TotpParameters.defaults());
 * String code = totp.code(secret, Instant.now(clock));
 * OptionalLong step = totp.match(secret, typed, Instant.now(clock), lastAcceptedStep);
 * }</pre>
 */
public final class Totp {

    /** Steps beyond this would overflow googleauth's millisecond arithmetic; year 2^53 / 30 s is far away. */
    private static final long MAX_COUNTER = 1L << 53;

    private final TotpParameters parameters;
    private final GoogleAuthOtp engine;

    private Totp(TotpParameters parameters) {
        this.parameters = parameters;
        this.engine = new GoogleAuthOtp(parameters.algorithm().jcaName(), parameters.digits());
    }

    /**
     * A calculator for the given parameters.
     *
     * @param parameters algorithm, digits, period and window
     * @return the calculator
     */
    public static Totp of(TotpParameters parameters) {
        return new Totp(Objects.requireNonNull(parameters, "parameters must not be null"));
    }

    /**
     * The parameters of this calculator.
     *
     * @return the parameters
     */
    public TotpParameters parameters() {
        return parameters;
    }

    /**
     * The time step {@code T = floor((time - T0) / X)} with {@code T0} the Unix epoch (RFC 6238 §4.2).
     *
     * @param time a time at or after the epoch
     * @return the step number
     */
    public long timeStep(Instant time) {
        Objects.requireNonNull(time, "time must not be null");
        if (time.getEpochSecond() < 0) {
            throw new MfaException(MfaException.Reason.INVALID_ARGUMENT, "time must not be before 1970-01-01T00:00Z");
        }
        return time.getEpochSecond() / parameters.periodSeconds();
    }

    /**
     * The HOTP value for a counter (RFC 4226 §5.3), zero-padded.
     *
     * @param secret the shared secret
     * @param counter the moving factor, from 0
     * @return the code, {@code digits} characters
     */
    public String hotp(TotpSecret secret, long counter) {
        Objects.requireNonNull(secret, "secret must not be null");
        checkCounter(counter);
        byte[] key = secret.bytes();
        try {
            return engine.hotp(GoogleAuthOtp.encodeKey(key), counter);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * The TOTP code at a time (RFC 6238 §4.2).
     *
     * @param secret the shared secret
     * @param time the time
     * @return the code, {@code digits} characters
     */
    public String code(TotpSecret secret, Instant time) {
        return hotp(secret, timeStep(time));
    }

    /**
     * Matches a typed code against the steps within the window around {@code time} and returns the earliest
     * matching step later than {@code afterStep}. Every step in the window is computed and compared in
     * constant time, so timing does not reveal which step (if any) matched. Spaces in the input are ignored;
     * anything other than exactly {@code digits} ASCII digits matches nothing.
     *
     * @param secret the shared secret
     * @param code the code as typed
     * @param time the verification time
     * @param afterStep only steps greater than this count (the last accepted step, for replay protection,
     *     RFC 6238 §5.2); {@code -1} for none
     * @return the matched step, or empty
     */
    public OptionalLong match(TotpSecret secret, CharSequence code, Instant time, long afterStep) {
        Objects.requireNonNull(secret, "secret must not be null");
        Objects.requireNonNull(code, "code must not be null");
        long now = timeStep(time);
        String typed = normalize(code);
        byte[] key = secret.bytes();
        try {
            String encoded = GoogleAuthOtp.encodeKey(key);
            long found = -1;
            for (long step = now - parameters.window(); step <= now + parameters.window(); step++) {
                if (step < 0 || step > MAX_COUNTER) {
                    continue;
                }
                boolean equal = ConstantTime.equals(engine.hotp(encoded, step), typed);
                if (equal && typed.length() == parameters.digits() && step > afterStep && found < 0) {
                    found = step;
                }
            }
            return found < 0 ? OptionalLong.empty() : OptionalLong.of(found);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * Whether a code is valid within the window around {@code time}, with no replay protection. Prefer
     * {@link TotpService#verify}, which refuses reuse.
     *
     * @param secret the shared secret
     * @param code the code as typed
     * @param time the verification time
     * @return {@code true} if it matches a step in the window
     */
    public boolean matches(TotpSecret secret, CharSequence code, Instant time) {
        return match(secret, code, time, -1).isPresent();
    }

    private String normalize(CharSequence code) {
        StringBuilder sb = new StringBuilder(parameters.digits());
        for (int i = 0; i < code.length() && sb.length() <= parameters.digits(); i++) {
            char c = code.charAt(i);
            if (c == ' ') {
                continue;
            }
            if (c < '0' || c > '9') {
                return "";
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static void checkCounter(long counter) {
        if (counter < 0 || counter > MAX_COUNTER) {
            throw new MfaException(MfaException.Reason.INVALID_ARGUMENT, "counter must be between 0 and 2^53");
        }
    }

    @Override
    public String toString() {
        return "Totp[" + parameters + "]";
    }
}
