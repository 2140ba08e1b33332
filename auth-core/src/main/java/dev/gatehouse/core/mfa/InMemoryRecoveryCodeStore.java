package dev.gatehouse.core.mfa;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link RecoveryCodeStore} in process memory. Thread-safe: each user's set is an immutable value replaced
 * atomically ({@link ConcurrentHashMap#compute}), so concurrent uses of one code consume it exactly once.
 */
public final class InMemoryRecoveryCodeStore implements RecoveryCodeStore {

    private final ConcurrentMap<String, Set<String>> sets = new ConcurrentHashMap<>();

    /** An empty store. */
    public InMemoryRecoveryCodeStore() {}

    @Override
    public void replaceAll(String userId, Set<String> hashes) {
        Objects.requireNonNull(userId, "userId must not be null");
        sets.put(userId, Set.copyOf(hashes));
    }

    @Override
    public boolean consume(String userId, String hash) {
        Objects.requireNonNull(userId, "userId must not be null");
        Objects.requireNonNull(hash, "hash must not be null");
        boolean[] consumed = {false};
        sets.computeIfPresent(userId, (id, current) -> {
            if (!current.contains(hash)) {
                return current;
            }
            consumed[0] = true;
            Set<String> rest = new HashSet<>(current);
            rest.remove(hash);
            return Set.copyOf(rest);
        });
        return consumed[0];
    }

    @Override
    public int remaining(String userId) {
        Set<String> set = sets.get(Objects.requireNonNull(userId, "userId must not be null"));
        return set == null ? 0 : set.size();
    }

    @Override
    public boolean deleteAll(String userId) {
        return sets.remove(Objects.requireNonNull(userId, "userId must not be null")) != null;
    }

    @Override
    public String toString() {
        return "InMemoryRecoveryCodeStore[" + sets.size() + " users]";
    }
}
