package dev.gatehouse.core.password;

import static dev.gatehouse.core.password.PasswordException.Reason.INVALID_PARAMETERS;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * Picks Argon2id parameters for a target hashing time on this host, never below the OWASP minimum
 * (m=19 MiB, t=2). Following RFC 9106 §4, memory is raised first (doubling, up to a ceiling), then passes.
 *
 * <pre>{@code
 * Calibration c = Argon2Calibrator.builder().maxMemoryKiB(65_536).build().calibrate(Duration.ofMillis(250));
 * PasswordHasher hasher = PasswordHasher.builder().parameters(c.parameters()).build();
 * }</pre>
 */
public final class Argon2Calibrator {

    private static final int MAX_ITERATIONS = 16;

    private final int maxMemoryKiB;
    private final int parallelism;
    private final Function<Argon2Parameters, Duration> measure;

    private Argon2Calibrator(int maxMemoryKiB, int parallelism, Function<Argon2Parameters, Duration> measure) {
        this.maxMemoryKiB = maxMemoryKiB;
        this.parallelism = parallelism;
        this.measure = measure;
    }

    /**
     * A builder: memory ceiling 64 MiB, parallelism 1.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The result of a calibration.
     *
     * @param parameters the chosen parameters (at least OWASP's)
     * @param measured the measured time of one hash with them (median of three)
     * @param target the requested time
     */
    public record Calibration(Argon2Parameters parameters, Duration measured, Duration target) {

        /**
         * Whether the chosen parameters fit the target; false when even the OWASP minimum is slower than the
         * target (the minimum is returned anyway: it is a floor, not a suggestion).
         *
         * @return {@code true} if {@code measured <= target}
         */
        public boolean withinTarget() {
            return measured.compareTo(target) <= 0;
        }
    }

    /**
     * Finds the strongest parameters whose hashing time does not exceed {@code target}.
     *
     * @param target the time one hash may take, e.g. 250 ms for an interactive login
     * @return the calibration
     */
    public Calibration calibrate(Duration target) {
        Objects.requireNonNull(target, "target must not be null");
        if (target.isNegative() || target.isZero() || target.compareTo(Duration.ofSeconds(30)) > 0) {
            throw new PasswordException(INVALID_PARAMETERS, "calibration target must be between 1 ms and 30 s");
        }
        Argon2Parameters best = new Argon2Parameters(19_456, 2, parallelism, 32, 16);
        Duration bestTime = measure.apply(best);
        if (bestTime.compareTo(target) > 0) {
            return new Calibration(best, bestTime, target);
        }
        while ((long) best.memoryKiB() * 2 <= maxMemoryKiB) {
            Argon2Parameters next = new Argon2Parameters(best.memoryKiB() * 2, best.iterations(), parallelism, 32, 16);
            Duration time = measure.apply(next);
            if (time.compareTo(target) > 0) {
                break;
            }
            best = next;
            bestTime = time;
        }
        while (best.iterations() < MAX_ITERATIONS) {
            Argon2Parameters next = new Argon2Parameters(best.memoryKiB(), best.iterations() + 1, parallelism, 32, 16);
            Duration time = measure.apply(next);
            if (time.compareTo(target) > 0) {
                break;
            }
            best = next;
            bestTime = time;
        }
        return new Calibration(best, bestTime, target);
    }

    /** Median of three timed runs after one warm-up, with the engine {@link PasswordHasher} uses. */
    static Duration timeOneHash(Argon2Parameters p) {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[p.saltLength()];
        byte[] password = "calibration-password".getBytes(StandardCharsets.UTF_8);
        long[] runs = new long[4];
        for (int i = 0; i < runs.length; i++) {
            random.nextBytes(salt);
            long start = System.nanoTime();
            Argon2Engine.hash(HashAlgorithm.ARGON2ID, 0x13, p, password, salt, p.hashLength());
            runs[i] = System.nanoTime() - start;
        }
        long[] timed = Arrays.copyOfRange(runs, 1, runs.length);
        Arrays.sort(timed);
        return Duration.ofNanos(timed[1]);
    }

    /** Builds an {@link Argon2Calibrator}. */
    public static final class Builder {

        private int maxMemoryKiB = 65_536;
        private int parallelism = 1;
        private Function<Argon2Parameters, Duration> measure = Argon2Calibrator::timeOneHash;

        private Builder() {}

        /**
         * The most memory one hash may use; default 64 MiB. Multiply by the hasher's concurrency bound to get
         * the memory a login burst can take.
         *
         * @param maxMemoryKiB at least 19456
         * @return this builder
         */
        public Builder maxMemoryKiB(int maxMemoryKiB) {
            if (maxMemoryKiB < 19_456 || maxMemoryKiB > Argon2Parameters.MAX_MEMORY_KIB) {
                throw new PasswordException(
                        INVALID_PARAMETERS,
                        "maxMemoryKiB must be between 19456 and " + Argon2Parameters.MAX_MEMORY_KIB);
            }
            this.maxMemoryKiB = maxMemoryKiB;
            return this;
        }

        /**
         * Argon2 lanes; default 1.
         *
         * @param parallelism 1 to 64
         * @return this builder
         */
        public Builder parallelism(int parallelism) {
            if (parallelism < 1 || parallelism > Argon2Parameters.MAX_PARALLELISM) {
                throw new PasswordException(INVALID_PARAMETERS, "parallelism must be between 1 and 64");
            }
            this.parallelism = parallelism;
            return this;
        }

        /** Replaces the clock-based measurement; for tests. */
        Builder measure(Function<Argon2Parameters, Duration> measure) {
            this.measure = Objects.requireNonNull(measure, "measure must not be null");
            return this;
        }

        /**
         * Builds the calibrator.
         *
         * @return the calibrator
         */
        public Argon2Calibrator build() {
            return new Argon2Calibrator(maxMemoryKiB, parallelism, measure);
        }
    }
}
