package dev.gatehouse.server.clients;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * This node's cache of registered clients, kept honest across nodes: lookups go to the cache only while {@link
 * ClientChangePoller} vouches for it (its last successful poll of the client change epoch started within {@code
 * gatehouse.server.client-cache-max-staleness}), otherwise straight to the database; the poller clears the cache when
 * the epoch moves. So a change committed on any node (a rotated secret, a disabled or deleted client, new redirect
 * URIs) is honoured here within that bound (750 ms by default), even while the database is unreachable.
 * Changes made through this node evict at once. Entries also expire after {@code gatehouse.server.client-cache-ttl}.
 * Owns the poller's thread: a {@link SmartLifecycle} bean starting and stopping with the application context.
 */
final class ClientCache implements SmartLifecycle {

    private final RegisteredClientRepository store;
    private final CachingRegisteredClientRepository cache;
    private final ClientChangePoller poller;
    private final Runnable bumpEpoch;
    private final RegisteredClientRepository repository = new Repository();

    /**
     * Creates the cache; {@link #start()} starts polling.
     *
     * @param store the database store of clients
     * @param readEpoch reads the committed client change epoch ({@link ClientChangeEpoch#current()}); may throw
     * @param bumpEpoch records a write by this package ({@link ClientChangeEpoch#changed()})
     * @param ttl the longest an entry is used; positive
     * @param pollInterval the delay between polls of the epoch; positive, shorter than {@code maxStaleness}
     * @param maxStaleness how old the last successful poll may be for the cache to be used
     * @param nanoTime a monotonic clock, such as {@code System::nanoTime}
     */
    ClientCache(
            RegisteredClientRepository store,
            LongSupplier readEpoch,
            Runnable bumpEpoch,
            Duration ttl,
            Duration pollInterval,
            Duration maxStaleness,
            LongSupplier nanoTime) {
        this.store = Objects.requireNonNull(store, "store must not be null");
        this.bumpEpoch = Objects.requireNonNull(bumpEpoch, "bumpEpoch must not be null");
        this.cache = new CachingRegisteredClientRepository(store, ttl, nanoTime);
        this.poller = new ClientChangePoller(readEpoch, cache::invalidateAll, pollInterval, maxStaleness, nanoTime);
    }

    /**
     * The repository to use: cached while fresh, read-through otherwise.
     *
     * @return the repository
     */
    RegisteredClientRepository repository() {
        return repository;
    }

    /** The poller, for tests that drive polls themselves. */
    ClientChangePoller poller() {
        return poller;
    }

    /**
     * Records that this package removed a client with SQL of its own (not through {@link #repository()}): clears
     * this node's cache now and at the end of the transaction, and bumps the epoch where no trigger does.
     */
    void removed() {
        cache.invalidateAll();
        bumpEpoch.run();
    }

    @Override
    public void start() {
        poller.start();
    }

    @Override
    public void stop() {
        poller.stop();
    }

    @Override
    public boolean isRunning() {
        return poller.isRunning();
    }

    @Override
    public int getPhase() {
        return poller.getPhase();
    }

    private final class Repository implements RegisteredClientRepository {

        @Override
        public void save(RegisteredClient registeredClient) {
            cache.save(registeredClient);
            bumpEpoch.run();
        }

        @Override
        public @Nullable RegisteredClient findById(String id) {
            return poller.isFresh() ? cache.findById(id) : store.findById(id);
        }

        @Override
        public @Nullable RegisteredClient findByClientId(String clientId) {
            return poller.isFresh() ? cache.findByClientId(clientId) : store.findByClientId(clientId);
        }
    }
}
