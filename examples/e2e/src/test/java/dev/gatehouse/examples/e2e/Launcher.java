package dev.gatehouse.examples.e2e;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * What the end-to-end tests start, shared by them: the built jars (auth-server, the examples) and other programs as
 * processes of their own on free ports, each logging to a file in one temporary directory, and headless Chromium
 * (Debian's {@code chromium} and {@code chromium-driver}, from {@code bin/setup.d/chromium.sh}). {@link #close()}
 * stops all of them.
 */
final class Launcher implements AutoCloseable {

    /** The repository root (the tests run in {@code examples/e2e}). */
    static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

    private static final Pattern SECRET = Pattern.compile("secret: (\\S+)");
    private static final Pattern PASSWORD = Pattern.compile("password: (\\S+)");
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SERVER_WAIT = Duration.ofSeconds(120);
    private static final Duration CREDENTIALS_WAIT = Duration.ofSeconds(60);

    private final Path work;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    /** Guards {@link #outputEvents}; notified whenever a process prints a line or ends. */
    private final Object output = new Object();
    /** How many lines (and ends) the processes have printed so far: a waiter wakes when it moves. */
    private long outputEvents;

    private final List<ChromeDriver> browsers = new ArrayList<>();

    /**
     * Creates the launcher and its temporary directory (logs, the server's data, Chromium's profile).
     *
     * @param name the directory's prefix
     */
    Launcher(String name) throws IOException {
        this.work = Files.createTempDirectory(name);
    }

    /** The temporary directory with every process's log ({@code <name>.log}). */
    Path work() {
        return work;
    }

    /**
     * A running auth-server on a free port: dev mode, the demo user and clients (the service client asking for
     * consent), its data in the work directory.
     *
     * @param port the port from {@link #freePort()}
     * @param issuer its issuer, {@code http://localhost:<port>}
     * @param demoPassword the password of user {@code demo}
     * @param serviceSecret the secret of client {@code gatehouse-demo-service}
     */
    record AuthServer(int port, String issuer, String demoPassword, String serviceSecret) {

        /**
         * RFC 6749 §4.4: a client-credentials token of the demo service client with scope {@code admin}, for the
         * admin API (the operator's path).
         *
         * @return the access token
         */
        String adminToken() {
            HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(issuer + "/oauth2/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header(
                            "Authorization",
                            "Basic "
                                    + Base64.getEncoder()
                                            .encodeToString(("gatehouse-demo-service:" + serviceSecret)
                                                    .getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=admin"))
                    .build());
            Matcher m = ACCESS_TOKEN.matcher(answer.body());
            if (answer.statusCode() != 200 || !m.find()) {
                throw new AssertionError("the token endpoint answered " + answer.statusCode());
            }
            return m.group(1);
        }
    }

    /**
     * Sends a request outside the browser: redirects not followed, a 10 s connect timeout.
     *
     * @param request the request
     * @return the answer, its body as a string
     */
    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build()
                    .send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Starts auth-server's jar ({@code auth-server/target/gatehouse-server.jar}) and waits until it answers and has
     * written the demo credentials.
     *
     * @param webClientUrl base URL of the web client, whose redirect URI the demo service client registers
     * @param more further arguments ({@code --name=value} properties)
     * @return the running server
     */
    AuthServer startAuthServer(String webClientUrl, String... more) throws Exception {
        int port = freePort();
        String issuer = "http://localhost:" + port;
        List<String> args = new ArrayList<>(List.of(
                "--server.port=" + port,
                "--gatehouse.token.issuer=" + issuer,
                "--gatehouse.dev-mode=true",
                "--gatehouse.server.demo=true",
                "--gatehouse.server.demo-require-consent=true",
                "--gatehouse.server.data-dir=" + work.resolve("data"),
                "--gatehouse.server.demo-web-client-url=" + webClientUrl));
        args.addAll(List.of(more));
        startJar(
                "auth-server",
                Map.of(),
                ROOT.resolve("auth-server/target/gatehouse-server.jar"),
                args.toArray(String[]::new));
        waitFor(issuer + "/.well-known/openid-configuration");
        // Written once the server is ready, just after its endpoints answer.
        String credentials = awaitCredentials(work.resolve("data/demo-credentials.txt"));
        return new AuthServer(
                port,
                issuer,
                credential(PASSWORD, credentials, "user demo"),
                credential(SECRET, credentials, "gatehouse-demo-service"));
    }

    /**
     * Starts a runnable jar with this JVM's {@code java}.
     *
     * @param name the process's name (its log is {@code <name>.log})
     * @param env extra environment (secrets go here, not on the command line: process listings)
     * @param jar the jar
     * @param args its arguments
     */
    void startJar(String name, Map<String, String> env, Path jar, String... args) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: build with `./mvnw -B verify` from the repository root");
        }
        List<String> command = new ArrayList<>(
                List.of(ProcessHandle.current().info().command().orElse("java"), "-jar", jar.toString()));
        command.addAll(List.of(args));
        startProcess(name, command, env);
    }

    /**
     * Starts a program in the work directory.
     *
     * @param name the process's name (its log is {@code <name>.log})
     * @param command the command line
     * @param env extra environment
     */
    void startProcess(String name, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.put(name, process);
        // The output goes to the log through this thread, which wakes the waiters of waitFor on each line: a server
        // prints as it starts, so an address is tried again when there is news rather than on a timer.
        Thread copier = new Thread(() -> copyOutput(process, work.resolve(name + ".log")), name + "-output");
        copier.setDaemon(true);
        copier.start();
    }

    /** Waits up to 120 s until a GET of {@code url} answers 200. */
    void waitFor(String url) throws Exception {
        waitFor(url, 200);
    }

    /**
     * Waits up to 120 s until a GET of {@code url} answers {@code status}: tries again each time a started process
     * prints a line, and at the latest after the connect timeout; fails at once when a process has ended.
     */
    void waitFor(String url, int status) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        long deadline = System.nanoTime() + SERVER_WAIT.toNanos();
        while (true) {
            long seen = outputEvents();
            if (answers(http, url, status)) {
                return;
            }
            for (Map.Entry<String, Process> p : processes.entrySet()) {
                if (!p.getValue().isAlive()) {
                    throw new IllegalStateException(
                            p.getKey() + " ended (exit code " + p.getValue().exitValue() + ") before " + url
                                    + " answered " + status + "; see " + work.resolve(p.getKey() + ".log"));
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException(
                        url + " did not answer " + status + " within 120 s; see the logs in " + work);
            }
            awaitOutput(seen, Math.min(left, CONNECT_TIMEOUT.toNanos()));
        }
    }

    private static boolean answers(HttpClient http, String url, int status) throws InterruptedException {
        try {
            return http.send(
                                    HttpRequest.newBuilder(URI.create(url))
                                            .GET()
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == status;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    private long outputEvents() {
        synchronized (output) {
            return outputEvents;
        }
    }

    /** Returns when a process has printed or ended since {@code seen} was read, or after {@code nanos}. */
    private void awaitOutput(long seen, long nanos) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        synchronized (output) {
            for (long left = nanos; outputEvents == seen && left > 0; left = end - System.nanoTime()) {
                TimeUnit.NANOSECONDS.timedWait(output, left);
            }
        }
    }

    private void copyOutput(Process process, Path log) {
        try (BufferedReader in = process.inputReader();
                BufferedWriter out = Files.newBufferedWriter(log)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write(line);
                out.newLine();
                out.flush();
                outputPrinted();
            }
        } catch (IOException e) {
            // the process was stopped
        } finally {
            outputPrinted();
        }
    }

    private void outputPrinted() {
        synchronized (output) {
            outputEvents++;
            output.notifyAll();
        }
    }

    /**
     * Waits up to 60 s for the demo credentials file with both its lines, watching its directory (the server creates
     * the file, then writes it).
     */
    private String awaitCredentials(Path file) throws IOException, InterruptedException {
        Path directory = file.getParent();
        Files.createDirectories(directory);
        long deadline = System.nanoTime() + CREDENTIALS_WAIT.toNanos();
        try (WatchService watcher = directory.getFileSystem().newWatchService()) {
            directory.register(watcher, ENTRY_CREATE, ENTRY_MODIFY);
            while (true) {
                // Checked after registering, so a file written before is seen as well as one written later.
                Optional<String> credentials = completeCredentials(file);
                if (credentials.isPresent()) {
                    return credentials.get();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(
                            file + " did not appear with both credentials within 60 s; see the logs in " + work);
                }
                WatchKey key = watcher.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }

    private static Optional<String> completeCredentials(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String content = Files.readString(file);
        boolean complete = content.lines()
                        .anyMatch(l ->
                                l.contains("user demo") && PASSWORD.matcher(l).find())
                && content.lines()
                        .anyMatch(l -> l.contains("gatehouse-demo-service")
                                && SECRET.matcher(l).find());
        return complete ? Optional.of(content) : Optional.empty();
    }

    /**
     * Starts headless Chromium with a fresh profile in the work directory; {@link #close()} quits it.
     *
     * @return the driver
     */
    ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                // A desktop's window, not headless Chromium's 800 x 600: an element screenshot (the enrolment page's
                // QR code) is cut at the window's edge.
                "--window-size=1280,1024",
                "--user-data-dir=" + work.resolve("chromium-" + browsers.size()));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        ChromeDriver browser = new ChromeDriver(service, options);
        browsers.add(browser);
        return browser;
    }

    /** The OPA binary bin/setup.d/opa.sh built: its path is in target/opa-binary at the repository root. */
    static Path opaBinary() throws IOException {
        String configured = System.getenv("GATEHOUSE_OPA_BINARY");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path marker = ROOT.resolve("target/opa-binary");
        if (!Files.isRegularFile(marker)) {
            throw new IllegalStateException(
                    "no OPA binary: run bin/setup.d/opa.sh (bin/test does) or set GATEHOUSE_OPA_BINARY");
        }
        return Path.of(Files.readString(marker).strip());
    }

    /** A port nothing listens on now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Quits the browsers and stops the processes. */
    @Override
    public void close() {
        browsers.forEach(ChromeDriver::quit);
        processes.values().forEach(Process::destroy);
    }

    private static String credential(Pattern p, String credentials, String line) {
        Matcher m = p.matcher(credentials
                .lines()
                .filter(l -> l.contains(line))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("demo credentials file has no line for " + line)));
        if (!m.find()) {
            throw new IllegalStateException("demo credentials file has an unexpected format");
        }
        return m.group(1);
    }
}
