package dev.gatehouse.server.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

class CachingRegisteredClientRepositoryTests {

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger loads = new AtomicInteger();
    private final InMemoryRegisteredClientRepository store = new InMemoryRegisteredClientRepository(client("s1"));
    private final RegisteredClientRepository counting = new RegisteredClientRepository() {
        @Override
        public void save(RegisteredClient c) {
            store.save(c);
        }

        @Override
        public RegisteredClient findById(String id) {
            loads.incrementAndGet();
            return store.findById(id);
        }

        @Override
        public RegisteredClient findByClientId(String clientId) {
            loads.incrementAndGet();
            return store.findByClientId(clientId);
        }
    };
    private final CachingRegisteredClientRepository cache =
            new CachingRegisteredClientRepository(counting, Duration.ofSeconds(5), now::get);

    @Test
    void findByClientIdWhenWithinTtlThenLoadedOnce() {
        cache.findByClientId("svc");
        cache.findByClientId("svc");
        assertThat(loads).hasValue(1);
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        cache.findByClientId("svc");
        assertThat(loads).hasValue(2);
    }

    @Test
    void saveWhenClientChangedThenNextLookupSeesIt() {
        assertThat(cache.findByClientId("svc").getClientSecret()).isEqualTo("s1");
        RegisteredClient changed = RegisteredClient.from(store.findByClientId("svc"))
                .clientSecret("s2")
                .build();
        cache.save(changed);
        assertThat(cache.findByClientId("svc").getClientSecret()).isEqualTo("s2");
        assertThat(cache.findById("id-svc").getClientSecret()).isEqualTo("s2");
    }

    @Test
    void findWhenLoadRacesASaveThenTheStaleLoadIsNotCached() throws Exception {
        java.util.concurrent.CountDownLatch loading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        RegisteredClient stale = store.findByClientId("svc");
        AtomicInteger calls = new AtomicInteger();
        RegisteredClientRepository slow = new RegisteredClientRepository() {
            @Override
            public void save(RegisteredClient c) {
                store.save(c);
            }

            @Override
            public RegisteredClient findById(String id) {
                return store.findById(id);
            }

            @Override
            public RegisteredClient findByClientId(String clientId) {
                if (calls.incrementAndGet() > 1) {
                    return store.findByClientId(clientId);
                }
                loading.countDown();
                try {
                    release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return stale; // read before the save below landed
            }
        };
        CachingRegisteredClientRepository racing =
                new CachingRegisteredClientRepository(slow, Duration.ofSeconds(5), now::get);
        Thread reader = new Thread(() -> racing.findByClientId("svc"));
        reader.start();
        assertThat(loading.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        racing.save(RegisteredClient.from(stale).clientSecret("s2").build());
        release.countDown();
        reader.join(10_000);

        // Had the reader's stale result been cached, this would answer s1 (the old secret) for the TTL.
        assertThat(racing.findByClientId("svc").getClientSecret()).isEqualTo("s2");
    }

    @Test
    void findByClientIdWhenUnknownThenNotCached() {
        assertThat(cache.findByClientId("nope")).isNull();
        assertThat(cache.findByClientId("nope")).isNull();
        assertThat(loads).hasValue(2);
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
