package dev.gatehouse.core.throttle;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Storage of failure counters with expiry (SPI). {@link InMemoryAttemptStore} holds them in one process; a
 * server backs this with its database so limits hold across nodes (Gatehouse's server: {@link #update} as an
 * optimistic compare-and-set on the counter row, an {@code INSERT} for a new one, retried on a lost race, and no row
 * locks). Implementations must be thread-safe, and {@link #update} atomic per key.
 *
 * <p>A store shared by several processes should also override {@link #exclusively}, so that one attempt's check,
 * credential check and record run as one step per account across all of them, not only within one process (the
 * server's: a transaction-scoped advisory lock per account on PostgreSQL). Such a store may hold a resource, such as
 * a pooled database connection, for the whole step; it should bound how many steps hold one at once and answer one
 * over the bound with {@link Turn.Missed}, which the limiter refuses as throttled.
 */
public interface AttemptStore {

    /**
     * Runs {@code body} while holding this store's cross-process lock for {@code lockKey}, if it has one. The
     * default has none and simply runs {@code body}: right for a store used by one process only, where {@link
     * AttemptLimiter}'s own lock already serialises attempts. A shared store (a database used by several nodes)
     * takes a lock all its users honour, waits for it at most {@code wait}, and runs {@code body} while holding it;
     * the counter reads and writes {@code body} makes through this store must see every change made under the same
     * lock before. A body that throws propagates its exception after the lock is released.
     *
     * @param lockKey the key to serialise on ({@link AttemptLimiter} passes its account counter's key)
     * @param wait the longest wait for the lock
     * @param body the work to run under the lock
     * @param <R> the body's result type
     * @return {@link Turn.Ran} with the body's result, or {@link Turn.Missed} (the body did not run) if the lock was
     *     not had within {@code wait}
     */
    default <R> Turn<R> exclusively(String lockKey, Duration wait, Supplier<R> body) {
        Objects.requireNonNull(lockKey, "lockKey must not be null");
        Objects.requireNonNull(wait, "wait must not be null");
        Objects.requireNonNull(body, "body must not be null");
        return new Turn.Ran<>(body.get());
    }

    /**
     * The outcome of {@link #exclusively}. Sealed; a caller that does not recognise an outcome must treat it as
     * {@link Missed} (fail closed).
     *
     * @param <R> the body's result type
     */
    sealed interface Turn<R> permits Turn.Ran, Turn.Missed {

        /**
         * The lock was had and the body ran.
         *
         * @param result the body's result
         * @param <R> the body's result type
         */
        record Ran<R>(R result) implements Turn<R> {

            /** Checks the result. */
            public Ran {
                Objects.requireNonNull(result, "result must not be null");
            }
        }

        /**
         * The lock was not had in time; the body did not run.
         *
         * @param <R> the body's result type
         */
        record Missed<R>() implements Turn<R> {}
    }

    /**
     * A counter, if present and not expired at {@code now}.
     *
     * @param key the counter key
     * @param now the current time
     * @return the counter, or empty
     */
    Optional<AttemptCounter> find(String key, Instant now);

    /**
     * Atomically replaces a counter by {@code change} applied to it ({@link AttemptCounter#NONE} if absent or
     * expired at {@code now}).
     *
     * @param key the counter key
     * @param now the current time
     * @param change the change; must be side-effect free, it may be called more than once
     * @return the stored result
     */
    AttemptCounter update(String key, Instant now, UnaryOperator<AttemptCounter> change);

    /**
     * Forgets a counter.
     *
     * @param key the counter key
     */
    void delete(String key);
}
