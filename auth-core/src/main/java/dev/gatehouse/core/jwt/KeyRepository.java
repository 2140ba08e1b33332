package dev.gatehouse.core.jwt;

import java.util.List;
import java.util.Objects;

/**
 * Persistence SPI for a {@link KeyRing}. Writes are compare-and-set on a version number, so several nodes
 * sharing one store rotate exactly once: a node whose {@link #replace} loses the race reloads and finds the
 * rotation already done. Implementations: {@link InMemoryKeyRepository}, {@link FileKeyRepository}; the
 * server adds a JDBC one.
 */
public interface KeyRepository {

    /**
     * The stored keys and the version they are at.
     *
     * @param version increases with every successful {@link #replace}; 0 when empty
     * @param keys the keys
     */
    record Snapshot(long version, List<StoredKey> keys) {

        /** Copies the list. */
        public Snapshot {
            keys = List.copyOf(Objects.requireNonNull(keys, "keys must not be null"));
        }
    }

    /**
     * Reads all keys.
     *
     * @return the current snapshot
     */
    Snapshot load();

    /**
     * Replaces all keys if the store is still at {@code expectedVersion}.
     *
     * @param expectedVersion the version the caller's change is based on
     * @param keys the new key set
     * @return {@code true} if written; {@code false} if another writer got there first
     */
    boolean replace(long expectedVersion, List<StoredKey> keys);

    /**
     * The current version alone, so a node can poll for changes made by others cheaply ({@link
     * KeyRing#refreshIfChanged()}). The default loads everything; stores should override it with a cheaper read.
     *
     * @return the version {@link #load()} would report now
     */
    default long version() {
        return load().version();
    }

    /**
     * Whether keys written here survive a restart (and so need a real master key).
     *
     * @return {@code true} for durable stores
     */
    default boolean durable() {
        return true;
    }
}
