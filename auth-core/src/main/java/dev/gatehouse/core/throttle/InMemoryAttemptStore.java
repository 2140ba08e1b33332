package dev.gatehouse.core.throttle;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * An {@link AttemptStore} in process memory: limits hold per node only. Thread-safe; expired counters are
 * swept every {@value #SWEEP_EVERY} updates, so memory stays bounded by the attempts of the last expiry
 * period.
 */
public final class InMemoryAttemptStore implements AttemptStore {

    static final int SWEEP_EVERY = 1024;

    private final ConcurrentMap<String, AttemptCounter> counters = new ConcurrentHashMap<>();
    private final AtomicInteger updates = new AtomicInteger();

    /** An empty store. */
    public InMemoryAttemptStore() {}

    @Override
    public Optional<AttemptCounter> find(String key, Instant now) {
        AttemptCounter c = counters.get(Objects.requireNonNull(key, "key must not be null"));
        return c == null || c.expiredAt(now) ? Optional.empty() : Optional.of(c);
    }

    @Override
    public AttemptCounter update(String key, Instant now, UnaryOperator<AttemptCounter> change) {
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(change, "change must not be null");
        if (updates.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep(now);
        }
        return counters.compute(
                key,
                (k, current) -> Objects.requireNonNull(
                        change.apply(current == null || current.expiredAt(now) ? AttemptCounter.NONE : current),
                        "change must not return null"));
    }

    @Override
    public void delete(String key) {
        counters.remove(Objects.requireNonNull(key, "key must not be null"));
    }

    /**
     * Drops every counter expired at {@code now}.
     *
     * @param now the current time
     */
    public void sweep(Instant now) {
        counters.values().removeIf(c -> c.expiredAt(now));
    }

    /**
     * How many counters are held (expired ones included until swept).
     *
     * @return the count
     */
    public int size() {
        return counters.size();
    }

    @Override
    public String toString() {
        return "InMemoryAttemptStore[" + counters.size() + " counters]";
    }
}
