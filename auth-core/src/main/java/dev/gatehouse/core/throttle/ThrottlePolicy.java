package dev.gatehouse.core.throttle;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits an {@link AttemptLimiter} enforces. Built with {@link #builder()}; immutable.
 *
 * <p>Three counters, each of consecutive failures:
 *
 * <ul>
 *   <li><b>account + address</b>: after {@code freeAttempts} failures each further failure doubles a delay
 *       from {@code baseDelay} up to {@code maxDelay}; at {@code pairLockoutThreshold} failures the pair is
 *       locked out for {@code lockoutDuration}. This is the hard stop for one attacker on one account.
 *   <li><b>account</b> (from anywhere): the same progressive delay, capped at {@code maxDelay}, but
 *       <em>never</em> a lockout: otherwise anyone who knows a user name could lock its owner out at will.
 *       The cap bounds distributed guessing against one account to one try per {@code maxDelay}, while the
 *       owner waits at most {@code maxDelay} per attempt even under attack.
 *   <li><b>address</b> (against any account): delay after {@code addressFreeAttempts} failures and a lockout at
 *       {@code addressLockoutThreshold}, against credential stuffing from one source. Generous defaults, because
 *       many users can share an address (NAT, corporate proxies).
 * </ul>
 *
 * <p>Counters are forgotten {@code forgetAfter} after the last failure. Defaults follow NIST SP 800-63B §5.2.2
 * (at most 100 consecutive failures per account) and OWASP's authentication cheat sheet.
 *
 * @param freeAttempts failures allowed before any delay (default 3)
 * @param baseDelay the first delay (default 1 s)
 * @param maxDelay the longest progressive delay (default 30 s)
 * @param pairLockoutThreshold failures of one account from one address that lock the pair (default 10)
 * @param lockoutDuration how long a lockout lasts (default 15 min)
 * @param addressFreeAttempts failures from one address before it is delayed (default 20)
 * @param addressLockoutThreshold failures from one address that lock it (default 100)
 * @param forgetAfter how long after the last failure a counter is dropped (default 1 h)
 */
public record ThrottlePolicy(
        int freeAttempts,
        Duration baseDelay,
        Duration maxDelay,
        int pairLockoutThreshold,
        Duration lockoutDuration,
        int addressFreeAttempts,
        int addressLockoutThreshold,
        Duration forgetAfter) {

    /** Checks ranges and consistency. */
    public ThrottlePolicy {
        Objects.requireNonNull(baseDelay, "baseDelay must not be null");
        Objects.requireNonNull(maxDelay, "maxDelay must not be null");
        Objects.requireNonNull(lockoutDuration, "lockoutDuration must not be null");
        Objects.requireNonNull(forgetAfter, "forgetAfter must not be null");
        require(freeAttempts >= 0 && freeAttempts <= 1000, "freeAttempts must be 0 to 1000");
        require(positive(baseDelay), "baseDelay must be positive");
        require(maxDelay.compareTo(baseDelay) >= 0, "maxDelay must not be shorter than baseDelay");
        require(pairLockoutThreshold > freeAttempts, "pairLockoutThreshold must be greater than freeAttempts");
        require(positive(lockoutDuration), "lockoutDuration must be positive");
        require(addressFreeAttempts >= 0, "addressFreeAttempts must not be negative");
        require(
                addressLockoutThreshold > addressFreeAttempts,
                "addressLockoutThreshold must be greater than addressFreeAttempts");
        require(
                forgetAfter.compareTo(lockoutDuration) >= 0 && forgetAfter.compareTo(maxDelay) >= 0,
                "forgetAfter must be at least lockoutDuration and maxDelay");
    }

    /**
     * The defaults described above.
     *
     * @return the default policy
     */
    public static ThrottlePolicy defaults() {
        return builder().build();
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The progressive delay after {@code failures} consecutive failures with {@code free} allowed: zero up to
     * {@code free}, then {@code baseDelay * 2^(failures - free - 1)}, capped at {@code maxDelay}.
     *
     * @param failures consecutive failures
     * @param free failures allowed without delay
     * @return the delay
     */
    public Duration delayAfter(int failures, int free) {
        if (failures <= free) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - free - 1, 30);
        Duration d = baseDelay.multipliedBy(1L << doublings);
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }

    private static boolean positive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ThrottleException(ThrottleException.Reason.INVALID_POLICY, message);
        }
    }

    /** Builds a {@link ThrottlePolicy}, starting from the defaults. */
    public static final class Builder {

        private int freeAttempts = 3;
        private Duration baseDelay = Duration.ofSeconds(1);
        private Duration maxDelay = Duration.ofSeconds(30);
        private int pairLockoutThreshold = 10;
        private Duration lockoutDuration = Duration.ofMinutes(15);
        private int addressFreeAttempts = 20;
        private int addressLockoutThreshold = 100;
        private Duration forgetAfter = Duration.ofHours(1);

        private Builder() {}

        /**
         * Failures allowed before any delay; default 3.
         *
         * @param n 0 to 1000
         * @return this builder
         */
        public Builder freeAttempts(int n) {
            this.freeAttempts = n;
            return this;
        }

        /**
         * The first delay; default 1 second.
         *
         * @param d positive
         * @return this builder
         */
        public Builder baseDelay(Duration d) {
            this.baseDelay = d;
            return this;
        }

        /**
         * The longest progressive delay; default 30 seconds. Also the most the owner of an account under
         * attack waits per attempt.
         *
         * @param d at least {@code baseDelay}
         * @return this builder
         */
        public Builder maxDelay(Duration d) {
            this.maxDelay = d;
            return this;
        }

        /**
         * Failures of one account from one address that lock the pair; default 10.
         *
         * @param n greater than {@code freeAttempts}
         * @return this builder
         */
        public Builder pairLockoutThreshold(int n) {
            this.pairLockoutThreshold = n;
            return this;
        }

        /**
         * How long a lockout lasts; default 15 minutes.
         *
         * @param d positive
         * @return this builder
         */
        public Builder lockoutDuration(Duration d) {
            this.lockoutDuration = d;
            return this;
        }

        /**
         * Failures from one address before it is delayed; default 20.
         *
         * @param n non-negative
         * @return this builder
         */
        public Builder addressFreeAttempts(int n) {
            this.addressFreeAttempts = n;
            return this;
        }

        /**
         * Failures from one address that lock it; default 100.
         *
         * @param n greater than {@code addressFreeAttempts}
         * @return this builder
         */
        public Builder addressLockoutThreshold(int n) {
            this.addressLockoutThreshold = n;
            return this;
        }

        /**
         * How long after its last failure a counter is dropped; default 1 hour.
         *
         * @param d at least {@code lockoutDuration} and {@code maxDelay}
         * @return this builder
         */
        public Builder forgetAfter(Duration d) {
            this.forgetAfter = d;
            return this;
        }

        /**
         * Builds the policy.
         *
         * @return the policy
         * @throws ThrottleException if a value is out of range
         */
        public ThrottlePolicy build() {
            return new ThrottlePolicy(
                    freeAttempts,
                    baseDelay,
                    maxDelay,
                    pairLockoutThreshold,
                    lockoutDuration,
                    addressFreeAttempts,
                    addressLockoutThreshold,
                    forgetAfter);
        }
    }
}
