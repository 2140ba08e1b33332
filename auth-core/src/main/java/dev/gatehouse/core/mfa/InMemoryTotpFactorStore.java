package dev.gatehouse.core.mfa;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link TotpFactorStore} in process memory: for tests, the CLI and single-node development. Thread-safe;
 * updates are atomic per user ({@link ConcurrentHashMap#compute}).
 */
public final class InMemoryTotpFactorStore implements TotpFactorStore {

    private final ConcurrentMap<String, TotpFactor> factors = new ConcurrentHashMap<>();

    /** An empty store. */
    public InMemoryTotpFactorStore() {}

    @Override
    public Optional<TotpFactor> find(String userId) {
        return Optional.ofNullable(factors.get(Objects.requireNonNull(userId, "userId must not be null")));
    }

    @Override
    public boolean savePending(TotpFactor factor) {
        Objects.requireNonNull(factor, "factor must not be null");
        if (factor.confirmed()) {
            throw new IllegalArgumentException("savePending takes an unconfirmed factor");
        }
        boolean[] saved = {false};
        factors.compute(factor.userId(), (id, existing) -> {
            if (existing != null && existing.confirmed()) {
                return existing;
            }
            saved[0] = true;
            return factor;
        });
        return saved[0];
    }

    @Override
    public boolean compareAndSet(TotpFactor current, TotpFactor next) {
        Objects.requireNonNull(current, "current must not be null");
        Objects.requireNonNull(next, "next must not be null");
        if (!current.userId().equals(next.userId())) {
            throw new IllegalArgumentException("current and next must belong to the same user");
        }
        boolean[] swapped = {false};
        factors.computeIfPresent(current.userId(), (id, existing) -> {
            if (existing.version() != current.version()) {
                return existing;
            }
            swapped[0] = true;
            return next;
        });
        return swapped[0];
    }

    @Override
    public boolean delete(String userId) {
        return factors.remove(Objects.requireNonNull(userId, "userId must not be null")) != null;
    }

    @Override
    public String toString() {
        return "InMemoryTotpFactorStore[" + factors.size() + " factors]";
    }
}
