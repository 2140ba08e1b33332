package dev.gatehouse.core.password;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds how many memory-hard hash computations run at once. Argon2id at m=19 MiB needs 19 MiB per
 * computation; without a bound, a burst of logins allocates memory without limit (a failure mode seen in
 * production identity servers). Callers beyond the bound wait up to {@code maxWait}, then fail with
 * {@link PasswordException.Reason#BUSY}; the wait queue is fair so no caller starves. It counts the computations
 * running and the most that ever ran at once, so an operator (and the burst check, from outside) can see the bound
 * held.
 */
final class HashingGate {

    private final Semaphore permits;
    private final int capacity;
    private final long maxWaitNanos;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    HashingGate(int capacity, Duration maxWait) {
        this.capacity = capacity;
        this.permits = new Semaphore(capacity, true);
        this.maxWaitNanos = maxWait.toNanos();
    }

    <T> T run(Supplier<T> computation) {
        boolean acquired;
        try {
            acquired =
                    maxWaitNanos == 0 ? permits.tryAcquire() : permits.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PasswordException(PasswordException.Reason.BUSY, "interrupted while waiting for a hashing slot");
        }
        if (!acquired) {
            throw new PasswordException(
                    PasswordException.Reason.BUSY,
                    "all " + capacity + " password hashing slots are busy; retry later (raise maxConcurrentHashes "
                            + "only if memory allows)");
        }
        peak.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            return computation.get();
        } finally {
            running.decrementAndGet();
            permits.release();
        }
    }

    int capacity() {
        return capacity;
    }

    /** Computations running now. */
    int running() {
        return running.get();
    }

    /** The most computations that ran at once since this gate was made; never above {@link #capacity()}. */
    int peak() {
        return peak.get();
    }

    int available() {
        return permits.availablePermits();
    }

    /** Takes every free slot at once, without waiting (tests hold the gate full this way); returns how many. */
    int takeAll() {
        return permits.drainPermits();
    }

    /** Gives back slots taken by {@link #takeAll}. */
    void giveBack(int slots) {
        permits.release(slots);
    }
}
