package dev.gatehouse.server.clients;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Keeps registered clients in memory for a short time: every token request looks its client up, and the JDBC
 * repository parses the client's settings JSON each time. Saves on this node evict at once, and again when the
 * surrounding transaction ends (a read on another thread before the commit still sees the old row); changes made
 * elsewhere are {@link ClientCache}'s business, which clears this cache ({@link #invalidateAll()}) when the client
 * change epoch moves. Unknown client ids are never cached, so random ids cannot fill memory, and the cache is
 * bounded.
 */
final class CachingRegisteredClientRepository implements RegisteredClientRepository {

    private static final int MAX_ENTRIES = 10_000;

    private final RegisteredClientRepository delegate;
    private final long ttlNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<String, Entry> byClientId = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Entry> byId = new ConcurrentHashMap<>();

    private record Entry(RegisteredClient client, long expiresAt) {}

    /** Bumped by every save: a load that began before a save must not put its (older) result in the cache. */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

    /** Held by evictions and by puts (cache misses only); lookups that hit take no lock. */
    private final Object evictions = new Object();

    /**
     * Creates the cache.
     *
     * @param delegate the store
     * @param ttl how long an entry is used; must be positive
     * @param nanoTime a monotonic clock, such as {@code System::nanoTime}
     */
    CachingRegisteredClientRepository(RegisteredClientRepository delegate, Duration ttl, LongSupplier nanoTime) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
        this.ttlNanos = Objects.requireNonNull(ttl, "ttl must not be null").toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime must not be null");
        if (ttlNanos <= 0) {
            throw new IllegalArgumentException("ttl must be positive");
        }
    }

    @Override
    public void save(RegisteredClient registeredClient) {
        RegisteredClient previous = findStored(registeredClient.getId());
        generation.incrementAndGet();
        delegate.save(registeredClient);
        Runnable evict = () -> {
            synchronized (evictions) {
                generation.incrementAndGet();
                byId.remove(registeredClient.getId());
                byClientId.remove(registeredClient.getClientId());
                if (previous != null) {
                    byClientId.remove(previous.getClientId()); // the client id itself may have changed
                }
            }
        };
        evict.run();
        atTransactionEnd(evict);
    }

    /** Empties the cache: loads under way when it is called are not cached either. */
    void invalidateAll() {
        Runnable evict = () -> {
            synchronized (evictions) {
                generation.incrementAndGet();
                byId.clear();
                byClientId.clear();
            }
        };
        evict.run();
        atTransactionEnd(evict);
    }

    /**
     * Runs {@code evict} again when the caller's transaction ends, if there is one: until the commit, other threads
     * read the old row and may cache it after the first eviction.
     */
    private static void atTransactionEnd(Runnable evict) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    evict.run();
                }
            });
        }
    }

    private @Nullable RegisteredClient findStored(String id) {
        Entry e = byId.get(id);
        return e != null ? e.client() : delegate.findById(id);
    }

    @Override
    public @Nullable RegisteredClient findById(String id) {
        return cached(byId, id, delegate::findById);
    }

    @Override
    public @Nullable RegisteredClient findByClientId(String clientId) {
        return cached(byClientId, clientId, delegate::findByClientId);
    }

    private @Nullable RegisteredClient cached(
            ConcurrentMap<String, Entry> map,
            String key,
            java.util.function.Function<String, @Nullable RegisteredClient> load) {
        long now = nanoTime.getAsLong();
        long before = generation.get();
        Entry e = map.get(key);
        if (e != null && now - e.expiresAt() < 0) {
            return e.client();
        }
        RegisteredClient client = load.apply(key);
        if (client == null) {
            map.remove(key);
            return null;
        }
        synchronized (evictions) {
            if (map.size() >= MAX_ENTRIES) {
                map.clear();
            }
            // Checked and put as one step against evictions: an eviction between the check and the put would
            // otherwise leave the result of a load that began before it in the cache.
            if (generation.get() == before) {
                map.put(key, new Entry(client, now + ttlNanos));
            }
        }
        return client;
    }
}
