package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL stopped in the middle of a load of token requests and introspections through nginx, then started again
 * (issue 14, "Database outage"). While it is down every request is answered within the client's timeout, by a node,
 * with {@code 200} (a request that had its database work done before the stop) or {@code 503} with {@code
 * Retry-After}: nothing hangs, nothing else comes back. Once it is back every node serves tokens again without a
 * restart, and every token acknowledged with {@code 200}, before, during or after the outage, introspects as active.
 *
 * <p>What counts as a failure, precisely: any other status (a {@code 500} is a database failure leaking out as a bug,
 * a {@code 401} would tell a client its secret is wrong, a {@code 502} or {@code 504} from nginx means a node dropped
 * the connection or did not answer within nginx's 30 s), a {@code 503} without {@code Retry-After} or not from a node
 * (no {@code X-Gatehouse-Node}), and any I/O failure on the client's side, a connection failure to nginx included:
 * only PostgreSQL is taken away here, nginx and the nodes run throughout, so a refused, reset or timed-out connection
 * is the hang or the crash the claim excludes. The client's timeout, {@value #CLIENT_TIMEOUT_SECONDS} s, is below
 * nginx's read timeout (so a hang is seen as one) and several times the nodes' database waits (2 s for a pooled
 * connection, 2 s to connect).
 *
 * <p>The database stays down for the issue's {@value #OUTAGE_SECONDS} s, and longer if need be until every client has
 * had {@value #ANSWERS_PER_CLIENT_WHILE_DOWN} token requests sent and answered while it was down, so the claim is held
 * for requests that met an already-empty pool ({@code pg_ctl stop -m fast} ends every connection at once), not only
 * for those in flight at the stop. (Each round of a client waits for the database twice, so three rounds take about
 * as long as the 20 s anyway.)
 *
 * <p>Runs after {@link DatabaseRestartTests} and before {@link NodeKilledUnderLoadTests}, which leaves a node dead.
 */
@ExtendWith(SharedCluster.class)
@Order(91)
class DatabaseOutageUnderLoadTests {

    static final int CLIENT_TIMEOUT_SECONDS = 15;
    static final int OUTAGE_SECONDS = 20;
    static final int ANSWERS_PER_CLIENT_WHILE_DOWN = 3;

    private static final int CLIENTS = 6;
    private static final int MAX_ROUNDS_PER_CLIENT = 300;
    private static final Duration MAX_LOAD_TIME = Duration.ofSeconds(180);
    private static final Duration MAX_OUTAGE = Duration.ofSeconds(60);
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(60);
    private static final int TOKENS_BEFORE_OUTAGE = 30;

    private static Cluster cluster;
    private static SharedCluster.Demo demo;

    @BeforeAll
    static void cluster(Cluster shared, SharedCluster.Demo credentials) {
        cluster = shared;
        demo = credentials;
    }

    /** Where the database was when a request was sent and when it was answered. */
    enum Phase {
        UP,
        /** {@code pg_ctl stop} is running: requests may still be served before PostgreSQL ends their connections. */
        STOPPING,
        DOWN,
        /**
         * PostgreSQL is starting: it accepts connections before the launcher's start returns, so a request answered
         * now may already have been served by the database that is back.
         */
        STARTING,
        RESTARTED
    }

    /**
     * One request of the load, without its token: {@code token} or {@code introspection}; the status, {@code
     * inactive} (an introspection answering 200 with {@code active: false}) or the client's I/O failure; the {@code
     * Retry-After} and {@code X-Gatehouse-Node} headers; how long it took (reported, not asserted).
     */
    record Call(
            String kind,
            int client,
            Phase sent,
            Phase answered,
            String outcome,
            @Nullable String retryAfter,
            @Nullable String node,
            long millis) {

        boolean allowed() {
            return outcome.equals("200")
                    || (outcome.equals("503")
                            && retryAfter != null
                            && retryAfter.matches("[1-9][0-9]*")
                            && node != null);
        }
    }

    @Test
    void databaseWhenStoppedMidLoadThenQuick503WithRetryAfterAndNodesRecoverWithEveryAcknowledgedTokenActive()
            throws Exception {
        Map<String, Long> pids = new TreeMap<>();
        for (Cluster.Node node : cluster.nodes()) {
            pids.put(node.name(), node.process().orElseThrow().pid());
        }
        AtomicReference<Phase> phase = new AtomicReference<>(Phase.UP);
        Queue<Call> calls = new ConcurrentLinkedQueue<>();
        Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
        Set<String> recovered = ConcurrentHashMap.newKeySet();
        AtomicInteger[] answeredWhileDown = new AtomicInteger[CLIENTS];
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch loaded = new CountDownLatch(TOKENS_BEFORE_OUTAGE);
        long deadline = System.nanoTime() + MAX_LOAD_TIME.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            answeredWhileDown[c] = new AtomicInteger();
            clients.add(pool.submit(() -> {
                Http http = new Http(cluster.issuer(), Duration.ofSeconds(CLIENT_TIMEOUT_SECONDS));
                String latest = null;
                for (int i = 0; i < MAX_ROUNDS_PER_CLIENT && System.nanoTime() < deadline && !done.get(); i++) {
                    Sent token = call(
                            "token",
                            client,
                            phase,
                            () -> Flows.clientCredentials(
                                    http, SharedCluster.Demo.SERVICE, demo.serviceSecret(), "api.read"));
                    calls.add(token.call());
                    if (token.response() != null && token.response().statusCode() == 200) {
                        latest = (String) Http.json(token.response()).get("access_token");
                        acknowledged.add(latest);
                        loaded.countDown();
                        if (token.call().sent() == Phase.RESTARTED
                                && token.call().node() != null) {
                            recovered.add(token.call().node());
                        }
                    }
                    if (latest != null) {
                        String introspected = latest;
                        Sent introspection = call(
                                "introspection",
                                client,
                                phase,
                                () -> http.postForm(
                                        "/oauth2/introspect",
                                        Map.of("token", introspected),
                                        "Authorization",
                                        Http.basic(SharedCluster.Demo.SERVICE, demo.serviceSecret())));
                        calls.add(introspection.call());
                    }
                    if (token.call().sent() == Phase.DOWN && token.call().answered() == Phase.DOWN) {
                        answeredWhileDown[client].incrementAndGet();
                    }
                }
            }));
        }
        long stopped = 0;
        long started = 0;
        long recoveredAfter = 0;
        long stopMillis = 0;
        boolean held = false;
        boolean back = false;
        try {
            assertThat(loaded.await(MAX_LOAD_TIME.toSeconds(), TimeUnit.SECONDS))
                    .as("%d tokens before the outage", TOKENS_BEFORE_OUTAGE)
                    .isTrue();
            phase.set(Phase.STOPPING);
            long stopping = System.nanoTime();
            cluster.stopDatabase();
            phase.set(Phase.DOWN);
            long down = System.nanoTime();
            stopped = down;
            stopMillis = TimeUnit.NANOSECONDS.toMillis(down - stopping);
            // Hold the outage for OUTAGE_SECONDS and until every client met it several times (bounded poll).
            held = Await.until(
                    MAX_OUTAGE,
                    () -> System.nanoTime() - down >= TimeUnit.SECONDS.toNanos(OUTAGE_SECONDS)
                            && Arrays.stream(answeredWhileDown)
                                    .allMatch(n -> n.get() >= ANSWERS_PER_CLIENT_WHILE_DOWN));
            phase.set(Phase.STARTING);
            cluster.startDatabase();
            phase.set(Phase.RESTARTED);
            started = System.nanoTime();
            back = Await.until(
                    RECOVERY_BOUND, () -> recovered.size() == cluster.nodes().size());
            recoveredAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            done.set(true);
            for (Future<?> client : clients) {
                client.get(MAX_LOAD_TIME.toSeconds() + 30, TimeUnit.SECONDS);
            }
        } finally {
            done.set(true);
            pool.shutdownNow();
            leaveServing();
        }

        List<Call> all = List.copyOf(calls);
        report(all, stopMillis, TimeUnit.NANOSECONDS.toMillis(started - stopped), recoveredAfter);
        assertThat(all.stream().filter(c -> !c.allowed()).toList())
                .as("requests answered with anything but 200 or a node's 503 with Retry-After, or not at all")
                .isEmpty();
        assertThat(held)
                .as(
                        "every client had %d token requests answered while the database was down, within %d s",
                        ANSWERS_PER_CLIENT_WHILE_DOWN, MAX_OUTAGE.toSeconds())
                .isTrue();
        assertThat(back)
                .as(
                        "every node issued a token again within %d s of the restart (recovered: %s)",
                        RECOVERY_BOUND.toSeconds(), recovered)
                .isTrue();
        // The outage was met, by both kinds of request.
        assertThat(all)
                .filteredOn(c -> c.sent() == Phase.DOWN && c.outcome().equals("503"))
                .extracting(Call::kind)
                .contains("token", "introspection");
        // A node acknowledges a token only once it is stored: none while the database is down.
        assertThat(all)
                .filteredOn(c -> c.kind().equals("token") && c.sent() == Phase.DOWN && c.answered() == Phase.DOWN)
                .extracting(Call::outcome)
                .containsOnly("503");
        // Recovered by themselves: the same processes as before the outage.
        for (Cluster.Node node : cluster.nodes()) {
            assertThat(node.alive()).as("%s alive", node.name()).isTrue();
            assertThat(node.process().orElseThrow().pid())
                    .as("%s not restarted", node.name())
                    .isEqualTo(pids.get(node.name()));
        }

        // Every token a client was given, before, during or after the outage, is active, asked of each node in turn.
        int checked = 0;
        for (String token : acknowledged) {
            Cluster.Node node = cluster.node(checked % cluster.nodes().size() + 1);
            assertThat(Flows.introspect(node.url(), token, SharedCluster.Demo.SERVICE, demo.serviceSecret()))
                    .as("acknowledged token %d on %s", checked, node.name())
                    .containsEntry("active", true);
            checked++;
        }
        assertThat(checked)
                .isGreaterThanOrEqualTo(TOKENS_BEFORE_OUTAGE + cluster.nodes().size());
    }

    /**
     * Whatever happened above, the database runs again and every node is healthy (bounded) before the next class, so
     * that a failure here is reported here and not as a failure of {@link NodeKilledUnderLoadTests}.
     */
    private static void leaveServing() throws Exception {
        if (!cluster.databaseRunning()) {
            cluster.startDatabase();
        }
        for (Cluster.Node node : cluster.nodes()) {
            Http http = new Http(node.url(), Duration.ofSeconds(CLIENT_TIMEOUT_SECONDS));
            Await.until(RECOVERY_BOUND, () -> {
                try {
                    return http.get("/actuator/health").statusCode() == 200;
                } catch (UncheckedIOException e) {
                    return false;
                }
            });
        }
    }

    /** A sent request's record, and its response when one came. */
    private record Sent(Call call, @Nullable HttpResponse<String> response) {}

    private static Sent call(
            String kind, int client, AtomicReference<Phase> phase, Supplier<HttpResponse<String>> request) {
        Phase sent = phase.get();
        long start = System.nanoTime();
        HttpResponse<String> r = null;
        String outcome;
        try {
            r = request.get();
            outcome = Integer.toString(r.statusCode());
            if (kind.equals("introspection")
                    && r.statusCode() == 200
                    && !Boolean.TRUE.equals(Http.json(r).get("active"))) {
                outcome = "inactive";
            }
        } catch (UncheckedIOException e) {
            outcome = e.getCause().getClass().getSimpleName();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Call call = new Call(
                kind,
                client,
                sent,
                phase.get(),
                outcome,
                r == null ? null : r.headers().firstValue("Retry-After").orElse(null),
                r == null ? null : r.headers().firstValue(Cluster.NODE_HEADER).orElse(null),
                millis);
        return new Sent(call, r);
    }

    /** The figures, printed for the record (none of them timed assertions). */
    private static void report(List<Call> calls, long stopMillis, long downMillis, long recoveryMillis) {
        Map<Phase, Map<String, Long>> outcomes = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) {
            outcomes.put(
                    p,
                    calls.stream()
                            .filter(c -> c.sent() == p)
                            .collect(Collectors.groupingBy(
                                    c -> c.kind() + " " + c.outcome(), TreeMap::new, Collectors.counting())));
        }
        long slowestWhileDown = calls.stream()
                .filter(c -> c.sent() == Phase.DOWN)
                .mapToLong(Call::millis)
                .max()
                .orElse(0);
        System.out.printf(
                "database outage under load: pg_ctl stop took %d ms, then down %d ms, every node serving again %d ms"
                        + " after the restart; by phase sent: %s; slowest answer sent while down %d ms%n",
                stopMillis, downMillis, recoveryMillis, outcomes, slowestWhileDown);
    }
}
