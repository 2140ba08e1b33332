/**
 * Brute-force protection for password and MFA checks: {@link dev.gatehouse.core.throttle.AttemptLimiter}
 * counts failures per account, per client address and per pair under a {@link
 * dev.gatehouse.core.throttle.ThrottlePolicy} (progressive delay, then a temporary lockout of the pair or
 * address, never of the account as a whole) and answers with a {@link
 * dev.gatehouse.core.throttle.ThrottleDecision} carrying {@code Retry-After}. Counters live behind {@link
 * dev.gatehouse.core.throttle.AttemptStore}.
 */
@NullMarked
package dev.gatehouse.core.throttle;

import org.jspecify.annotations.NullMarked;
