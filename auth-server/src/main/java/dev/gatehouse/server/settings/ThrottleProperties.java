package dev.gatehouse.server.settings;

import dev.gatehouse.core.throttle.ThrottlePolicy;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sign-in attempt limits under {@code gatehouse.server.throttle.*} (environment {@code GATEHOUSE_SERVER_THROTTLE_*}): auth-core's
 * {@link ThrottlePolicy}, applied to passwords and, with counters of their own, to TOTP and recovery codes. The
 * defaults are {@link ThrottlePolicy#defaults()} (NIST SP 800-63B §5.2.2, OWASP); values out of range stop the
 * server at start-up with the policy's own message.
 *
 * @param freeAttempts failures of an account allowed before any delay; default 3
 * @param baseDelay the first delay, doubled at each further failure; default 1 s
 * @param maxDelay the longest progressive delay; default 30 s
 * @param lockoutThreshold failures of one account from one address that lock that pair; default 10
 * @param lockoutDuration how long a lockout lasts; default 15 min
 * @param addressFreeAttempts failures from one address (any account) before it is delayed; default 20
 * @param addressLockoutThreshold failures from one address that lock the address; default 100
 * @param forgetAfter how long after the last failure a counter is dropped; default 1 h
 * @param maxAttemptConnections on PostgreSQL, the most sign-in and MFA attempts of one node that hold a pooled
 *     connection at once (each holds one while it hashes, serialised per account across nodes); one more is refused
 *     at once as throttled; default half of {@code spring.datasource.hikari.maximum-pool-size}, at least 1
 */
@ConfigurationProperties("gatehouse.server.throttle")
public record ThrottleProperties(
        @DefaultValue("3") int freeAttempts,
        @DefaultValue("1s") Duration baseDelay,
        @DefaultValue("30s") Duration maxDelay,
        @DefaultValue("10") int lockoutThreshold,
        @DefaultValue("15m") Duration lockoutDuration,
        @DefaultValue("20") int addressFreeAttempts,
        @DefaultValue("100") int addressLockoutThreshold,
        @DefaultValue("1h") Duration forgetAfter,
        @Nullable Integer maxAttemptConnections) {

    /**
     * Checks the values.
     *
     * @param freeAttempts free failures
     * @param baseDelay first delay
     * @param maxDelay longest delay
     * @param lockoutThreshold failures that lock an account from an address
     * @param lockoutDuration lockout length
     * @param addressFreeAttempts free failures per address
     * @param addressLockoutThreshold failures that lock an address
     * @param forgetAfter counter lifetime
     * @param maxAttemptConnections attempts holding a connection at once per node, or {@code null} for the default
     */
    public ThrottleProperties {
        if (maxAttemptConnections != null && maxAttemptConnections < 1) {
            throw new IllegalArgumentException(
                    "gatehouse.server.throttle.max-attempt-connections must be at least 1, was "
                            + maxAttemptConnections);
        }
        Objects.requireNonNull(baseDelay, "gatehouse.server.throttle.base-delay must not be null");
        Objects.requireNonNull(maxDelay, "gatehouse.server.throttle.max-delay must not be null");
        Objects.requireNonNull(lockoutDuration, "gatehouse.server.throttle.lockout-duration must not be null");
        Objects.requireNonNull(forgetAfter, "gatehouse.server.throttle.forget-after must not be null");
        // Fail at start-up, with the policy's message, rather than at the first sign-in. (The fields are not
        // assigned yet inside a compact constructor: build from the parameters.)
        policy(
                freeAttempts,
                baseDelay,
                maxDelay,
                lockoutThreshold,
                lockoutDuration,
                addressFreeAttempts,
                addressLockoutThreshold,
                forgetAfter);
    }

    /**
     * The policy these settings describe.
     *
     * @return the throttle policy
     */
    public ThrottlePolicy policy() {
        return policy(
                freeAttempts,
                baseDelay,
                maxDelay,
                lockoutThreshold,
                lockoutDuration,
                addressFreeAttempts,
                addressLockoutThreshold,
                forgetAfter);
    }

    private static ThrottlePolicy policy(
            int freeAttempts,
            Duration baseDelay,
            Duration maxDelay,
            int lockoutThreshold,
            Duration lockoutDuration,
            int addressFreeAttempts,
            int addressLockoutThreshold,
            Duration forgetAfter) {
        return ThrottlePolicy.builder()
                .freeAttempts(freeAttempts)
                .baseDelay(baseDelay)
                .maxDelay(maxDelay)
                .pairLockoutThreshold(lockoutThreshold)
                .lockoutDuration(lockoutDuration)
                .addressFreeAttempts(addressFreeAttempts)
                .addressLockoutThreshold(addressLockoutThreshold)
                .forgetAfter(forgetAfter)
                .build();
    }
}
