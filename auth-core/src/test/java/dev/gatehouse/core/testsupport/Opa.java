package dev.gatehouse.core.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Open Policy Agent for tests: finds the binary that bin/setup.d/opa.sh built, starts one {@code opa
 * run --server} on a free loopback port for the whole test run, and compiles the same Rego to a Wasm bundle
 * with {@code opa build}.
 *
 * <p>The binary is looked up in {@code -Dgatehouse.opa.binary}, then {@code $GATEHOUSE_OPA_BINARY}, then the
 * file {@code target/opa-binary} at the repository root (written by opa.sh), then opa.sh's cache
 * ({@code ${GATEHOUSE_CACHE:-~/.cache/gatehouse}/opa-<version>/opa}). If none is found the tests FAIL,
 * unless {@code GATEHOUSE_SKIP_OPA_TESTS=true} opts out explicitly.
 */
public final class Opa {

    /** The Rego policy and data of the shared decision table. */
    public static final List<String> POLICY_FILES = List.of("policy/authz.rego", "policy/data.json");

    private static Path binary;
    private static Process server;
    private static URI url;
    private static Path bundle;

    private Opa() {}

    /**
     * The OPA binary; fails the test (or skips, with the explicit opt-out) if absent.
     *
     * @return the path
     */
    public static synchronized Path binary() {
        if (binary != null) {
            return binary;
        }
        Path found = locate();
        if (found == null) {
            String skip = System.getenv("GATEHOUSE_SKIP_OPA_TESTS");
            Assumptions.assumeFalse("true".equals(skip), "GATEHOUSE_SKIP_OPA_TESTS=true: OPA tests skipped");
            throw new AssertionError("OPA binary not found: run bin/setup.d/opa.sh (bin/test does), or set "
                    + "-Dgatehouse.opa.binary / GATEHOUSE_OPA_BINARY, or opt out with GATEHOUSE_SKIP_OPA_TESTS=true");
        }
        binary = found;
        return binary;
    }

    private static Path locate() {
        String prop = System.getProperty("gatehouse.opa.binary");
        if (prop != null && !prop.isBlank() && Files.isExecutable(Path.of(prop))) {
            return Path.of(prop);
        }
        String env = System.getenv("GATEHOUSE_OPA_BINARY");
        if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
            return Path.of(env);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path marker = dir.resolve("target/opa-binary");
            if (Files.isRegularFile(marker)) {
                try {
                    Path p = Path.of(
                            Files.readString(marker, StandardCharsets.UTF_8).strip());
                    if (Files.isExecutable(p)) {
                        return p;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (Files.isDirectory(dir.resolve("bin/setup.d"))) {
                break;
            }
        }
        // After `mvn clean` the marker is gone but opa.sh's cache is not.
        String cacheEnv = System.getenv("GATEHOUSE_CACHE");
        Path cache = cacheEnv != null && !cacheEnv.isBlank()
                ? Path.of(cacheEnv)
                : Path.of(System.getProperty("user.home"), ".cache", "gatehouse");
        if (Files.isDirectory(cache)) {
            try (var dirs = Files.list(cache)) {
                return dirs.filter(d -> d.getFileName().toString().startsWith("opa-v"))
                        .sorted(java.util.Comparator.reverseOrder())
                        .map(d -> d.resolve("opa"))
                        .filter(Files::isExecutable)
                        .findFirst()
                        .orElse(null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return null;
    }

    /**
     * Copies test resources into a fresh temporary directory.
     *
     * @param resources classpath resource names
     * @return the directory
     */
    public static Path resources(List<String> resources) {
        try {
            Path dir = Files.createTempDirectory("gatehouse-opa-");
            for (String r : resources) {
                try (InputStream in =
                        Objects.requireNonNull(Opa.class.getClassLoader().getResourceAsStream(r), r)) {
                    Files.copy(
                            in, dir.resolve(Path.of(r).getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The URL of a running {@code opa run --server} loaded with {@link #POLICY_FILES}, started once.
     *
     * @return the base URL
     */
    public static synchronized URI server() {
        if (server != null && server.isAlive()) {
            return url;
        }
        Path dir = resources(POLICY_FILES);
        url = start(
                List.of(
                        dir.resolve("authz.rego").toString(),
                        dir.resolve("data.json").toString()),
                List.of());
        return url;
    }

    /**
     * Starts another OPA server (stopped at JVM exit).
     *
     * @param files policy and data files
     * @param extraArgs further {@code opa run} arguments
     * @return the base URL
     */
    public static URI start(List<String> files, List<String> extraArgs) {
        return launch(files, extraArgs).url();
    }

    /**
     * A running {@code opa run --server}.
     *
     * @param process the OPA process
     * @param url its base URL
     */
    public record Running(Process process, URI url) {

        /** Stops the server and waits for it to exit (an outage, for tests of what happens then). */
        public void stop() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Starts another OPA server that the caller may stop (stopped at JVM exit otherwise).
     *
     * @param files policy and data files
     * @return the running server
     */
    public static Running run(List<String> files) {
        return launch(files, List.of());
    }

    private static Running launch(List<String> files, List<String> extraArgs) {
        int port = freePort();
        List<String> cmd = new ArrayList<>(
                List.of(binary().toString(), "run", "--server", "--addr", "127.0.0.1:" + port, "--log-level", "error"));
        cmd.addAll(extraArgs);
        cmd.addAll(files);
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            URI u = URI.create("http://127.0.0.1:" + port);
            awaitHealthy(u, p);
            return new Running(p, u);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitHealthy(URI u, Process p) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("opa run exited with " + p.exitValue());
            }
            try {
                HttpResponse<Void> r = http.send(
                        HttpRequest.newBuilder(u.resolve("/health")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                // 401: up, with --authentication=token, and refusing our anonymous probe.
                if (r.statusCode() == 200 || r.statusCode() == 401) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            sleep(100);
        }
        p.destroyForcibly();
        throw new AssertionError("opa run did not become healthy within 30 s");
    }

    /**
     * The decision-table policy compiled by {@code opa build -t wasm} with entrypoints {@code
     * gatehouse/authz/decision} and {@code gatehouse/authz/allow}, built once.
     *
     * @return the bundle.tar.gz
     */
    public static synchronized Path wasmBundle() {
        if (bundle == null) {
            Path dir = resources(POLICY_FILES);
            bundle = build(dir, List.of("gatehouse/authz/decision", "gatehouse/authz/allow"));
        }
        return bundle;
    }

    /**
     * Runs {@code opa build -t wasm} over a directory.
     *
     * @param dir policy and data files
     * @param entrypoints entrypoints
     * @return the bundle
     */
    public static Path build(Path dir, List<String> entrypoints) {
        Path out = dir.resolveSibling(dir.getFileName() + "-bundle.tar.gz");
        List<String> cmd = new ArrayList<>(List.of(binary().toString(), "build", "-t", "wasm"));
        for (String e : entrypoints) {
            cmd.add("-e");
            cmd.add(e);
        }
        cmd.addAll(List.of("-o", out.toString(), dir.toString()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("opa build failed: " + log);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * A free loopback port.
     *
     * @return the port
     */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
