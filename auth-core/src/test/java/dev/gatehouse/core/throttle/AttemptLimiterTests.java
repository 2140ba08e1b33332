package dev.gatehouse.core.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.testsupport.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AttemptLimiterTests {

    private final MutableClock clock = MutableClock.at(1_700_000_000L);
    private final InMemoryAttemptStore store = new InMemoryAttemptStore();
    private final AttemptLimiter limiter =
            AttemptLimiter.builder().clock(clock).store(store).scope("password").build();

    @Test
    void checkWhenNoFailuresThenAllowed() {
        ThrottleDecision d = limiter.check("alice", "203.0.113.7");

        assertThat(d.allowed()).isTrue();
        assertThat(d.retryAfter()).isZero();
        assertThat(d.retryAfterSeconds()).isZero();
    }

    @Test
    void recordFailureWhenWithinFreeAttemptsThenAllowed() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.recordFailure("alice", "203.0.113.7").allowed()).isTrue();
        }
        assertThat(limiter.check("alice", "203.0.113.7").allowed()).isTrue();
    }

    @Test
    void recordFailureWhenBeyondFreeAttemptsThenDelayDoublesWithRetryAfter() {
        fail(3, "alice", "203.0.113.7");

        ThrottleDecision fourth = limiter.recordFailure("alice", "203.0.113.7");
        assertThat(fourth).isInstanceOf(ThrottleDecision.Denied.class);
        assertThat(fourth.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(fourth.retryAfterSeconds()).isEqualTo(1);
        assertThat(((ThrottleDecision.Denied) fourth).lockedOut()).isFalse();

        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.check("alice", "203.0.113.7").allowed()).isTrue();
        assertThat(limiter.recordFailure("alice", "203.0.113.7").retryAfter()).isEqualTo(Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2));
        assertThat(limiter.recordFailure("alice", "203.0.113.7").retryAfter()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void checkWhenDelayedThenDeniedUntilRetryAtExactly() {
        fail(4, "alice", "203.0.113.7");

        clock.advance(Duration.ofMillis(999));
        ThrottleDecision d = limiter.check("alice", "203.0.113.7");
        assertThat(d.allowed()).isFalse();
        assertThat(d.retryAfter()).isEqualTo(Duration.ofMillis(1));
        assertThat(d.retryAfterSeconds()).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(limiter.check("alice", "203.0.113.7").allowed()).isTrue();
    }

    @Test
    void recordFailureWhenPairReachesThresholdThenPairLockedButOwnerElsewhereOnlyDelayed() {
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMinutes(1));
            limiter.recordFailure("alice", "198.51.100.66");
        }

        ThrottleDecision attacker = limiter.check("alice", "198.51.100.66");
        assertThat(attacker).isInstanceOfSatisfying(ThrottleDecision.Denied.class, d -> {
            assertThat(d.lockedOut()).isTrue();
            assertThat(d.scope()).isEqualTo(ThrottleDecision.Scope.ACCOUNT_AND_ADDRESS);
            assertThat(d.retryAfter()).isEqualTo(Duration.ofMinutes(15));
        });
        // The owner, from their own address, is at most delayed by the account counter (capped at 30 s).
        ThrottleDecision owner = limiter.check("alice", "203.0.113.7");
        assertThat(owner.retryAfter()).isLessThanOrEqualTo(Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(30));
        assertThat(limiter.check("alice", "203.0.113.7").allowed()).isTrue();
        assertThat(limiter.check("alice", "198.51.100.66").allowed()).isFalse();
    }

    @Test
    void recordFailureWhenManyAddressesAgainstOneAccountThenAccountDelayCappedNeverLocked() {
        ThrottleDecision last = null;
        for (int i = 0; i < 200; i++) {
            last = limiter.recordFailure("alice", "10.0." + (i / 250) + "." + (i % 250));
        }

        assertThat(last).isInstanceOfSatisfying(ThrottleDecision.Denied.class, d -> {
            assertThat(d.scope()).isEqualTo(ThrottleDecision.Scope.ACCOUNT);
            assertThat(d.lockedOut()).isFalse();
            assertThat(d.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        });
    }

    @Test
    void recordFailureWhenOneAddressAgainstManyAccountsThenAddressDelayedThenLocked() {
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.recordFailure("user" + i, "198.51.100.66").allowed())
                    .isTrue();
        }
        ThrottleDecision delayed = limiter.recordFailure("user20", "198.51.100.66");
        assertThat(delayed).isInstanceOfSatisfying(ThrottleDecision.Denied.class, d -> {
            assertThat(d.scope()).isEqualTo(ThrottleDecision.Scope.ADDRESS);
            assertThat(d.lockedOut()).isFalse();
        });
        for (int i = 21; i < 100; i++) {
            limiter.recordFailure("user" + i, "198.51.100.66");
        }

        ThrottleDecision locked = limiter.check("someone-else", "198.51.100.66");
        assertThat(locked).isInstanceOfSatisfying(ThrottleDecision.Denied.class, d -> {
            assertThat(d.scope()).isEqualTo(ThrottleDecision.Scope.ADDRESS);
            assertThat(d.lockedOut()).isTrue();
        });
        assertThat(limiter.check("someone-else", "203.0.113.7").allowed()).isTrue();
    }

    @Test
    void recordSuccessWhenDelayedThenPairAndAccountResetButAddressNot() {
        fail(5, "alice", "203.0.113.7");
        clock.advance(Duration.ofSeconds(30));

        limiter.recordSuccess("alice", "203.0.113.7");

        assertThat(store.find("password|p|5:alice|203.0.113.7", clock.instant()))
                .isEmpty();
        assertThat(store.find("password|a|5:alice", clock.instant())).isEmpty();
        assertThat(store.find("password|i|203.0.113.7", clock.instant()))
                .hasValueSatisfying(c -> assertThat(c.failures()).isEqualTo(5));
        assertThat(limiter.recordFailure("alice", "203.0.113.7").allowed()).isTrue();
    }

    @Test
    void checkWhenForgetAfterPassedThenCountersExpireAndSweepDropsThem() {
        fail(9, "alice", "203.0.113.7");

        clock.advance(Duration.ofHours(1));

        assertThat(limiter.check("alice", "203.0.113.7").allowed()).isTrue();
        assertThat(limiter.recordFailure("alice", "203.0.113.7").allowed()).isTrue();
        clock.advance(Duration.ofHours(2));
        store.sweep(clock.instant());
        assertThat(store.size()).isZero();
    }

    @Test
    void checkWhenAccountDiffersOnlyInCaseThenSameCounter() {
        fail(4, "Alice", "203.0.113.7");

        assertThat(limiter.check("ALICE", "203.0.113.7").allowed()).isFalse();
    }

    @Test
    void limitersWhenDifferentScopesThenCountSeparately() {
        AttemptLimiter mfa =
                AttemptLimiter.builder().clock(clock).store(store).scope("mfa").build();
        fail(4, "alice", "203.0.113.7");

        assertThat(mfa.check("alice", "203.0.113.7").allowed()).isTrue();
    }

    @Test
    void limiterWhenBadArgumentsThenTypedExceptions() {
        assertThatThrownBy(() -> limiter.check(" ", "203.0.113.7"))
                .isInstanceOf(ThrottleException.class)
                .hasFieldOrPropertyWithValue("reason", ThrottleException.Reason.INVALID_ARGUMENT)
                .satisfies(e -> assertThat(((ThrottleException) e).code()).isEqualTo("throttle.invalid_argument"));
        assertThatThrownBy(() -> limiter.check("alice", "x".repeat(513)))
                .hasFieldOrPropertyWithValue("reason", ThrottleException.Reason.INVALID_ARGUMENT);
        assertThatThrownBy(() -> AttemptLimiter.builder().scope("a|b"))
                .hasFieldOrPropertyWithValue("reason", ThrottleException.Reason.INVALID_POLICY);
    }

    private void fail(int times, String account, String address) {
        for (int i = 0; i < times; i++) {
            limiter.recordFailure(account, address);
        }
    }

    @Test
    void attemptWhenManyParallelWrongGuessesThenOnlyTheFreeAttemptsAreChecked() throws Exception {
        java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        try {
            java.util.List<java.util.concurrent.Future<AttemptLimiter.Attempt<Boolean>>> all =
                    new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                all.add(pool.submit(() -> {
                    start.await();
                    return limiter.attempt(
                            "alice",
                            "203.0.113.7",
                            () -> {
                                checked.incrementAndGet();
                                return false;
                            },
                            ok -> ok);
                }));
            }
            start.countDown();
            int throttled = 0;
            for (java.util.concurrent.Future<AttemptLimiter.Attempt<Boolean>> f : all) {
                throttled +=
                        f.get(30, java.util.concurrent.TimeUnit.SECONDS) instanceof AttemptLimiter.Attempt.Throttled
                                ? 1
                                : 0;
            }
            // The clock stands still: the free attempts, then the one failure that starts the delay; the delay then
            // holds, so the other guesses are never checked (without serialisation all 24 were).
            assertThat(checked.get()).isEqualTo(limiter.policy().freeAttempts() + 1);
            assertThat(throttled).isEqualTo(24 - checked.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void attemptWhenSuccessThenCountersResetAndResultReturned() {
        for (int i = 0; i < limiter.policy().freeAttempts(); i++) {
            limiter.attempt("alice", "203.0.113.7", () -> "wrong", r -> false);
        }

        AttemptLimiter.Attempt<String> ok = limiter.attempt("alice", "203.0.113.7", () -> "right", "right"::equals);

        assertThat(ok).isInstanceOf(AttemptLimiter.Attempt.Completed.class);
        assertThat(ok).isEqualTo(new AttemptLimiter.Attempt.Completed<>("right"));
        // Counters were reset: the next failure is a free one again, not a delayed one.
        assertThat(limiter.recordFailure("alice", "203.0.113.7").allowed()).isTrue();
    }

    @Test
    void attemptWhenCheckThrowsThenNothingRecordedAndLockReleased() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> limiter.attempt(
                        "bob",
                        "203.0.113.7",
                        () -> {
                            throw new IllegalStateException("hasher busy");
                        },
                        r -> true))
                .isInstanceOf(IllegalStateException.class);

        assertThat(limiter.attempt("bob", "203.0.113.7", () -> true, r -> r))
                .isEqualTo(new AttemptLimiter.Attempt.Completed<>(true));
    }

    @Test
    void attemptWhenThrottledThenCheckNotRunAndThrottledReturned() {
        for (int i = 0; i <= limiter.policy().freeAttempts(); i++) {
            limiter.attempt("carol", "203.0.113.7", () -> "wrong", r -> false);
        }
        java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();

        AttemptLimiter.Attempt<String> refused = limiter.attempt(
                "carol",
                "203.0.113.7",
                () -> {
                    checked.incrementAndGet();
                    return "right";
                },
                "right"::equals);

        assertThat(refused).isInstanceOf(AttemptLimiter.Attempt.Throttled.class);
        assertThat(checked.get()).isZero();
    }

    @Test
    void attemptWhenCheckReturnsNullThenCountedAsFailureAndThrows() {
        for (int i = 0; i < limiter.policy().freeAttempts(); i++) {
            limiter.attempt("dave", "203.0.113.7", () -> "wrong", r -> false);
        }

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> limiter.attempt("dave", "203.0.113.7", () -> null, r -> true))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("credentialCheck must not return null");
        assertThat(limiter.check("dave", "203.0.113.7").allowed()).isFalse();
    }

    @Test
    void attemptWhenStoreHasALockThenCheckVerifyAndRecordRunInsideIt() {
        LockingStore locking = new LockingStore();
        AttemptLimiter limiter = limiterOn(locking, "password");

        AttemptLimiter.Attempt<Boolean> done = limiter.attempt(
                "Alice",
                "203.0.113.7",
                () -> {
                    locking.events.add("verify");
                    return false;
                },
                ok -> ok);

        assertThat(done).isEqualTo(new AttemptLimiter.Attempt.Completed<>(false));
        // One turn per attempt, on the account counter's key; every read and write of the attempt inside it.
        assertThat(locking.events)
                .containsExactly(
                        "lock password|a|5:alice",
                        "find password|p|5:alice|203.0.113.7",
                        "find password|a|5:alice",
                        "find password|i|203.0.113.7",
                        "verify",
                        "update password|p|5:alice|203.0.113.7",
                        "update password|a|5:alice",
                        "update password|i|203.0.113.7",
                        "unlock");
        // The store's wait is what is left of the limiter's one bound of five seconds.
        assertThat(locking.waits)
                .singleElement()
                .satisfies(wait -> assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(5)));
    }

    @Test
    void attemptWhenSuccessUnderStoreLockThenResetInsideIt() {
        LockingStore locking = new LockingStore();
        AttemptLimiter limiter = limiterOn(locking, "mfa");

        limiter.attempt("bob", "203.0.113.7", () -> true, ok -> ok);

        assertThat(locking.events)
                .containsSubsequence(
                        "lock mfa|a|3:bob", "delete mfa|p|3:bob|203.0.113.7", "delete mfa|a|3:bob", "unlock");
        assertThat(locking.events).last().isEqualTo("unlock");
    }

    @Test
    void attemptWhenStoreLockNotHadInTimeThenThrottledAndNothingCheckedOrRecorded() {
        LockingStore locking = new LockingStore();
        locking.missTurns = true;
        AttemptLimiter limiter = limiterOn(locking, "password");
        java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();

        AttemptLimiter.Attempt<Boolean> refused = limiter.attempt(
                "carol",
                "203.0.113.7",
                () -> {
                    checked.incrementAndGet();
                    return true;
                },
                ok -> ok);

        // Fail closed: the same refusal as when this node's own lock is not had.
        assertThat(refused).isInstanceOf(AttemptLimiter.Attempt.Throttled.class);
        assertThat(checked).hasValue(0);
        assertThat(locking.events).containsExactly("lock password|a|5:carol", "missed");
        // The local lock was released: the next attempt gets its turn.
        locking.missTurns = false;
        assertThat(limiter.attempt("carol", "203.0.113.7", () -> true, ok -> ok))
                .isEqualTo(new AttemptLimiter.Attempt.Completed<>(true));
    }

    @Test
    void attemptWhenCheckReturnsNullUnderStoreLockThenFailureRecordedInsideAndThrownAfter() {
        LockingStore locking = new LockingStore();
        AttemptLimiter limiter = limiterOn(locking, "password");

        assertThatThrownBy(() -> limiter.attempt("dave", "203.0.113.7", () -> null, r -> true))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("credentialCheck must not return null");
        // Recorded under the store's lock, which then ended normally (a store that rolls back on an exception
        // from the body keeps the failure).
        assertThat(locking.events).containsSubsequence("update password|a|4:dave", "unlock");
        assertThat(locking.events).doesNotContain("threw");
        assertThat(locking.find("password|a|4:dave", clock.instant())).isPresent();
    }

    @Test
    void attemptWhenCheckThrowsUnderStoreLockThenPropagatesThroughItAndNothingRecorded() {
        LockingStore locking = new LockingStore();
        AttemptLimiter limiter = limiterOn(locking, "password");

        assertThatThrownBy(() -> limiter.attempt(
                        "erin",
                        "203.0.113.7",
                        () -> {
                            throw new IllegalStateException("hasher busy");
                        },
                        r -> true))
                .isInstanceOf(IllegalStateException.class);

        assertThat(locking.events).last().isEqualTo("threw");
        assertThat(locking.events).noneMatch(e -> e.startsWith("update"));
    }

    @Test
    void attemptWhenThisNodeAlreadyHoldsTheAccountThenStoreLockNotAskedTwice() throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        LockingStore locking = new LockingStore();
        AttemptLimiter limiter = limiterOn(locking, "password");
        Thread first = new Thread(() -> limiter.attempt(
                "frank",
                "203.0.113.7",
                () -> {
                    inside.countDown();
                    await(release);
                    return false;
                },
                ok -> ok));
        first.start();
        inside.await();
        Thread second = new Thread(() -> limiter.attempt("frank", "198.51.100.1", () -> false, ok -> ok));
        second.start();
        // The second attempt waits for this node's lock (parked, bounded), not for the store's.
        while (second.getState() != Thread.State.TIMED_WAITING) {
            assertThat(second.isAlive()).isTrue();
            Thread.onSpinWait();
        }
        assertThat(locking.events).filteredOn(e -> e.startsWith("lock")).hasSize(1);

        release.countDown();
        first.join();
        second.join();

        assertThat(locking.events).filteredOn(e -> e.startsWith("lock")).hasSize(2);
        assertThat(locking.maxHeld).hasValue(1);
    }

    private AttemptLimiter limiterOn(LockingStore locking, String scope) {
        return AttemptLimiter.builder().clock(clock).store(locking).scope(scope).build();
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A store with a cross-process lock, as a database store has: in memory, logging each turn and each counter
     * access in order; it can refuse every turn, as a lock not had in time.
     */
    private static final class LockingStore implements AttemptStore {

        final java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.List<Duration> waits = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger maxHeld = new java.util.concurrent.atomic.AtomicInteger();
        private final InMemoryAttemptStore counters = new InMemoryAttemptStore();
        volatile boolean missTurns;

        @Override
        public <R> Turn<R> exclusively(String lockKey, Duration wait, java.util.function.Supplier<R> body) {
            events.add("lock " + lockKey);
            waits.add(wait);
            if (missTurns) {
                events.add("missed");
                return new Turn.Missed<>();
            }
            maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
            try {
                R result = body.get();
                events.add("unlock");
                return new Turn.Ran<>(result);
            } catch (RuntimeException e) {
                events.add("threw");
                throw e;
            } finally {
                held.decrementAndGet();
            }
        }

        @Override
        public java.util.Optional<AttemptCounter> find(String key, java.time.Instant now) {
            events.add("find " + key);
            return counters.find(key, now);
        }

        @Override
        public AttemptCounter update(
                String key, java.time.Instant now, java.util.function.UnaryOperator<AttemptCounter> change) {
            events.add("update " + key);
            return counters.update(key, now, change);
        }

        @Override
        public void delete(String key) {
            events.add("delete " + key);
            counters.delete(key);
        }
    }
}
