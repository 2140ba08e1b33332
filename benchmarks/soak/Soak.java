import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Soak of one running server (issue #18, "Memory under bursts"): client-credentials tokens (RFC 6749 §4.4) at a
 * constant rate with whole browser sign-ins mixed in, sampled at a fixed interval. benchmarks/soak/run.sh (10 minutes)
 * and bin/soak-check (60 seconds) start the server and run this file, compiled together with
 * benchmarks/signin-load/SignInLoad.java, whose sign-in flow it uses.
 *
 * <p>Modes (arguments are {@code key=value}):
 *
 * <ul>
 *   <li>{@code mode=max}: the maximum token rate, closed model like benchmarks/server-load/run.sh's wrk run (the same
 *       request as its token-cc.lua, {@code connections} requests in flight, each sent as soon as the last answered),
 *       {@code warmup} seconds discarded, then {@code seconds} measured. Prints {@code MAX tokens_per_s=...}.
 *   <li>{@code mode=soak}: open model: token requests are issued at {@code token_rate} per second on a fixed schedule
 *       whatever the answers do, at most {@code max_in_flight} at once (a request that would exceed the bound is
 *       counted as an error: the server fell behind), and sign-ins at {@code signin_rate} per second (at most 8 at
 *       once). Latency is measured from each request's scheduled time, so a stalled server cannot hide its queue
 *       (no coordinated omission). Every {@code interval} seconds one {@code SAMPLE} line: requests, errors, p50/p99 of
 *       tokens and of sign-ins in that interval, the server's heap after a forced full collection ({@code jcmd PID
 *       GC.run}, then the {@code used} figure of {@code jcmd PID GC.heap_info}), its RSS and thread count
 *       ({@code /proc/PID/status}) and its CPU seconds in the interval ({@code /proc/PID/stat}). Then the
 *       {@code VERDICT} lines and one {@code RESULT} line; exit 1 when a judged criterion fails.
 * </ul>
 *
 * <p>Verdict of a soak: zero errors (tokens, sign-ins, and the sign-in and token requested after the load); heap
 * after full GC of the last sample within {@code heap_pct} percent (plus {@code heap_slack_mib}) of sample
 * {@code baseline} (the first sample after the warm-up); with {@code judge_p99=true}, the last sample's token p99
 * at most {@code p99_ratio} times the baseline sample's. Latencies are otherwise printed, never asserted.
 *
 * <p>Common arguments: {@code base pid jcmd client secret user password} (the demo service client and the demo user);
 * optional {@code histo_dir}: a {@code jcmd PID GC.class_histogram} per sample written there, to find what grows.
 */
public final class Soak {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Every sign-in is the demo user's, and the server runs one account's attempts one at a time (AttemptLimiter: a
     * second waits at most 5 s for the first, then is refused, failing closed). More than two in flight would only
     * queue on that lock and be refused as throttled, which says nothing about the node.
     */
    private static final int SIGNINS_IN_FLIGHT = 2;
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    /** Unified GC logging ({@code -Xlog:gc}): "Pause Full (Diagnostic Command) 102M->75M(512M) 123.456ms". */
    private static final Pattern FULL_GC =
            Pattern.compile("Pause Full \\((?:Diagnostic Command|System\\.gc\\(\\))\\) \\d+M->(\\d+)M");

    private final Map<String, String> opts;
    private final String base;
    private final long pid;
    private final HttpRequest tokenRequest;

    private Soak(Map<String, String> opts) {
        this.opts = opts;
        this.base = need("base");
        check(URI.create(base).getHost().matches("localhost|127\\.0\\.0\\.1"), "loopback base URL only");
        this.pid = Long.parseLong(need("pid"));
        String basic = Base64.getEncoder()
                .encodeToString((urlForm(need("client")) + ":" + urlForm(need("secret")))
                        .getBytes(StandardCharsets.UTF_8));
        // the request of benchmarks/server-load/token-cc.lua: client_secret_basic (RFC 6749 §2.3.1), scope api.read
        this.tokenRequest = HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + basic)
                .timeout(REQUEST_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=api.read"))
                .build();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            check(eq > 0, "arguments are key=value: " + a);
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        Soak soak = new Soak(opts);
        switch (soak.need("mode")) {
            case "max" -> soak.max();
            case "soak" -> System.exit(soak.soak() ? 0 : 1);
            default -> throw new IllegalArgumentException("mode is max or soak");
        }
    }

