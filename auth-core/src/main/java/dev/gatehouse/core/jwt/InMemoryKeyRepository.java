package dev.gatehouse.core.jwt;

import java.util.List;

/** A {@link KeyRepository} in memory; keys are lost on restart. Thread-safe. */
public final class InMemoryKeyRepository implements KeyRepository {

    private Snapshot snapshot = new Snapshot(0, List.of());

    /** An empty repository. */
    public InMemoryKeyRepository() {}

    @Override
    public synchronized Snapshot load() {
        return snapshot;
    }

    @Override
    public synchronized boolean replace(long expectedVersion, List<StoredKey> keys) {
        if (snapshot.version() != expectedVersion) {
            return false;
        }
        snapshot = new Snapshot(expectedVersion + 1, keys);
        return true;
    }

    @Override
    public boolean durable() {
        return false;
    }
}
