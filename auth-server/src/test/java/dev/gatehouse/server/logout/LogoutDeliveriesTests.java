package dev.gatehouse.server.logout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.testsupport.MutableClock;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.clients.PublicAddresses;
import dev.gatehouse.server.testsupport.H2Database;
import java.io.IOException;
import java.net.InetAddress;
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
    private final AtomicInteger okHits = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private H2Database db;
    private JdbcTemplate jdbc;
    private HttpServer endpoint;
    private HttpServer failing;
    private final AtomicInteger failHits = new AtomicInteger();
    private LogoutDeliveries deliveries;
    private RegisteredClientRepository clients;
    private JwtEncoder encoder;

    @BeforeEach
    void setUp() throws IOException {
        db = H2Database.migrated("logout-deliveries");
        jdbc = db.jdbc();
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/ok", exchange -> {
            hits.incrementAndGet();
            okHits.incrementAndGet();
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
        // Another host name ("localhost", bound where it resolves first): answers 503 at once, so the per-host and
        // circuit tests depend on no timeout.
        failing = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getByName("localhost"), 0), 0);
        failing.createContext("/fail", exchange -> {
            failHits.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        failing.start();
        clients = new InMemoryRegisteredClientRepository(
                client("ok", uri("/ok"), false),
                client("hang", uri("/hang"), false),
                client("dynamic", uri("/ok"), true),
                // Resolved by the test's stand-in resolver only (never sent to: its pool is kept saturated).
                client("dynamic-https", "https://rp.example/logout", true),
                client("fail", "http://localhost:" + failing.getAddress().getPort() + "/fail", false));
        encoder = parameters -> Jwt.withTokenValue("signed-" + UUID.randomUUID())
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
        failing.stop(0);
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
        try (LogoutDeliveries shortTimeout = deliveries(properties(2, 5, Duration.ofMillis(200)))) {
            queue("hang");
            assertThat(shortTimeout.runOnce()).isEqualTo(1);
            assertThat(jdbc.queryForObject("SELECT last_outcome FROM gh_logout_delivery", String.class))
                    .isEqualTo("timeout");
            assertThat(audited).isEmpty();
            assertThat(shortTimeout.runOnce()).as("waits its backoff").isZero();
        }
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
    void runOnceWhenResolverPoolSaturatedThenNoAttemptSpentAndNothingCountedInCircuit() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        InetAddress publicAddress = InetAddress.getByAddress(new byte[] {93, (byte) 184, (byte) 216, 34});
        PublicAddresses.Resolver resolver = new PublicAddresses.Resolver("test-resolve", 1, 0, name -> {
            if (name.equals("blocked.example")) {
                started.countDown();
                unblock.await();
            }
            return new InetAddress[] {publicAddress};
        });
        Thread blocked = new Thread(() -> resolver.refusedHost("blocked.example"));
        blocked.start();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        try (LogoutDeliveries node = deliveries(properties(2, 1, Duration.ofSeconds(10)))) {
            node.resolver(resolver);
            queue("dynamic-https");

            assertThat(node.runOnce()).isEqualTo(1);
            assertThat(okHits).as("not sent while the lookup could not run").hasValue(0);
            assertThat(jdbc.queryForObject(
                            "SELECT attempts FROM gh_logout_delivery WHERE last_outcome = 'resolver_busy'",
                            Integer.class))
                    .as("no attempt spent")
                    .isZero();
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_logout_circuit", Integer.class))
                    .as("nothing counted in the client's circuit")
                    .isZero();
            assertThat(audited).isEmpty();

            clock.advance(Duration.ofMinutes(1));
            assertThat(node.runOnce())
                    .as("still busy: due again, still not counted")
                    .isEqualTo(1);
            assertThat(jdbc.queryForObject("SELECT attempts FROM gh_logout_delivery", Integer.class))
                    .isZero();
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_logout_circuit", Integer.class))
                    .isZero();
            assertThat(audited).isEmpty();
        } finally {
            unblock.countDown();
        }
    }

    @Test
    void runOnceWhenMoreRowsDueThanSendersThenClaimsOnlyOnePerFreeSender() {
        try (LogoutDeliveries oneHost = deliveries(properties(LogoutDeliveries.THREADS, 5, Duration.ofSeconds(10)))) {
            for (int i = 0; i < 10; i++) {
                queue("ok");
            }
            assertThat(oneHost.freeSenders()).isEqualTo(LogoutDeliveries.THREADS);
            assertThat(oneHost.runOnce()).isEqualTo(LogoutDeliveries.THREADS);
            assertThat(pending()).isEqualTo(10 - LogoutDeliveries.THREADS);
            assertThat(oneHost.freeSenders()).as("every sender given back").isEqualTo(LogoutDeliveries.THREADS);
        }
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
                        Duration.ofDays(30),
                        2,
                        5,
                        Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lease");
    }

    @Test
    void propertiesWhenMaxPerHostBeyondSendersThenRefused() {
        assertThatThrownBy(() -> properties(LogoutDeliveries.THREADS + 1, 5, Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max-per-host");
    }

    @Test
    void runOnceWhenOneHostHasManyRowsThenAnotherHostIsStillServedInTheSameRound() {
        try (LogoutDeliveries node = deliveries(properties(2, 5, Duration.ofSeconds(10)))) {
            for (int i = 0; i < LogoutDeliveries.THREADS; i++) {
                queue("fail"); // due first, and enough to take every sender
            }
            clock.advance(Duration.ofSeconds(1));
            queue("ok");
            clock.advance(Duration.ofSeconds(1));

            assertThat(node.runOnce()).isEqualTo(2 + 1);
            assertThat(okHits).as("the other host was not starved").hasValue(1);
            assertThat(failHits).as("at most max-per-host at once").hasValue(2);
            assertThat(audited)
                    .singleElement()
                    .satisfies(e -> assertThat(e.details())
                            .containsEntry("client_id", "ok")
                            .containsEntry("result", "http_200"));
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_logout_delivery WHERE attempts = 0", Integer.class))
                    .as("the busy host's other rows spent no attempt")
                    .isEqualTo(LogoutDeliveries.THREADS - 2);
            assertThat(node.freeSenders()).isEqualTo(LogoutDeliveries.THREADS);
        }
    }

    @Test
    void runOnceWhenClientKeepsFailingThenCircuitOpensOnEveryNodeAuditedAndItsRowsWaitWithoutSending() {
        try (LogoutDeliveries node1 = deliveries(properties(2, 2, Duration.ofSeconds(10)));
                LogoutDeliveries node2 = deliveries(properties(2, 2, Duration.ofSeconds(10)))) {
            queue("fail");
            queue("fail");
            assertThat(node1.runOnce()).isEqualTo(2);
            assertThat(failHits).hasValue(2);
            assertThat(circuitEvents()).singleElement().satisfies(e -> {
                assertThat(e.outcome()).isEqualTo(AuditEvent.FAILURE);
                assertThat(e.subject()).isEqualTo("fail");
                assertThat(e.details())
                        .containsEntry("state", "open")
                        .containsEntry("failures", "2")
                        .containsEntry("result", "http_503");
            });

            queue("fail");
            queue("ok");
            assertThat(node2.runOnce())
                    .as("the other node sees the open circuit")
                    .isEqualTo(1);
            assertThat(failHits).as("no request to the open circuit").hasValue(2);
            assertThat(okHits).hasValue(1);
            Timestamp due = jdbc.queryForObject(
                    "SELECT MIN(due_at) FROM gh_logout_delivery WHERE last_outcome = 'circuit_open'", Timestamp.class);
            assertThat(due.toInstant()).isAfterOrEqualTo(clock.instant().plus(Duration.ofMinutes(5)));

            clock.advance(Duration.ofMinutes(31));
            assertThat(node2.runOnce()).as("open time over: tried again").isEqualTo(2);
            assertThat(failHits).hasValue(4);
            assertThat(circuitEvents())
                    .as("failed, so opened again, once")
                    .hasSize(2)
                    .last()
                    .satisfies(e -> assertThat(e.details()).containsEntry("state", "open"));
        }
    }

    @Test
    void circuitWhenDeliveredAfterOpeningThenClosedAndAudited() {
        try (LogoutDeliveries node = deliveries(properties(2, 1, Duration.ofSeconds(10)))) {
            node.circuit("ok", "ok", new LogoutDeliveries.Retry("http_503"));
            assertThat(circuitEvents())
                    .singleElement()
                    .satisfies(e -> assertThat(e.details()).containsEntry("state", "open"));
            clock.advance(Duration.ofMinutes(6));
            queue("ok");
            assertThat(node.runOnce()).isEqualTo(1);
            assertThat(okHits).hasValue(1);
            assertThat(circuitEvents()).hasSize(2).last().satisfies(e -> {
                assertThat(e.outcome()).isEqualTo(AuditEvent.SUCCESS);
                assertThat(e.details()).containsEntry("state", "closed");
            });
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_logout_circuit", Integer.class))
                    .isZero();
        }
    }

    @Test
    void circuitWhenEndpointAnswersFinallyWithoutDelayThenNotCounted() {
        try (LogoutDeliveries node = deliveries(properties(2, 1, Duration.ofSeconds(10)))) {
            node.circuit("ok", "ok", new LogoutDeliveries.Final("http_400"));
            node.circuit("ok", "ok", new LogoutDeliveries.Retry("signing"));
            assertThat(circuitEvents()).isEmpty();
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_logout_circuit", Integer.class))
                    .isZero();
        }
    }

    private List<AuditEvent> circuitEvents() {
        return audited.stream()
                .filter(e -> e.type().equals(AuditEvents.LOGOUT_BACKCHANNEL_CIRCUIT))
                .toList();
    }

    private LogoutDeliveries deliveries(BackchannelLogoutProperties properties) {
        return new LogoutDeliveries(
                jdbc, db.tx(), clients, new LogoutTokens(encoder, clock), audited::add, clock, properties);
    }

    /** A timeout long enough for any send to a live endpoint to succeed, however loaded the machine. */
    private static BackchannelLogoutProperties properties() {
        return properties(2, 5, Duration.ofSeconds(10));
    }

    /** With {@code timeout}: long where a send must succeed whatever the machine's load. */
    private static BackchannelLogoutProperties properties(int maxPerHost, int circuitFailures, Duration timeout) {
        return new BackchannelLogoutProperties(
                true,
                Duration.ofSeconds(2),
                Duration.ofSeconds(60),
                Duration.ofSeconds(2),
                timeout,
                3,
                Duration.ofSeconds(10),
                Duration.ofMinutes(30),
                Duration.ofDays(30),
                maxPerHost,
                circuitFailures,
                Duration.ofMinutes(5));
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
