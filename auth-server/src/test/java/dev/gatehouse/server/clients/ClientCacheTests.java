package dev.gatehouse.server.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The cache as the server uses it, on a movable clock: another node's write is simulated by changing the store
 * behind the cache and moving the epoch; polls are driven by hand.
 */
class ClientCacheTests {

    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicInteger loads = new AtomicInteger();
    private final AtomicInteger bumps = new AtomicInteger();
    private final InMemoryRegisteredClientRepository store = new InMemoryRegisteredClientRepository(client("s1"));
    private final RegisteredClientRepository counting = new RegisteredClientRepository() {
        @Override
        public void save(RegisteredClient c) {
            store.save(c);
        }

        @Override
        public @Nullable RegisteredClient findById(String id) {
            loads.incrementAndGet();
            return deleted ? null : store.findById(id);
        }

        @Override
        public @Nullable RegisteredClient findByClientId(String clientId) {
            loads.incrementAndGet();
            return deleted ? null : store.findByClientId(clientId);
        }
    };
    private volatile boolean deleted;
    private final ClientCache cache = new ClientCache(
            counting,
            epoch::get,
            bumps::incrementAndGet,
            Duration.ofSeconds(5),
            Duration.ofMillis(250),
            Duration.ofMillis(750),
            now::get);
    private final RegisteredClientRepository clients = cache.repository();

    @AfterEach
    void clearSynchronization() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.clearSynchronization();
        }
    }

    /** Another node rotates the secret: the store changes and the epoch moves, as the trigger would. */
    private void rotatedElsewhere(String secret) {
        store.save(RegisteredClient.from(store.findByClientId("svc"))
                .clientSecret(secret)
                .build());
        epoch.incrementAndGet();
    }

    @Test
    void findWhenNeverPolledThenEveryLookupReadsTheStore() {
        clients.findByClientId("svc");
        clients.findByClientId("svc");
        assertThat(loads).hasValue(2);
    }

    @Test
    void findWhenFreshThenServedFromCache() {
        cache.poller().poll();
        clients.findByClientId("svc");
        clients.findByClientId("svc");
        clients.findById("id-svc");
        clients.findById("id-svc");
        assertThat(loads).hasValue(2);
    }

    @Test
    void findWhenChangedElsewhereAndPolledThenNewSecretAtOnce() {
        cache.poller().poll();
        assertThat(clients.findByClientId("svc").getClientSecret()).isEqualTo("s1");
        rotatedElsewhere("s2");
        assertThat(clients.findByClientId("svc").getClientSecret()).isEqualTo("s1"); // not yet polled
        cache.poller().poll();
        assertThat(clients.findByClientId("svc").getClientSecret()).isEqualTo("s2");
        assertThat(clients.findById("id-svc").getClientSecret()).isEqualTo("s2");
    }

    @Test
    void findWhenPollsFailAfterAChangeThenOldSecretNeverServedPastTheBound() {
        cache.poller().poll();
        assertThat(clients.findByClientId("svc").getClientSecret()).isEqualTo("s1");
        rotatedElsewhere("s2");
        now.addAndGet(Duration.ofMillis(751).toNanos()); // no successful poll since: the database was unreachable
        assertThat(clients.findByClientId("svc").getClientSecret()).isEqualTo("s2");
        // Read-through results are not cached either.
        int before = loads.get();
        clients.findByClientId("svc");
        assertThat(loads).hasValue(before + 1);
    }

    @Test
    void findWhenDeletedElsewhereAndPolledThenUnknown() {
        cache.poller().poll();
        assertThat(clients.findByClientId("svc")).isNotNull();
        deleted = true;
        epoch.incrementAndGet();
        assertThat(clients.findByClientId("svc")).isNotNull(); // not yet polled
        cache.poller().poll();
        assertThat(clients.findByClientId("svc")).isNull();
        assertThat(clients.findById("id-svc")).isNull();
    }

    @Test
    void saveWhenCalledThenEvictsAtOnceAndBumpsTheEpoch() {
        cache.poller().poll();
        clients.findByClientId("svc");
        clients.save(RegisteredClient.from(store.findByClientId("svc"))
                .clientSecret("s2")
                .build());
        assertThat(bumps).hasValue(1);
        assertThat(clients.findByClientId("svc").getClientSecret()).isEqualTo("s2");
    }

    @Test
    void removedWhenCalledThenCacheClearedAndEpochBumped() {
        cache.poller().poll();
        clients.findByClientId("svc");
        int before = loads.get();
        cache.removed();
        assertThat(bumps).hasValue(1);
        clients.findByClientId("svc");
        assertThat(loads).hasValue(before + 1);
    }

    @Test
    void removedWhenInATransactionThenClearedAgainWhenItEnds() {
        cache.poller().poll();
        TransactionSynchronizationManager.initSynchronization();
        cache.removed();
        // Before the commit, another thread still reads (and caches) the row the transaction is deleting.
        clients.findByClientId("svc");
        int before = loads.get();
        for (TransactionSynchronization s : TransactionSynchronizationManager.getSynchronizations()) {
            s.afterCompletion(TransactionSynchronization.STATUS_COMMITTED);
        }
        clients.findByClientId("svc");
        assertThat(loads).hasValue(before + 1);
    }

    private static RegisteredClient client(String secret) {
        return RegisteredClient.withId("id-svc")
                .clientId("svc")
                .clientSecret(secret)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .build();
    }
}
