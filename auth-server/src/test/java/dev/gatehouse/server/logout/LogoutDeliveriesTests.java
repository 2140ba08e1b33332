package dev.gatehouse.server.logout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.testsupport.MutableClock;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.testsupport.H2Database;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/**
 * The outbox worker against an H2 database and a JDK HTTP server on 127.0.0.1: leases (a node whose lease ran out
 * changes nothing, the claimer after it finishes), a response that never comes (timeout, retried), a dropped client,
 * and a dynamically registered client's loopback URI (refused at send, never contacted).
 */
class LogoutDeliveriesTests {

    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final List<AuditEvent> audited = new CopyOnWriteArrayList<>();
    private final AtomicInteger hits = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private H2Database db;
    private JdbcTemplate jdbc;
    private HttpServer endpoint;
    private LogoutDeliveries deliveries;

    @BeforeEach
    void setUp() throws IOException {
        db = H2Database.migrated("logout-deliveries");
        jdbc = db.jdbc();
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/ok", exchange -> {
            hits.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        endpoint.createContext("/hang", exchange -> {
            hits.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS); // bounded: released in tearDown
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        endpoint.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        endpoint.start();
        InMemoryRegisteredClientRepository clients = new InMemoryRegisteredClientRepository(
                client("ok", uri("/ok"), false),
                client("hang", uri("/hang"), false),
                client("dynamic", uri("/ok"), true));
        JwtEncoder encoder = parameters -> Jwt.withTokenValue("signed-" + UUID.randomUUID())
                .header("alg", "RS256")
                .claims(c -> c.putAll(parameters.getClaims().getClaims()))
                .build();
        BackchannelLogoutProperties properties = properties();
        deliveries = new LogoutDeliveries(
                jdbc, db.tx(), clients, new LogoutTokens(encoder, clock), audited::add, clock, properties);
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        deliveries.close();
        endpoint.stop(0);
    }

    @Test
    void finishWhenLeaseRanOutAndAnotherNodeClaimedThenStaleOutcomeChangesNothing() {
        queue("ok");
        List<LogoutDeliveries.Delivery> first = deliveries.claim();
        assertThat(first).hasSize(1);
        assertThat(deliveries.claim()).as("leased").isEmpty();
        clock.advance(Duration.ofSeconds(61));
        List<LogoutDeliveries.Delivery> second = deliveries.claim();
        assertThat(second).hasSize(1);
        assertThat(second.get(0).attempts()).isEqualTo(2);

        deliveries.deliver(first.get(0)); // the node whose lease ran out
        assertThat(pending()).isEqualTo(1);
        assertThat(audited).isEmpty();

        deliveries.deliver(second.get(0));
        assertThat(pending()).isZero();
        assertThat(audited).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(AuditEvent.SUCCESS);
            assertThat(e.details()).containsEntry("attempts", "2").containsEntry("client_id", "ok");
        });
        assertThat(hits).hasValue(2);
    }

    @Test
    void runOnceWhenEndpointNeverAnswersThenTimeoutAndRetriedLater() {
        queue("hang");
        assertThat(deliveries.runOnce()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT last_outcome FROM gh_logout_delivery", String.class))
                .isEqualTo("timeout");
        assertThat(audited).isEmpty();
        assertThat(deliveries.runOnce()).as("waits its backoff").isZero();
    }

    @Test
    void runOnceWhenClientGoneThenDroppedAndAuditedDenied() {
        queue("deleted-client");
        assertThat(deliveries.runOnce()).isEqualTo(1);
        assertThat(pending()).isZero();
        assertThat(audited).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(AuditEvent.DENIED);
            assertThat(e.details()).containsEntry("result", "client_deleted");
        });
    }

    @Test
    void runOnceWhenDynamicClientUriIsLoopbackThenRefusedAndNeverContacted() {
        queue("dynamic");
        assertThat(deliveries.runOnce()).isEqualTo(1);
        assertThat(hits).hasValue(0);
        assertThat(pending()).isZero();
        assertThat(audited).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(AuditEvent.FAILURE);
            assertThat(e.details()).containsEntry("result", "address_refused");
        });
    }

    @Test
    void runOnceWhenMoreRowsDueThanSendersThenClaimsOnlyOnePerFreeSender() {
        for (int i = 0; i < 10; i++) {
            queue("ok");
        }
        assertThat(deliveries.freeSenders()).isEqualTo(LogoutDeliveries.THREADS);
        assertThat(deliveries.runOnce()).isEqualTo(LogoutDeliveries.THREADS);
        assertThat(pending()).isEqualTo(10 - LogoutDeliveries.THREADS);
        assertThat(deliveries.freeSenders()).as("every sender given back").isEqualTo(LogoutDeliveries.THREADS);
    }

    @Test
    void runOnceWhenAttemptsUsedUpButNeverFinishedThenGivenUpAndAuditedFailure() {
        queue("ok");
        jdbc.update("UPDATE gh_logout_delivery SET attempts = 3");
        assertThat(deliveries.runOnce()).as("never claimed again").isZero();
        assertThat(hits).hasValue(0);
        assertThat(pending()).isZero();
        assertThat(audited).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(AuditEvent.FAILURE);
            assertThat(e.details()).containsEntry("result", "attempts_exhausted");
        });
    }

    @Test
    void runOnceWhenClientStoreThrowsThenAttemptRecordedAsRetry() {
        RegisteredClientRepository broken = new RegisteredClientRepository() {
            @Override
            public void save(RegisteredClient registeredClient) {}

            @Override
            public RegisteredClient findById(String id) {
                throw new IllegalStateException("damaged client");
            }

            @Override
            public RegisteredClient findByClientId(String clientId) {
                throw new IllegalStateException("damaged client");
            }
        };
        JwtEncoder encoder = parameters -> {
            throw new IllegalStateException("not reached");
        };
        try (LogoutDeliveries failing = new LogoutDeliveries(
                jdbc, db.tx(), broken, new LogoutTokens(encoder, clock), audited::add, clock, properties())) {
            queue("ok");
            assertThat(failing.runOnce()).isEqualTo(1);
            assertThat(jdbc.queryForObject("SELECT last_outcome FROM gh_logout_delivery", String.class))
                    .isEqualTo("error");
        }
    }

    @Test
    void propertiesWhenLeaseShorterThanTwoSendsWithDnsBudgetThenRefused() {
        assertThatThrownBy(() -> new BackchannelLogoutProperties(
                        true,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(14),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(5),
                        6,
                        Duration.ofSeconds(10),
                        Duration.ofMinutes(30),
                        Duration.ofDays(30)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lease");
    }

    private static BackchannelLogoutProperties properties() {
        return new BackchannelLogoutProperties(
                true,
                Duration.ofSeconds(2),
                Duration.ofSeconds(60),
                Duration.ofSeconds(2),
                Duration.ofMillis(200),
                3,
                Duration.ofSeconds(10),
                Duration.ofMinutes(30),
                Duration.ofDays(30));
    }

    private void queue(String registeredClientId) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update(
                "INSERT INTO gh_logout_delivery (id, registered_client_id, username, sid, issuer, reason, created_at,"
                        + " due_at, attempts) VALUES (?, ?, 'alice', 'sid-1', 'https://issuer.example', 'logout', ?,"
                        + " ?, 0)",
                UUID.randomUUID().toString(),
                registeredClientId,
                now,
                now);
    }

    private int pending() {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM gh_logout_delivery", Integer.class);
        return n == null ? 0 : n;
    }

    private String uri(String path) {
        return "http://127.0.0.1:" + endpoint.getAddress().getPort() + path;
    }

    private static RegisteredClient client(String id, String uri, boolean dynamic) {
        return RegisteredClient.withId(id)
                .clientId(id)
                .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("https://app.example/cb")
                .clientSettings(ClientSettings.builder()
                        .setting(BackchannelLogoutUris.URI_SETTING, uri)
                        .setting(BackchannelLogoutUris.DYNAMIC_SETTING, dynamic)
                        .build())
                .build();
    }
}
