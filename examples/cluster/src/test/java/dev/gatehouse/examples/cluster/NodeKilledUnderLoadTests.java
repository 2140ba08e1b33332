package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node killed with SIGKILL in the middle of a token load: only the requests in flight on that node fail (nginx
 * does not resend a POST it has already sent), later requests go to the other nodes, and every token acknowledged to
 * a client is still active (it was committed to the shared database before the answer left the node), and a browser
 * sign-in begun on that node finishes on another one (its session is in the shared database). Runs last: it leaves
 * node 2 dead.
 */
@ExtendWith(SharedCluster.class)
@Order(Integer.MAX_VALUE)
class NodeKilledUnderLoadTests {

    private static final int CLIENTS = 4;
    private static final int MAX_REQUESTS_PER_CLIENT = 150;
    private static final Duration MAX_LOAD_TIME = Duration.ofSeconds(60);
    private static final int SUCCESSES_BEFORE_KILL = 24;
    private static final int SUCCESSES_AFTER_KILL = 24;

    private static Cluster cluster;
    private static SharedCluster.Demo demo;

    @BeforeAll
    static void cluster(Cluster shared, SharedCluster.Demo credentials) {
        cluster = shared;
        demo = credentials;
    }

    /** A request that did not get a token: its {@code X-Request-Id} and what the client saw. */
    record Failure(String requestId, String outcome) {}

    @Test
    void nodeWhenKilledMidLoadThenOnlyItsInFlightRequestsFailAndEveryAcknowledgedTokenStaysActive() throws Exception {
        // A sign-in begun on node 2 (authorization request and sign-in form): after the kill it finishes on node 1.
        String username = "killed-node-" + System.nanoTime();
        String password = Admin.on(cluster.issuer(), demo).createUser(username);
        Http browser = new Http(cluster.node(1).url());
        Http.Pkce pkce = Http.Pkce.create();
        String csrf = Flows.startSignIn(browser, cluster.node(2).url(), pkce, demo);
        assertThat(browser.answeredBy()).containsOnly(cluster.node(2).name());
        int begun = browser.answeredBy().size();

        Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
        Queue<Failure> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger successesAfterKill = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        CountDownLatch loaded = new CountDownLatch(SUCCESSES_BEFORE_KILL);
        long deadline = System.nanoTime() + MAX_LOAD_TIME.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(pool.submit(() -> {
                Http http = new Http(cluster.issuer());
                for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && System.nanoTime() < deadline; i++) {
                    if (killed.get() && successesAfterKill.get() >= SUCCESSES_AFTER_KILL) {
                        return;
                    }
                    String id = UUID.randomUUID().toString();
                    try {
                        HttpResponse<String> r = http.postForm(
                                "/oauth2/token",
                                Map.of("grant_type", "client_credentials", "scope", "api.read"),
                                "Authorization",
                                Http.basic(SharedCluster.Demo.SERVICE, demo.serviceSecret()),
                                "X-Request-Id",
                                id);
                        if (r.statusCode() == 200) {
                            acknowledged.add((String) Http.json(r).get("access_token"));
                            successes.incrementAndGet();
                            loaded.countDown();
                            if (killed.get()) {
                                successesAfterKill.incrementAndGet();
                            }
                        } else {
                            failures.add(new Failure(id, "HTTP " + r.statusCode()));
                        }
                    } catch (UncheckedIOException e) {
                        failures.add(new Failure(id, e.getCause().getClass().getSimpleName()));
                    }
                }
            }));
        }
        try {
            assertThat(loaded.await(MAX_LOAD_TIME.toSeconds(), TimeUnit.SECONDS))
                    .as("%d tokens before the kill", SUCCESSES_BEFORE_KILL)
                    .isTrue();
            cluster.kill(2);
            killed.set(true);
            for (Future<?> client : clients) {
                client.get(MAX_LOAD_TIME.toSeconds() + 30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(cluster.node(2).alive()).isFalse();
        String code = Flows.finishSignIn(browser, username, password, csrf, demo);
        HttpResponse<String> tokens = Flows.exchange(new Http(cluster.issuer()), code, pkce, demo);
        assertThat(tokens.statusCode()).as("code exchange after the kill").isEqualTo(200);
        List<String> finishedBy = browser.answeredBy();
        assertThat(finishedBy.subList(begun, finishedBy.size()))
                .as("the steps after the kill")
                .isNotEmpty()
                .doesNotContain(cluster.node(2).name());
        assertThat(Flows.introspect(
                        cluster.node(3).url(),
                        (String) Http.json(tokens).get("access_token"),
                        SharedCluster.Demo.SERVICE,
                        demo.serviceSecret()))
                .containsEntry("active", true);
        assertThat(successesAfterKill.get())
                .as("the other nodes carry the load after the kill")
                .isGreaterThanOrEqualTo(SUCCESSES_AFTER_KILL);
        // At most one request per client can have been in flight on node 2 when it died.
        assertThat(failures).hasSizeLessThanOrEqualTo(CLIENTS);
        String log = Files.readString(cluster.nginxAccessLog());
        String node2 = "127.0.0.1:" + cluster.node(2).port();
        for (Failure failure : failures) {
            String line = log.lines()
                    .filter(l -> l.endsWith("id=" + failure.requestId()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("nginx did not log " + failure));
            assertThat(line).as(failure.outcome()).contains("upstream=" + node2);
        }

        // Every token a client was given is still active, asked of a surviving node.
        int checked = 0;
        for (String token : acknowledged) {
            Cluster.Node survivor = cluster.node(checked % 2 == 0 ? 1 : 3);
            assertThat(Flows.introspect(survivor.url(), token, SharedCluster.Demo.SERVICE, demo.serviceSecret()))
                    .containsEntry("active", true);
            checked++;
        }
        assertThat(checked).isEqualTo(successes.get());
    }
}
