package dev.gatehouse.core.throttle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Limits password and MFA attempts per account, per client address and per account+address pair ({@link
 * ThrottlePolicy} explains the three counters and why the account as a whole is only ever delayed, never
 * locked). Built once with {@link #builder()}, then immutable and thread-safe; use one limiter per kind of
 * check ({@code scope("password")}, {@code scope("mfa")}) so they count separately.
 *
 * <pre>{@code
 * ThrottleDecision d = limiter.check(username, clientIp);
 * if (!d.allowed()) return tooManyRequests(d.retryAfterSeconds());    // do not check the password at all
 * if (hasher.verify(password, hash).matched()) limiter.recordSuccess(username, clientIp);
 * else d = limiter.recordFailure(username, clientIp);
 * }</pre>
 *
 * <p>Pass the account as the canonical user name the user typed (it is lower-cased here), including for
 * unknown accounts, so the limiter does not reveal which exist. Pass the client address as the server sees
 * it after trusted-proxy handling; for IPv6 pass the /64 prefix, as one host usually owns a whole /64.
 * Success resets the pair and account counters but not the address counter, so an attacker cannot clear
 * their address's record by signing in to an account of their own.
 */
public final class AttemptLimiter {

    private static final int MAX_KEY_LENGTH = 512;

    private final ThrottlePolicy policy;
    private final AttemptStore store;
    private final Clock clock;
    private final String scope;
    private final ReentrantLock[] accountLocks = locks(256);

    private static final long ATTEMPT_WAIT_SECONDS = 5;

    /**
     * The outcome of {@link #attempt}: {@link Throttled} (the credential was not checked) or {@link Completed}
     * with the check's result. Sealed; a caller that does not recognise an outcome must treat it as throttled.
     *
     * <pre>{@code
     * if (!(limiter.attempt(account, address, check, Verification::matched)
     *         instanceof AttemptLimiter.Attempt.Completed<Verification> done)) {
     *     return tooManyRequests();
     * }
     * if (!done.result().matched()) return refused();
     * }</pre>
     *
     * @param <T> the credential check's result type
     */
    public sealed interface Attempt<T> permits Attempt.Throttled, Attempt.Completed {

        /**
         * Refused before the credential was checked: too many recent failures, or the turn for this account did not
         * come within a few seconds. Nothing was counted.
         *
         * @param <T> the credential check's result type
         */
        record Throttled<T>() implements Attempt<T> {}

        /**
         * The credential was checked, and counted as a success or a failure.
         *
         * @param result the credential check's result
         * @param <T> the credential check's result type
         */
        record Completed<T>(T result) implements Attempt<T> {

            /** Checks the result. */
            public Completed {
                Objects.requireNonNull(result, "result must not be null");
            }
        }
    }

    private AttemptLimiter(Builder b) {
        this.policy = b.policy;
        this.store = b.store;
        this.clock = b.clock;
        this.scope = b.scope;
    }

    /**
     * A builder with the default policy, an in-memory store and the system clock.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether a check may run now. Does not count anything.
     *
     * @param account the account name tried
     * @param address the client address
     * @return allowed, or denied with when to retry
     */
    public ThrottleDecision check(String account, String address) {
        Keys k = keys(account, address);
        Instant now = clock.instant();
        return decide(
                now,
                store.find(k.pair, now).orElse(AttemptCounter.NONE),
                store.find(k.account, now).orElse(AttemptCounter.NONE),
                store.find(k.address, now).orElse(AttemptCounter.NONE));
    }

    /**
     * Runs one attempt as a single step per account: {@link #check}, then the credential check, then {@link
     * #recordSuccess} or {@link #recordFailure}. Without it, a burst of parallel guesses all passes {@code check}
     * before the first failure is counted, and every guess is verified. The step holds this limiter's own lock for
     * the account and, inside it, the store's cross-process lock ({@link AttemptStore#exclusively}), so a store
     * shared by several nodes serialises the account across all of them while each node waits for that lock with
     * one thread (one database connection) per account at most. A caller that does not get both locks within a few
     * seconds in all is throttled. Exceptions from the credential check propagate, recording nothing.
     *
     * @param account the account name tried
     * @param address the client address
     * @param credentialCheck verifies the credential; runs only when allowed; must not return {@code null} (a
     *     {@code null} is counted as a failure, then thrown as a {@link NullPointerException})
     * @param succeeded whether the check's result is a success
     * @param <T> the check's result type
     * @return {@link Attempt.Throttled}, or {@link Attempt.Completed} with the check's result
     */
    public <T> Attempt<T> attempt(
            String account, String address, Supplier<T> credentialCheck, Predicate<? super T> succeeded) {
        Objects.requireNonNull(credentialCheck, "credentialCheck must not be null");
        Objects.requireNonNull(succeeded, "succeeded must not be null");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ATTEMPT_WAIT_SECONDS);
        String accountKey = keys(account, address).account;
        ReentrantLock lock = accountLocks[Math.floorMod(accountKey.hashCode(), accountLocks.length)];
        try {
            if (!lock.tryLock(ATTEMPT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                return new Attempt.Throttled<>();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt.Throttled<>();
        }
        try {
            // The store's lock gets what is left of the one wait bound, so the two waits together stay within it.
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            AttemptStore.Turn<Step<T>> turn =
                    store.exclusively(accountKey, left, () -> step(account, address, credentialCheck, succeeded));
            if (!(turn instanceof AttemptStore.Turn.Ran<Step<T>> ran)) {
                // Fail closed: no turn within the bound is a refusal, as when this node's own lock is not had.
                return new Attempt.Throttled<>();
            }
            Attempt<T> done = ran.result().attempt();
            if (done == null) {
                // Counted (and committed with the store's lock) before it is refused: a check that answers nothing
                // never passes.
                throw new NullPointerException("credentialCheck must not return null");
            }
            return done;
        } finally {
            lock.unlock();
        }
    }

    /** Check, verify, record: the body run under both locks. A {@code null} attempt: the check answered nothing. */
    private <T> Step<T> step(
            String account, String address, Supplier<T> credentialCheck, Predicate<? super T> succeeded) {
        if (!check(account, address).allowed()) {
            return new Step<>(new Attempt.Throttled<>());
        }
        @Nullable T result = credentialCheck.get();
        if (result == null) {
            recordFailure(account, address);
            return new Step<>(null);
        }
        if (succeeded.test(result)) {
            recordSuccess(account, address);
        } else {
            recordFailure(account, address);
        }
        return new Step<>(new Attempt.Completed<>(result));
    }

    /** What {@link #step} came to; a record so that "the check returned null" survives the store's lock. */
    private record Step<T>(@Nullable Attempt<T> attempt) {}

    private static ReentrantLock[] locks(int n) {
        ReentrantLock[] locks = new ReentrantLock[n];
        for (int i = 0; i < n; i++) {
            locks[i] = new ReentrantLock(true);
        }
        return locks;
    }

    /**
     * Records a failed check and says when the next may run.
     *
     * @param account the account name tried
     * @param address the client address
     * @return the decision for the next attempt
     */
    public ThrottleDecision recordFailure(String account, String address) {
        Keys k = keys(account, address);
        Instant now = clock.instant();
        AttemptCounter pair = store.update(
                k.pair,
                now,
                c -> fail(
                        c,
                        now,
                        policy.freeAttempts(),
                        policy.pairLockoutThreshold(),
                        policy.delayAfter(c.failures() + 1, policy.freeAttempts())));
        AttemptCounter acct = store.update(
                k.account,
                now,
                c -> fail(
                        c,
                        now,
                        policy.freeAttempts(),
                        Integer.MAX_VALUE,
                        policy.delayAfter(c.failures() + 1, policy.freeAttempts())));
        AttemptCounter addr = store.update(
                k.address,
                now,
                c -> fail(
                        c,
                        now,
                        policy.addressFreeAttempts(),
                        policy.addressLockoutThreshold(),
                        policy.delayAfter(c.failures() + 1, policy.addressFreeAttempts())));
        return decide(now, pair, acct, addr);
    }

    /**
     * Records a successful check: resets the pair and account counters (not the address counter).
     *
     * @param account the account name
     * @param address the client address
     */
    public void recordSuccess(String account, String address) {
        Keys k = keys(account, address);
        store.delete(k.pair);
        store.delete(k.account);
    }

    /**
     * The policy enforced.
     *
     * @return the policy
     */
    public ThrottlePolicy policy() {
        return policy;
    }

    private AttemptCounter fail(AttemptCounter c, Instant now, int free, int lockAt, Duration delay) {
        int failures = c.failures() == Integer.MAX_VALUE ? c.failures() : c.failures() + 1;
        Instant blockedUntil;
        if (failures >= lockAt) {
            blockedUntil = now.plus(policy.lockoutDuration());
        } else if (failures > free) {
            blockedUntil = now.plus(delay);
        } else {
            blockedUntil = Instant.EPOCH;
        }
        if (c.blockedUntil().isAfter(blockedUntil)) {
            // A failure recorded while already blocked never shortens the block.
            blockedUntil = c.blockedUntil();
        }
        Instant expires = now.plus(policy.forgetAfter());
        return new AttemptCounter(failures, blockedUntil, expires.isAfter(blockedUntil) ? expires : blockedUntil);
    }

    private ThrottleDecision decide(Instant now, AttemptCounter pair, AttemptCounter account, AttemptCounter address) {
        Instant until = now;
        ThrottleDecision.@Nullable Scope cause = null;
        boolean locked = false;
        if (pair.blockedUntil().isAfter(until)) {
            until = pair.blockedUntil();
            cause = ThrottleDecision.Scope.ACCOUNT_AND_ADDRESS;
            locked = pair.failures() >= policy.pairLockoutThreshold();
        }
        if (address.blockedUntil().isAfter(until)) {
            until = address.blockedUntil();
            cause = ThrottleDecision.Scope.ADDRESS;
            locked = address.failures() >= policy.addressLockoutThreshold();
        }
        if (account.blockedUntil().isAfter(until)) {
            until = account.blockedUntil();
            cause = ThrottleDecision.Scope.ACCOUNT;
            locked = false;
        }
        if (cause == null) {
            return ThrottleDecision.Allowed.INSTANCE;
        }
        return new ThrottleDecision.Denied(until, Duration.between(now, until), cause, locked);
    }

    private Keys keys(String account, String address) {
        String a = checkKey(account, "account").strip().toLowerCase(Locale.ROOT);
        String ip = checkKey(address, "address").strip();
        // Length-prefixed so no account or address can be crafted to collide with another key.
        return new Keys(
                scope + "|p|" + a.length() + ":" + a + "|" + ip,
                scope + "|a|" + a.length() + ":" + a,
                scope + "|i|" + ip);
    }

    private static String checkKey(String value, String what) {
        Objects.requireNonNull(value, what + " must not be null");
        if (value.isBlank() || value.length() > MAX_KEY_LENGTH) {
            throw new ThrottleException(
                    ThrottleException.Reason.INVALID_ARGUMENT,
                    what + " must be 1 to " + MAX_KEY_LENGTH + " characters and not blank");
        }
        return value;
    }

    @Override
    public String toString() {
        return "AttemptLimiter[scope=" + scope + ", " + policy + "]";
    }

    private record Keys(String pair, String account, String address) {}

    /** Builds an {@link AttemptLimiter}. Not thread-safe; the limiter it builds is. */
    public static final class Builder {

        private ThrottlePolicy policy = ThrottlePolicy.defaults();
        private AttemptStore store = new InMemoryAttemptStore();
        private Clock clock = Clock.systemUTC();
        private String scope = "login";

        private Builder() {}

        /**
         * The limits; default {@link ThrottlePolicy#defaults()}.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder policy(ThrottlePolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy must not be null");
            return this;
        }

        /**
         * Where counters live; default a new {@link InMemoryAttemptStore} (per node only).
         *
         * @param store the store
         * @return this builder
         */
        public Builder store(AttemptStore store) {
            this.store = Objects.requireNonNull(store, "store must not be null");
            return this;
        }

        /**
         * The clock; default {@link Clock#systemUTC()}.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * A name separating this limiter's counters from others sharing the store; default {@code login}.
         *
         * @param scope e.g. {@code password} or {@code mfa}; letters, digits, {@code -_.}
         * @return this builder
         */
        public Builder scope(String scope) {
            Objects.requireNonNull(scope, "scope must not be null");
            if (!scope.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new ThrottleException(
                        ThrottleException.Reason.INVALID_POLICY, "scope must be 1 to 64 of A-Z a-z 0-9 . _ -");
            }
            this.scope = scope;
            return this;
        }

        /**
         * Builds the limiter.
         *
         * @return an immutable, thread-safe limiter
         */
        public AttemptLimiter build() {
            return new AttemptLimiter(this);
        }
    }
}
