import dev.gatehouse.examples.cluster.Cluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One measurement of a Gatehouse cluster (benchmarks/cluster-load/run.sh runs it once per node count): starts
 * examples/cluster's {@link Cluster} (embedded PostgreSQL, N auth-server nodes, nginx round robin) with the token
 * limits raised as benchmarks/server-load/run.sh raises them, pins the processes (nodes on NODE_CPUS, everything
 * else - PostgreSQL, nginx, this controller and the load generators - on OTHER_CPUS), and measures
 *
 * <ul>
 *   <li>the token endpoint (client credentials, HTTP Basic) through nginx with wrk and token-cc.lua: tokens/s,
 *       p50/p99, the nodes' CPU per token, PostgreSQL's own CPU per token (utime+stime of every postgres process,
 *       exited backends included through the postmaster's cutime/cstime), nginx's CPU per token, and the database
 *       work per token: statements (pg_stat_statements), transactions and rows (pg_stat_database), WAL bytes;</li>
 *   <li>browser sign-ins through nginx (authorization request, login page, password POST, back to the
 *       authorization endpoint, code redeemed at the token endpoint with PKCE): the same figures per sign-in.</li>
 * </ul>
 *
 * <p>Background database work (the nodes' pollers and purgers) is measured over an idle interval and subtracted.
 * Prints "RESULT ..." lines (key=value) and the statements behind the figures. Every phase is bounded in time.
 *
 * <p>Arguments: {@code <repository root> <nodes>}; settings from the environment (see run.sh).
 */
public final class ClusterLoad {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
    private static final Pattern STATE = Pattern.compile("name=\"state\" value=\"([^\"]+)\"");
    private static final long TICK_HZ = 100; // USER_HZ on Linux; run.sh checks getconf CLK_TCK
    private static final String SERVICE = "gatehouse-demo-service";

    private final Path root;
    private final int nodes;
    private final Map<String, String> env = System.getenv();
    private final String otherCpus = env.getOrDefault("OTHER_CPUS", "0");
    private final String nodeCpus = env.getOrDefault("NODE_CPUS", "1");
    private Cluster cluster;
    private Connection db;
    private boolean statements;
    private String serviceSecret;
    private String redirect;
    private final List<String[]> users = new ArrayList<>();

    private ClusterLoad(Path root, int nodes) {
        this.root = root;
        this.nodes = nodes;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        int nodes = Integer.parseInt(args[1]);
        new ClusterLoad(root, nodes).run();
    }

    private void run() throws Exception {
        int callbackPort = freePort();
        redirect = "http://127.0.0.1:" + callbackPort + "/login/oauth2/code/gatehouse";
        String tokenLimit = env.getOrDefault("TOKEN_RATE_LIMIT", "1000000000/1s");
        List<String> arguments = new ArrayList<>(List.of(
                // As benchmarks/server-load/run.sh: the whole load comes from one address (nginx) with one client id;
                // the limits are raised, not switched off, so the rate-limit filter and its buckets stay in the path.
                "--gatehouse.server.rate-limit.token-per-address=" + tokenLimit,
                "--gatehouse.server.rate-limit.token-per-client=" + tokenLimit,
                "--gatehouse.server.rate-limit.login-per-address=1000000000/1s",
                "--gatehouse.server.rate-limit.authorization-per-address=1000000000/1s",
                "--gatehouse.server.rate-limit.admin-per-address=1000000/1m",
                "--gatehouse.server.throttle.address-free-attempts=1000000",
                "--gatehouse.server.throttle.address-lockout-threshold=10000000",
                "--gatehouse.server.demo-web-client-url=http://127.0.0.1:" + callbackPort,
                "--logging.level.root=WARN"));
        for (String extra : env.getOrDefault("GATEHOUSE_ARGS", "").split("\\s+")) {
            if (!extra.isBlank()) {
                arguments.add(extra);
            }
        }
        log("starting " + nodes + " node(s) with PostgreSQL and nginx (nodes on CPU " + nodeCpus + ")");
        Path work = Files.createTempDirectory("gatehouse-cluster-load-");
        cluster = Cluster.builder(root).nodes(nodes).work(work).serverArguments(arguments).start();
        try {
            measure();
        } finally {
            if (db != null) {
                db.close();
            }
            cluster.close();
        }
    }

    private void measure() throws Exception {
        // Everything but the nodes to the other CPU: this controller (wrk and the sign-in client are its children or
        // threads), nginx, and PostgreSQL, which is restarted from here below and so forks on that CPU.
        pin(ProcessHandle.current().pid(), otherCpus);
        for (ProcessHandle p : processes("nginx")) {
            pin(p.pid(), otherCpus);
        }
        enableStatements();
        for (ProcessHandle p : postgres()) {
            pin(p.pid(), otherCpus);
        }
        String credentials = Files.readString(cluster.demoCredentials());
        serviceSecret = find(credentials, SERVICE, "secret: (\\S+)");
        waitForTokens();
        createUsers(Integer.parseInt(env.getOrDefault("SIGNIN_USERS", "8")));
        log("pinning: " + pinning());
        log("database: " + settings());

        String warmup = env.getOrDefault("WARMUP", "60s");
        String duration = env.getOrDefault("DURATION", "20s");
        int rounds = Integer.parseInt(env.getOrDefault("ROUNDS", "2"));
        int connections = Integer.parseInt(env.getOrDefault("CONNECTIONS", "16"));
        int signinSeconds = Integer.parseInt(env.getOrDefault("SIGNIN_SECONDS", "30"));
        int signinWarmup = Integer.parseInt(env.getOrDefault("SIGNIN_WARMUP_SECONDS", "20"));
        int signinConcurrency = Integer.parseInt(env.getOrDefault("SIGNIN_CONCURRENCY", "4"));

        log("token warm-up " + warmup);
        wrk(warmup, connections);
        signIns(signinWarmup, signinConcurrency, 100000);

        // Background: the nodes' pollers and purgers, per second, subtracted from every figure below.
        int idleSeconds = Integer.parseInt(env.getOrDefault("IDLE_SECONDS", "10"));
        Snapshot i0 = snapshot();
        Thread.sleep(idleSeconds * 1000L);
        Snapshot i1 = snapshot();
        Delta idle = new Delta(i0, i1, idleSeconds);
        System.out.printf(Locale.ROOT,
                "RESULT nodes=%d kind=idle seconds=%d node_cpu_ms_per_s=%.2f db_cpu_ms_per_s=%.2f statements_per_s=%.2f"
                        + " xacts_per_s=%.2f%n",
                nodes, idleSeconds, idle.nodeMs() / idleSeconds, idle.dbMs() / idleSeconds,
                idle.statements() / idleSeconds, idle.xacts() / idleSeconds);

        for (int r = 1; r <= rounds; r++) {
            Snapshot s0 = snapshot();
            String line = wrk(duration, connections);
            Snapshot s1 = snapshot();
            Map<String, String> w = keyValues(line);
            long requests = Long.parseLong(w.get("requests"));
            Delta d = new Delta(s0, s1, seconds(duration)).minus(idle);
            System.out.printf(Locale.ROOT,
                    "RESULT nodes=%d kind=token round=%d tokens_per_s=%s p50_ms=%s p99_ms=%s requests=%d errors=%s %s"
                            + " load=%s%n",
                    nodes, r, w.get("tokens_per_s"), w.get("p50_ms"), w.get("p99_ms"), requests, w.get("errors"),
                    d.per(requests), loadAverage());
            if (r == rounds) {
                d.printTopStatements("token", requests);
            }
        }

        int attempts = Integer.parseInt(env.getOrDefault("SIGNINS", "100000"));
        Snapshot s0 = snapshot();
        SignInResult result = signIns(signinSeconds, signinConcurrency, attempts);
        Snapshot s1 = snapshot();
        Delta d = new Delta(s0, s1, result.seconds).minus(idle);
        System.out.printf(Locale.ROOT,
                "RESULT nodes=%d kind=signin signins_per_s=%.1f p50_ms=%.1f p99_ms=%.1f requests=%d errors=%d"
                        + " nodes_seen_per_signin=%.2f %s load=%s%n",
                nodes, result.completed / result.seconds, result.percentile(50), result.percentile(99),
                result.completed, result.errors, result.nodesPerSignIn(), d.per(result.completed), loadAverage());
        d.printTopStatements("signin", result.completed);
        tableSizes();
    }

    /** Each table's size on disk per live row, indexes and TOAST included: what a retained row costs. */
    private void tableSizes() throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT relname, n_live_tup, pg_total_relation_size(relid)"
                        + " FROM pg_stat_user_tables ORDER BY 3 DESC LIMIT 8")) {
            while (rs.next()) {
                long rows = rs.getLong(2);
                System.out.printf(Locale.ROOT, "TABLE nodes=%d table=%s rows=%d bytes=%d bytes_per_row=%s%n", nodes,
                        rs.getString(1), rows, rs.getLong(3), rows == 0 ? "n/a" : Long.toString(rs.getLong(3) / rows));
            }
        }
    }

    // ------------------------------------------------------------------------------------------ the token load

    private String wrk(String duration, int connections) throws IOException, InterruptedException {
        Path script = root.resolve("benchmarks/server-load/token-cc.lua");
        ProcessBuilder pb = new ProcessBuilder(
                        "wrk", "-t1", "-c" + connections, "-d" + duration, "--latency", "-s", script.toString(),
                        cluster.issuer())
                .redirectErrorStream(true);
        pb.environment().put("CLIENT_ID", SERVICE);
        pb.environment().put("CLIENT_SECRET", serviceSecret);
        pb.environment().put("TOKEN_PATH", "/oauth2/token");
        pb.environment().put("SCOPE", "api.read");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds(duration) + 30, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("wrk did not end");
        }
        return out.lines()
                .filter(l -> l.startsWith("RESULT"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("wrk printed no RESULT:\n" + out));
    }

    private void waitForTokens() throws InterruptedException {
        Browser client = new Browser(cluster.issuer());
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        int ok = 0;
        while (ok < 3 * nodes) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no tokens through nginx after the database restart");
            }
            try {
                HttpResponse<String> r = client.postForm(
                        "/oauth2/token",
                        Map.of("grant_type", "client_credentials", "scope", "api.read"),
                        "Authorization",
                        basic(SERVICE, serviceSecret));
                ok = r.statusCode() == 200 ? ok + 1 : 0;
            } catch (UncheckedIOException e) {
                ok = 0;
            }
            if (ok == 0) {
                Thread.sleep(500);
            }
        }
    }

    // --------------------------------------------------------------------------------------------- sign-ins

    private void createUsers(int count) {
        Browser client = new Browser(cluster.issuer());
        HttpResponse<String> t = client.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", "admin"),
                "Authorization",
                basic(SERVICE, serviceSecret));
        check(t.statusCode() == 200, "admin token: " + t.statusCode());
        String token = jsonString(t.body(), "access_token");
        for (int i = 0; i < count; i++) {
            String username = "bench-" + i + "-" + random(4).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "x");
            String password = random(18);
            HttpResponse<String> r = client.postJson(
                    "/admin/users",
                    "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}",
                    "Authorization",
                    "Bearer " + token,
                    "Accept",
                    "application/json");
            check(r.statusCode() == 201, "user creation: " + r.statusCode() + " " + r.body());
            users.add(new String[] {username, password});
        }
    }

    private SignInResult signIns(int seconds, int concurrency, int max) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        AtomicInteger started = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger nodeChanges = new AtomicInteger();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> firstError = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            int me = t;
            Thread thread = new Thread(() -> {
                int n = 0;
                while (System.nanoTime() < deadline && started.incrementAndGet() <= max) {
                    String[] user = users.get((me + n++ * concurrency) % users.size());
                    long t0 = System.nanoTime();
                    try {
                        nodeChanges.addAndGet(signIn(user[0], user[1]));
                        latencies.add(System.nanoTime() - t0);
                        completed.incrementAndGet();
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                        if (firstError.isEmpty()) {
                            firstError.add(e.toString());
                        }
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(seconds + 60).toMillis());
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (!firstError.isEmpty()) {
            log("first sign-in error: " + firstError.peek());
        }
        return new SignInResult(completed.get(), errors.get(), elapsed, new ArrayList<>(latencies), nodeChanges.get());
    }

    /**
     * One browser sign-in (RFC 6749 §4.1 with PKCE, RFC 7636 §4): authorization request, login page, password, back
     * to the authorization endpoint (consent if asked), code redeemed at the token endpoint. Returns how many
     * distinct nodes answered its requests.
     */
    private int signIn(String username, String password) {
        Browser browser = new Browser(cluster.issuer());
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String challenge;
        try {
            challenge = Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256")
                            .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", SERVICE);
        q.put("redirect_uri", redirect);
        q.put("scope", "openid api.read");
        q.put("state", "st");
        q.put("nonce", "n");
        q.put("code_challenge", challenge);
        q.put("code_challenge_method", "S256");
        HttpResponse<String> start = browser.get("/oauth2/authorize?" + encode(q));
        check(location(start).endsWith("/login"), "authorize did not send to /login: " + start.statusCode());
        HttpResponse<String> page = browser.get("/login");
        HttpResponse<String> login = browser.postForm(
                "/login", Map.of("username", username, "password", password, "_csrf", csrf(page)));
        String next = location(login);
        check(!next.contains("error") && next.contains("/oauth2/authorize"), "sign-in refused");
        String location = location(browser.get(next));
        if (location.contains("/oauth2/consent")) {
            HttpResponse<String> consent = browser.get(location);
            Matcher state = STATE.matcher(consent.body());
            check(state.find(), "no state on the consent page");
            location = location(browser.postForm(
                    "/oauth2/authorize",
                    Map.of("client_id", SERVICE, "state", state.group(1), "scope", "api.read", "_csrf",
                            csrf(consent))));
        }
        check(location.startsWith(redirect + "?"), "no redirect to the client");
        String code = query(location).get("code");
        check(code != null, "no code");
        HttpResponse<String> tokens = browser.postForm(
                "/oauth2/token",
                Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", redirect, "code_verifier",
                        verifier),
                "Authorization",
                basic(SERVICE, serviceSecret));
        check(tokens.statusCode() == 200, "code exchange: " + tokens.statusCode());
        return (int) browser.answeredBy.stream().distinct().count();
    }

    private record SignInResult(int completed, int errors, double seconds, List<Long> latencies, int nodesSeen) {
        double percentile(int p) {
            if (latencies.isEmpty()) {
                return 0;
            }
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e6;
        }

        double nodesPerSignIn() {
            return completed == 0 ? 0 : (double) nodesSeen / completed;
        }
    }

    // ------------------------------------------------------------------------------------ database and CPU

    /**
     * pg_stat_statements needs shared_preload_libraries, which is read at start: set it, restart PostgreSQL through
     * the cluster's own stop/start (same data directory and port; the nodes reconnect by themselves).
     */
    private void enableStatements() throws Exception {
        db = connect();
        try (Statement s = db.createStatement()) {
            s.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
        }
        db.close();
        cluster.stopDatabase();
        cluster.startDatabase();
        db = connect();
        try (Statement s = db.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            statements = true;
        } catch (SQLException e) {
            log("pg_stat_statements unavailable (" + e.getMessage() + "): statements per request not measured");
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(cluster.jdbcUrl(), "postgres", "");
    }

    private String settings() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, setting, source FROM pg_settings WHERE name IN"
                        + " ('server_version', 'synchronous_commit', 'fsync', 'full_page_writes', 'shared_buffers',"
                        + " 'max_connections', 'shared_preload_libraries') ORDER BY name")) {
            while (rs.next()) {
                out.add(rs.getString(1) + "=" + rs.getString(2) + " (" + rs.getString(3) + ")");
            }
        }
        return String.join(" ", out);
    }

    private record Snapshot(
            long nanos,
            long nodeTicks,
            long dbTicks,
            long nginxTicks,
            long[] cpu0,
            long[] cpu1,
            Map<String, Long> db,
            Map<Long, Long> calls,
            Map<Long, String> texts) {}

    private Snapshot snapshot() throws Exception {
        long nanos = System.nanoTime();
        long nodeTicks = 0;
        for (ProcessHandle p : processes("java")) {
            if (p.info().arguments().map(a -> String.join(" ", a).contains("gatehouse-server.jar")).orElse(false)) {
                nodeTicks += ticks(p.pid(), false);
            }
        }
        long dbTicks = 0;
        List<ProcessHandle> pg = postgres();
        for (ProcessHandle p : pg) {
            // The postmaster (first) forks every backend: its cutime/cstime hold the backends that have exited.
            dbTicks += ticks(p.pid(), p == pg.get(0));
        }
        long nginxTicks = 0;
        for (ProcessHandle p : processes("nginx")) {
            nginxTicks += ticks(p.pid(), false);
        }
        long[] cpu0 = cpuLine("cpu0");
        long[] cpu1 = cpuLine("cpu1");
        // PostgreSQL 14's cumulative statistics reach pg_stat_database through the stats collector (every 0.5 s).
        Thread.sleep(1200);
        Map<String, Long> counters = new HashMap<>();
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT xact_commit, xact_rollback, tup_inserted, tup_updated,"
                        + " tup_deleted, tup_fetched, blks_read FROM pg_stat_database WHERE datname = 'postgres'")) {
            rs.next();
            for (String c : List.of(
                    "xact_commit", "xact_rollback", "tup_inserted", "tup_updated", "tup_deleted", "tup_fetched",
                    "blks_read")) {
                counters.put(c, rs.getLong(c));
            }
        }
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT wal_bytes, wal_records FROM pg_stat_wal")) {
            rs.next();
            counters.put("wal_bytes", rs.getLong(1));
            counters.put("wal_records", rs.getLong(2));
        }
        // Transaction ids are assigned only to transactions that write: the next id counts the writing commits
        // (each one a WAL flush at commit under synchronous_commit=on), without using one up itself.
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")) {
            rs.next();
            counters.put("next_xid", rs.getLong(1));
        }
        Map<Long, Long> calls = new HashMap<>();
        Map<Long, String> texts = new HashMap<>();
        if (statements) {
            try (Statement s = db.createStatement();
                    ResultSet rs = s.executeQuery("SELECT queryid, calls, query FROM pg_stat_statements"
                            + " WHERE query NOT ILIKE '%pg_stat%' AND query NOT ILIKE 'SHOW %'"
                            + " AND query NOT ILIKE 'ALTER SYSTEM%' AND query NOT ILIKE 'CREATE EXTENSION%'")) {
                while (rs.next()) {
                    calls.merge(rs.getLong(1), rs.getLong(2), Long::sum);
                    texts.put(rs.getLong(1), rs.getString(3));
                }
            }
        }
        return new Snapshot(nanos, nodeTicks, dbTicks, nginxTicks, cpu0, cpu1, counters, calls, texts);
    }

    private final class Delta {
        final double seconds;
        double nodeMs;
        double dbMs;
        double nginxMs;
        final double cpu0Busy;
        final double cpu1Busy;
        final Map<String, Double> db = new HashMap<>();
        final Map<Long, Double> calls = new HashMap<>();
        final Map<Long, String> texts;

        Delta(Snapshot a, Snapshot b, double seconds) {
            this.seconds = seconds;
            nodeMs = (b.nodeTicks - a.nodeTicks) * 1000.0 / TICK_HZ;
            dbMs = (b.dbTicks - a.dbTicks) * 1000.0 / TICK_HZ;
            nginxMs = (b.nginxTicks - a.nginxTicks) * 1000.0 / TICK_HZ;
            cpu0Busy = busy(a.cpu0, b.cpu0);
            cpu1Busy = busy(a.cpu1, b.cpu1);
            b.db.forEach((k, v) -> db.put(k, (double) (v - a.db.getOrDefault(k, 0L))));
            b.calls.forEach((k, v) -> calls.put(k, (double) (v - a.calls.getOrDefault(k, 0L))));
            texts = b.texts;
        }

        /** Subtracts the background work of the same length of time. */
        Delta minus(Delta idle) {
            double f = seconds / idle.seconds;
            nodeMs -= idle.nodeMs * f;
            dbMs -= idle.dbMs * f;
            nginxMs -= idle.nginxMs * f;
            idle.db.forEach((k, v) -> db.merge(k, -v * f, Double::sum));
            idle.calls.forEach((k, v) -> calls.merge(k, -v * f, Double::sum));
            return this;
        }

        double nodeMs() {
            return nodeMs;
        }

        double dbMs() {
            return dbMs;
        }

        double statements() {
            return calls.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        double xacts() {
            return db.getOrDefault("xact_commit", 0.0) + db.getOrDefault("xact_rollback", 0.0);
        }

        String per(long n) {
            double d = Math.max(n, 1);
            return String.format(Locale.ROOT,
                    "node_cpu_ms=%.3f db_cpu_ms=%.3f nginx_cpu_ms=%.3f statements=%s xacts=%.2f write_xacts=%.2f"
                            + " rows_inserted=%.2f"
                            + " rows_updated=%.2f rows_deleted=%.2f rows_fetched=%.1f wal_bytes=%.0f wal_records=%.2f"
                            + " cpu0_busy=%.0f%% cpu1_busy=%.0f%%",
                    nodeMs / d, dbMs / d, nginxMs / d,
                    statements ? String.format(Locale.ROOT, "%.2f", statements() / d) : "n/a",
                    xacts() / d, db.get("next_xid") / d, db.get("tup_inserted") / d, db.get("tup_updated") / d, db.get("tup_deleted") / d,
                    db.get("tup_fetched") / d, db.get("wal_bytes") / d, db.get("wal_records") / d,
                    cpu0Busy * 100, cpu1Busy * 100);
        }

        void printTopStatements(String kind, long n) {
            if (!statements || n == 0) {
                return;
            }
            calls.entrySet().stream()
                    .filter(e -> e.getValue() / n >= 0.01)
                    .sorted(Map.Entry.<Long, Double>comparingByValue().reversed())
                    .limit(15)
                    .forEach(e -> System.out.printf(Locale.ROOT, "STATEMENT nodes=%d kind=%s per=%.2f sql=%s%n",
                            nodes, kind, e.getValue() / n,
                            texts.getOrDefault(e.getKey(), "?").replaceAll("\\s+", " ").substring(0,
                                    Math.min(160, texts.getOrDefault(e.getKey(), "?").replaceAll("\\s+", " ").length()))));
        }
    }

    /** utime+stime of a process (all its threads), plus its waited-for children's when asked, in clock ticks. */
    private static long ticks(long pid, boolean children) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return children ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
        } catch (IOException e) {
            return 0; // exited between listing and reading: its time is in its parent's cutime now
        }
    }

    private static long[] cpuLine(String cpu) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith(cpu + " ")) {
                String[] f = line.trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length; i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                return new long[] {total - idle, total};
            }
        }
        return new long[] {0, 1};
    }

    private static double busy(long[] a, long[] b) {
        return (double) (b[0] - a[0]) / Math.max(1, b[1] - a[1]);
    }

    /** This controller's descendants whose executable's name is the given one. */
    private static List<ProcessHandle> processes(String executable) {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info()
                        .command()
                        .map(c -> Path.of(c).getFileName().toString().equals(executable))
                        .orElse(false))
                .collect(Collectors.toList());
    }

    /** The postmaster (pg_ctl starts it detached, so it is no child of this JVM) first, then its processes. */
    private List<ProcessHandle> postgres() throws IOException {
        long pid = Long.parseLong(Files.readAllLines(cluster.work().resolve("postgres/postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no postmaster"));
        List<ProcessHandle> all = new ArrayList<>();
        all.add(postmaster);
        postmaster.descendants().forEach(all::add);
        return all;
    }

    private static void pin(long pid, String cpus) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("taskset failed for " + pid + ": " + out);
        }
    }

    private String pinning() throws IOException {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        List<ProcessHandle> all = new ArrayList<>();
        all.add(ProcessHandle.current());
        ProcessHandle.current().descendants().forEach(all::add);
        all.addAll(postgres());
        for (ProcessHandle p : all) {
            String name = p.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?");
            if (name.equals("java") && p.pid() != ProcessHandle.current().pid()) {
                name = "node";
            } else if (name.equals("java")) {
                name = "controller";
            }
            try {
                String allowed = Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
                        .filter(l -> l.startsWith("Cpus_allowed_list:"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .findFirst()
                        .orElse("?");
                byName.computeIfAbsent(name, k -> new ArrayList<>()).add(allowed);
            } catch (IOException e) {
                // exited
            }
        }
        return byName.entrySet().stream()
                .map(e -> e.getValue().size() + "x " + e.getKey() + " on CPU "
                        + e.getValue().stream().distinct().collect(Collectors.joining(",")))
                .collect(Collectors.joining("; "));
    }

    // --------------------------------------------------------------------------------------------- helpers

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static long seconds(String duration) {
        String d = duration.trim();
        if (d.endsWith("m")) {
            return Long.parseLong(d.substring(0, d.length() - 1)) * 60;
        }
        return Long.parseLong(d.endsWith("s") ? d.substring(0, d.length() - 1) : d);
    }

    private static Map<String, String> keyValues(String line) {
        Map<String, String> out = new HashMap<>();
        Matcher m = Pattern.compile("(\\w+)=(\\S+)").matcher(line);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    private static String find(String text, String lineContaining, String regex) {
        for (String line : text.split("\n")) {
            if (line.contains(lineContaining)) {
                Matcher m = Pattern.compile(regex).matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        throw new IllegalStateException("the demo credentials file has no '" + lineContaining + "' line");
    }

    private static String jsonString(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        check(m.find(), "no " + name + " in the response");
        return m.group(1);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static final long STARTED = System.nanoTime();

    private static void log(String message) {
        System.out.printf(Locale.ROOT, "==> [%4ds] %s%n", (System.nanoTime() - STARTED) / 1_000_000_000L, message);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String random(int bytes) {
        byte[] raw = new byte[bytes];
        new SecureRandom().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    static String basic(String id, String secret) {
        String pair =
                URLEncoder.encode(id, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    static String encode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static Map<String, String> query(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        String q = URI.create(url).getRawQuery();
        if (q == null) {
            return out;
        }
        for (String pair : q.split("&")) {
            int i = pair.indexOf('=');
            out.put(
                    URLDecoder.decode(i < 0 ? pair : pair.substring(0, i), StandardCharsets.UTF_8),
                    i < 0 ? "" : URLDecoder.decode(pair.substring(i + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    static String csrf(HttpResponse<String> page) {
        Matcher m = CSRF.matcher(page.body());
        check(m.find(), "no CSRF token on the page (" + page.statusCode() + ")");
        return m.group(1);
    }

    static String location(HttpResponse<String> r) {
        return r.headers()
                .firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("no redirect (" + r.statusCode() + ")"));
    }

    /** A browser: one cookie jar across whichever node answers, no redirects followed, the answering nodes noted. */
    private static final class Browser {
        private static final HttpClient CLIENT = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(3))
                .build();
        private final String base;
        private final Map<String, String> cookies = new LinkedHashMap<>();
        final List<String> answeredBy = new ArrayList<>();

        Browser(String base) {
            this.base = base;
        }

        HttpResponse<String> get(String pathOrUrl) {
            return send(HttpRequest.newBuilder(uri(pathOrUrl)).GET());
        }

        HttpResponse<String> postForm(String pathOrUrl, Map<String, String> form, String... headers) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathOrUrl))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(encode(form)));
            if (headers.length > 0) {
                b.headers(headers);
            }
            return send(b);
        }

        HttpResponse<String> postJson(String pathOrUrl, String json, String... headers) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathOrUrl))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json));
            if (headers.length > 0) {
                b.headers(headers);
            }
            return send(b);
        }

        private HttpResponse<String> send(HttpRequest.Builder request) {
            if (!cookies.isEmpty()) {
                request.header(
                        "Cookie",
                        cookies.entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue())
                                .collect(Collectors.joining("; ")));
            }
            HttpResponse<String> r;
            try {
                r = CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            r.headers().firstValue(Cluster.NODE_HEADER).ifPresent(answeredBy::add);
            for (String c : r.headers().allValues("Set-Cookie")) {
                String pair = c.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String value = pair.substring(eq + 1);
                if (value.isEmpty() || c.toLowerCase(Locale.ROOT).contains("max-age=0")) {
                    cookies.remove(pair.substring(0, eq));
                } else {
                    cookies.put(pair.substring(0, eq), value);
                }
            }
            return r;
        }

        private URI uri(String pathOrUrl) {
            return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
        }
    }
}