    // ---- mode=max: closed model, as wrk does in benchmarks/server-load/run.sh

    private void max() throws InterruptedException {
        int connections = intOpt("connections", 16, 1, 256);
        int warmup = intOpt("warmup", 20, 0, 600);
        int seconds = intOpt("seconds", 20, 1, 600);
        if (warmup > 0) {
            closedLoop(connections, warmup);
        }
        Window w = closedLoop(connections, seconds);
        Stats s = w.drain();
        System.out.printf(
                Locale.ROOT,
                "MAX tokens_per_s=%.1f requests=%d errors=%d p50_ms=%.1f p99_ms=%.1f connections=%d seconds=%d%n",
                s.count / (double) seconds, s.count, s.errors, s.p50, s.p99, connections, seconds);
        if (s.firstError != null) {
            System.err.println("first error: " + s.firstError);
        }
    }

    private Window closedLoop(int connections, int seconds) throws InterruptedException {
        Window w = new Window();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    try {
                        String failure = tokenFailure(HTTP.send(tokenRequest, HttpResponse.BodyHandlers.ofString()));
                        w.record(System.nanoTime() - t0, failure);
                    } catch (IOException e) {
                        w.record(0, e.toString());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(seconds) + REQUEST_TIMEOUT.toMillis() + 5000);
        }
        return w;
    }

    private static String tokenFailure(HttpResponse<String> r) {
        if (r.statusCode() == 200 && r.body().contains("\"access_token\"")) {
            return null;
        }
        return "token endpoint answered " + r.statusCode();
    }

    // ---- mode=soak: open model at constant rates, sampled every interval

    private boolean soak() throws Exception {
        int seconds = intOpt("seconds", 600, 1, 24 * 3600);
        int interval = intOpt("interval", 60, 1, 3600);
        double tokenRate = doubleOpt("token_rate", 100, 0.1, 100_000);
        double signinRate = doubleOpt("signin_rate", 1, 0, 100);
        int maxInFlight = intOpt("max_in_flight", 256, 1, 10_000);
        int samples = Math.max(1, seconds / interval);
        int baseline = Math.min(intOpt("baseline", 2, 1, 10_000), samples);
        double heapPct = doubleOpt("heap_pct", 10, 0, 1000);
        double heapSlackMib = doubleOpt("heap_slack_mib", 0, 0, 100_000);
        boolean judgeP99 = Boolean.parseBoolean(opts.getOrDefault("judge_p99", "false"));
        double p99Ratio = doubleOpt("p99_ratio", 1.5, 1, 1000);
        // a send the client could not make counts as an error in a soak; the check reports it (it is about speed)
        boolean skippedAreErrors = Boolean.parseBoolean(opts.getOrDefault("skipped_are_errors", "true"));
        int warmupTokens = intOpt("warmup_tokens", 0, 0, 1_000_000);
        int warmupSignins = intOpt("warmup_signins", 0, 0, 10_000);
        String unit = interval == 60 ? "minute" : "sample";
        Path histoDir = opts.containsKey("histo_dir") ? Path.of(opts.get("histo_dir")) : null;
        Runnable signIn = SignInLoad.signInFlow(
                base, "/oauth2/authorize", "/oauth2/token", need("spa"), need("redirect_uri"), "openid profile",
                need("user"), need("password"));

        if (warmupTokens + warmupSignins > 0) {
            warmUp(warmupTokens, warmupSignins, signIn);
        }
        Window tokens = new Window();
        Window signins = new Window();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos((long) samples * interval);
        Semaphore tokenSlots = new Semaphore(maxInFlight);
        Semaphore signinSlots = new Semaphore(SIGNINS_IN_FLIGHT);
        ExecutorService signinPool = Executors.newFixedThreadPool(SIGNINS_IN_FLIGHT, daemon());
        Thread tokenScheduler = scheduler("tokens", start, end, tokenRate, scheduled -> {
            if (!tokenSlots.tryAcquire()) {
                tokens.skip();
                return;
            }
            HTTP.sendAsync(tokenRequest, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                tokens.record(System.nanoTime() - scheduled, e != null ? e.toString() : tokenFailure(r));
                tokenSlots.release();
            });
        });
        // Sign-ins pause while a sample is taken: each holds Argon2id's memory (19 MiB at the defaults) while it
        // hashes, which would show in the heap after a full collection as a random multiple of that.
        AtomicBoolean sampling = new AtomicBoolean();
        Thread signinScheduler = signinRate <= 0 ? null : scheduler("sign-ins", start, end, signinRate, scheduled -> {
            if (sampling.get()) {
                signins.pause();
                return;
            }
            if (!signinSlots.tryAcquire()) {
                signins.skip();
                return;
            }
            signinPool.execute(() -> {
                String failure = null;
                try {
                    signIn.run();
                } catch (RuntimeException e) {
                    failure = e.toString();
                }
                signins.record(System.nanoTime() - scheduled, failure);
                signinSlots.release();
            });
        });

        System.out.printf(
                Locale.ROOT,
                "SOAK seconds=%d interval_s=%d token_rate=%.1f/s signin_rate=%.2f/s max_in_flight=%d"
                        + " heap=%s%n",
                samples * interval, interval, tokenRate, signinRate, maxInFlight,
                opts.containsKey("gc_log")
                        ? "jcmd GC.run, then the heap after that full collection in the server's GC log"
                        : "jcmd GC.run, then GC.heap_info used");
        List<Row> rows = new ArrayList<>();
        long cpu0 = cpuTicks();
        long errorsTokens = 0, errorsSignins = 0, countTokens = 0, countSignins = 0, skipped = 0;
        for (int k = 1; k <= samples; k++) {
            long at = start + TimeUnit.SECONDS.toNanos((long) k * interval);
            sleepUntil(at);
            if (k == samples) {
                // the last interval also counts what was in flight at its end
                tokenScheduler.join();
                if (signinScheduler != null) {
                    signinScheduler.join();
                }
                tokenSlots.tryAcquire(maxInFlight, REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
                signinSlots.tryAcquire(SIGNINS_IN_FLIGHT, 40, TimeUnit.SECONDS);
            }
            sampling.set(true);
            boolean quiet = k == samples || signinSlots.tryAcquire(SIGNINS_IN_FLIGHT, 40, TimeUnit.SECONDS);
            Stats t = tokens.drain();
            Stats s = signins.drain();
            long cpu1 = cpuTicks();
            Row row = new Row(k, t, s, server(histoDir, k), (cpu1 - cpu0) / 100.0);
            if (quiet && k < samples) {
                signinSlots.release(SIGNINS_IN_FLIGHT);
            }
            sampling.set(false);
            cpu0 = cpu1;
            rows.add(row);
            countTokens += t.count;
            countSignins += s.count;
            errorsTokens += t.errors;
            errorsSignins += s.errors;
            skipped += t.skipped + s.skipped;
            System.out.printf(
                    Locale.ROOT,
                    "SAMPLE %s=%d t_s=%d tokens=%d token_errors=%d token_skipped=%d signin_skipped=%d token_p50_ms=%.1f"
                            + " token_p99_ms=%.1f signins=%d signin_errors=%d signins_paused=%d signin_p50_ms=%.1f"
                            + " signin_p99_ms=%.1f heap_after_full_gc_mib=%.1f rss_mib=%.1f threads=%d"
                            + " server_cpu_s=%.1f load=%s%n",
                    unit, k, k * interval, t.count, t.errors, t.skipped, s.skipped, t.p50,
                    t.p99, s.count, s.errors, s.paused, s.p50, s.p99,
                    row.server.heapMib, row.server.rssMib, row.server.threads, row.cpuSeconds, loadAverage());
            for (String first : new String[] {t.firstError, s.firstError}) {
                if (first != null) {
                    System.out.println("FIRST-ERROR " + unit + "=" + k + " " + first);
                }
            }
        }
        signinPool.shutdownNow();

        // the node still serves after the load: one sign-in and one token
        String afterSignIn = "ok";
        try {
            signIn.run();
        } catch (RuntimeException e) {
            afterSignIn = "FAILED(" + e + ")";
        }
        String afterToken;
        try {
            String f = tokenFailure(HTTP.send(tokenRequest, HttpResponse.BodyHandlers.ofString()));
            afterToken = f == null ? "ok" : "FAILED(" + f + ")";
        } catch (IOException e) {
            afterToken = "FAILED(" + e + ")";
        }

        boolean pass = true;
        long errors = errorsTokens + errorsSignins + (skippedAreErrors ? skipped : 0);
        boolean errorsOk = errors == 0 && afterSignIn.equals("ok") && afterToken.equals("ok");
        pass &= errorsOk;
        System.out.printf(
                Locale.ROOT,
                "VERDICT errors total=%d (tokens %d of %d, sign-ins %d of %d, sends skipped at the client bound %d%s)"
                        + " sign_in_after=%s token_after=%s criterion=zero %s%n",
                errors, errorsTokens, countTokens + errorsTokens, errorsSignins, countSignins + errorsSignins, skipped,
                skippedAreErrors ? "" : " reported, not counted", afterSignIn, afterToken, errorsOk ? "PASS" : "FAIL");
        Row first = rows.get(baseline - 1);
        Row last = rows.get(rows.size() - 1);
        double change = last.server.heapMib - first.server.heapMib;
        double bound = first.server.heapMib * heapPct / 100 + heapSlackMib;
        // a soak judges both ways (flat); the check judges growth only (a fall is not a leak)
        boolean growthOnly = opts.getOrDefault("heap_judge", "flat").equals("growth");
        boolean heapOk = growthOnly ? change <= bound : Math.abs(change) <= bound;
        pass &= heapOk;
        System.out.printf(
                Locale.ROOT,
                "VERDICT heap_after_full_gc %s%d=%.1f MiB last(%s%d)=%.1f MiB change=%+.1f MiB (%+.1f%%) criterion=%s"
                        + " within %.0f%%%s = %.1f MiB %s%n",
                unit, first.k, first.server.heapMib, unit, last.k, last.server.heapMib, change,
                first.server.heapMib > 0 ? 100 * change / first.server.heapMib : 0,
                growthOnly ? "growth" : "change", heapPct,
                heapSlackMib > 0 ? String.format(Locale.ROOT, " + %.0f MiB", heapSlackMib) : "", bound,
                heapOk ? "PASS" : "FAIL");
        StringBuilder p99s = new StringBuilder();
        for (Row r : rows) {
            p99s.append(p99s.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.1f", r.tokens.p99));
        }
        double ratio = first.tokens.p99 > 0 ? last.tokens.p99 / first.tokens.p99 : 0;
        boolean p99Ok = !judgeP99 || (first.tokens.count > 0 && ratio <= p99Ratio);
        pass &= p99Ok;
        System.out.printf(
                Locale.ROOT,
                "VERDICT token_p99_ms per %s=[%s] last/%s%d=%.2f criterion=%s%n",
                unit, p99s, unit, first.k, ratio,
                judgeP99 ? String.format(Locale.ROOT, "at most %.1fx %s", p99Ratio, p99Ok ? "PASS" : "FAIL")
                        : "none (printed, not asserted)");
        System.out.printf(
                Locale.ROOT,
                "RESULT %s tokens=%d signins=%d errors=%d skipped=%d heap_first_mib=%.1f heap_last_mib=%.1f"
                        + " heap_bound_mib=%.1f token_p99_last_ms=%.1f%n",
                pass ? "PASS" : "FAIL", countTokens, countSignins, errors, skipped, first.server.heapMib,
                last.server.heapMib, first.server.heapMib + bound, last.tokens.p99);
        return pass;
    }

    /** Closed-model warm-up, not counted: JIT, pools and caches ready before the schedule starts. */
    private void warmUp(int tokenCount, int signinCount, Runnable signIn) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(4, daemon());
        for (int i = 0; i < tokenCount; i++) {
            pool.submit(() -> {
                try {
                    HTTP.send(tokenRequest, HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    // a warm-up failure is not judged; the schedule's requests are
                }
                return null;
            });
        }
        for (int i = 0; i < signinCount; i++) {
            pool.submit(() -> {
                try {
                    signIn.run();
                } catch (RuntimeException e) {
                    // as above
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(120, TimeUnit.SECONDS);
    }

    /** Calls {@code task} with each scheduled time (nanoTime) at {@code rate} per second from start until end. */
    private static Thread scheduler(String name, long start, long end, double rate, LongConsumer task) {
        Thread t = new Thread(
                () -> {
                    double period = 1e9 / rate;
                    for (long i = 0; ; i++) {
                        long at = start + (long) (i * period);
                        if (at >= end) {
                            return;
                        }
                        sleepUntil(at);
                        task.accept(at);
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void sleepUntil(long nanoTime) {
        for (long left; (left = nanoTime - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    // ---- the server process: heap after a full collection, RSS, threads, CPU

    private record Server(double heapMib, double rssMib, int threads) {}

    private record Row(int k, Stats tokens, Stats signins, Server server, double cpuSeconds) {}

    private Server server(Path histoDir, int k) throws IOException, InterruptedException {
        double heapMib =
                opts.containsKey("gc_log") ? heapAfterFullGcFromLog(Path.of(opts.get("gc_log"))) : heapAfterFullGc();
        if (histoDir != null) {
            Files.createDirectories(histoDir);
            Path file = histoDir.resolve(String.format(Locale.ROOT, "histogram-%02d.txt", k));
            Files.writeString(file, jcmd("GC.class_histogram"));
        }
        double rss = 0;
        int threads = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            } else if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.replaceAll("\\D", ""));
            }
        }
        return new Server(heapMib, rss, threads);
    }

    /**
     * The heap right after the forced full collection, from the collection's own line in the server's GC log: exact,
     * whereas a second jcmd (GC.heap_info) a moment later also counts what the load allocated in between.
     */
    private double heapAfterFullGcFromLog(Path log) throws IOException, InterruptedException {
        long before = fullGcs(log).size();
        jcmd("GC.run");
        for (int i = 0; i < 50; i++) {
            List<String> after = fullGcs(log);
            if (after.size() > before) {
                return Long.parseLong(after.get(after.size() - 1));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no new 'Pause Full (Diagnostic Command)' line in " + log);
    }

    private static List<String> fullGcs(Path log) throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = FULL_GC.matcher(Files.readString(log));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Without a GC log: GC.run, then GC.heap_info's "used" (includes what was allocated between the two). */
    private double heapAfterFullGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        check(m.find(), "no 'used' figure in GC.heap_info: " + info);
        return Long.parseLong(m.group(1)) / 1024.0;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(need("jcmd"), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "jcmd " + command + " failed: " + out);
        return out;
    }

    private long cpuTicks() throws IOException {
        // fields after the command name's closing parenthesis: utime and stime are the 12th and 13th of those
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- latencies and errors of one interval

    private record Stats(int count, int errors, int skipped, int paused, double p50, double p99, String firstError) {}

    private static final class Window {
        private long[] nanos = new long[4096];
        private int count;
        private int errors;
        private int skipped;
        private int paused;
        private String firstError;

        /** A send not made while the sample is taken (see soak()). */
        synchronized void pause() {
            paused++;
        }

        /** A send the client could not make: its bound of requests in flight was reached (the server fell behind). */
        synchronized void skip() {
            skipped++;
        }

        synchronized void record(long latency, String failure) {
            if (failure != null) {
                errors++;
                if (firstError == null) {
                    firstError = failure;
                }
                return;
            }
            if (count == nanos.length) {
                nanos = Arrays.copyOf(nanos, count * 2);
            }
            nanos[count++] = latency;
        }

        synchronized Stats drain() {
            long[] sorted = Arrays.copyOf(nanos, count);
            Arrays.sort(sorted);
            Stats s = new Stats(
                    count, errors, skipped, paused, percentile(sorted, 50), percentile(sorted, 99), firstError);
            count = 0;
            errors = 0;
            skipped = 0;
            paused = 0;
            firstError = null;
            return s;
        }
    }

    private static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    // ---- arguments

    private String need(String key) {
        String v = opts.get(key);
        check(v != null && !v.isEmpty(), "missing argument " + key + "=...");
        return v;
    }

    private int intOpt(String key, int fallback, int min, int max) {
        int v = opts.containsKey(key) ? Integer.parseInt(opts.get(key)) : fallback;
        check(v >= min && v <= max, key + " must be in " + min + ".." + max);
        return v;
    }

    private double doubleOpt(String key, double fallback, double min, double max) {
        double v = opts.containsKey(key) ? Double.parseDouble(opts.get(key)) : fallback;
        check(v >= min && v <= max, key + " must be in " + min + ".." + max);
        return v;
    }

    private static String urlForm(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "sign-in");
            t.setDaemon(true);
            return t;
        };
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
