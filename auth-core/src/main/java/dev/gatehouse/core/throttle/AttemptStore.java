package dev.gatehouse.core.throttle;

import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Storage of failure counters with expiry (SPI). {@link InMemoryAttemptStore} holds them in one process; a
 * server backs this with its database (e.g. {@code SELECT ... FOR UPDATE} then upsert) so limits hold
 * across nodes. Implementations must be thread-safe, and {@link #update} atomic per key.
 */
public interface AttemptStore {

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
