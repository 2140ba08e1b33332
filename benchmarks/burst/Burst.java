import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A burst of simultaneous sign-in form posts against one running server (benchmarks/burst/run.sh starts it). Issue
 * #18, "Memory under bursts": excess sign-ins must be refused with {@code 503}/{@code 429} and {@code Retry-After}
 * (RFC 9110 §10.2.3, RFC 6585 §4) rather than queued without end, answered {@code 500} or counted as failures.
 *
 * <ol>
 *   <li>{@code n} browsers (fresh cookie jars) each load {@code /login} and parse its form (CSRF token, action);</li>
 *   <li>behind one barrier, all {@code n} post at once: the first as the demo user with its password, the others as
 *       {@code n - 1} distinct names that exist nowhere (each still costs one full Argon2id verification,
 *       PasswordHasher#verifyUnknownUser, and each is its own account for the attempt limiter, so they reach the
 *       hashing gate in parallel instead of queueing on one account's lock);</li>
 *   <li>every answer is classified: a redirect after a completed check (signed in, or {@code /login?error} for an
 *       unknown name), a refusal ({@code 503}/{@code 429} with {@code Retry-After}), or a violation (anything else:
 *       a {@code 500}, a missing {@code Retry-After}, a dropped connection, no answer within 120 s);</li>
 *   <li>afterwards a fresh browser signs in as the demo user and must succeed: the node serves normally, and the
 *       refused posts counted nothing against the account or the address.</li>
 * </ol>
 *
 * Prints a {@code RESULT key=value...} line (counts, p50/p99/max of refusals and of all answers) and exits 1 on any
 * violation. Latencies are reported, never asserted. Browser and form parsing are benchmarks/signin-load's.
 *
 * <p>With the demo service client's secret as a fifth argument it also shows the rest of the node keeps serving and the
 * bounds held, seen from outside: before the burst it registers a monitoring client (admin API, client credentials,
 * scope {@code actuator.read}); during the burst a prober fetches the JWKS and client-credentials tokens and reports
 * their latency (a non-200 is a violation, the latency is not asserted); afterwards it reads {@code
 * /actuator/prometheus} and fails if more Argon2 computations ran at once than the hashing gate allows ({@code
 * gatehouse_password_hashes_in_flight_peak} above {@code gatehouse_password_hashes_max}) or more password checks
 * were admitted than the admission bound.
 *
 * <p>Arguments: {@code baseUrl username password n [serviceClientSecret]}.
 */
public final class Burst {

    private static final Duration ANSWER_WAIT = Duration.ofSeconds(120);

    private Burst() {}

    private record Answer(int status, String location, boolean retryAfter, long nanos, String failure) {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: Burst baseUrl username password n [serviceClientSecret]");
            System.exit(2);
        }
        String base = args[0];
        String username = args[1];
        String password = args[2];
        int n = Integer.parseInt(args[3]);
        if (n < 2 || n > 2000 || !URI.create(base).getHost().matches("localhost|127\\.0\\.0\\.1")) {
            throw new IllegalArgumentException("n 2..2000, loopback base URL only");
        }
        SignInLoad.Browser.requestTimeout = ANSWER_WAIT;
        // 1. every browser has its form (sequential-ish: a few threads, so the burst is the only load)
        List<SignInLoad.Browser> browsers = new ArrayList<>();
        List<Map<String, String>> fields = new ArrayList<>();
        List<String> actions = new ArrayList<>();
        ExecutorService prepare = Executors.newFixedThreadPool(8);
        List<Future<Object[]>> forms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            forms.add(prepare.submit(() -> {
                SignInLoad.Browser browser = new SignInLoad.Browser();
                HttpResponse<String> page = browser.get(base + "/login");
                SignInLoad.check(page.statusCode() == 200, "sign-in page: " + page.statusCode());
                SignInLoad.Form form = SignInLoad.passwordForm(page);
                Map<String, String> f = new LinkedHashMap<>(form.hidden());
                f.put("username", index == 0 ? username : "burst-nobody-" + index);
                f.put("password", index == 0 ? password : "not the password " + index);
                return new Object[] {browser, f, page.uri().resolve(form.action()).toString()};
            }));
        }
        for (Future<Object[]> f : forms) {
            Object[] r = f.get(ANSWER_WAIT.toSeconds(), TimeUnit.SECONDS);
            browsers.add((SignInLoad.Browser) r[0]);
            @SuppressWarnings("unchecked")
            Map<String, String> map = (Map<String, String>) r[1];
            fields.add(map);
            actions.add((String) r[2]);
        }
        prepare.shutdown();
        Monitor monitor = args.length == 5 ? Monitor.register(base, args[4]) : null;

        // 2. all posts at once: one thread per browser, released together
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService burst = Executors.newFixedThreadPool(n);
        List<Future<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            answers.add(burst.submit(() -> {
                ready.countDown();
                go.await();
                long t0 = System.nanoTime();
                try {
                    HttpResponse<String> r = browsers.get(index).postForm(actions.get(index), fields.get(index));
                    return new Answer(
                            r.statusCode(),
                            r.headers().firstValue("Location").orElse(""),
                            r.headers().firstValue("Retry-After").isPresent(),
                            System.nanoTime() - t0,
                            "");
                } catch (RuntimeException e) {
                    return new Answer(0, "", false, System.nanoTime() - t0, e.toString());
                }
            }));
        }
        ready.await();
        Future<String> probes = monitor == null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "probe");
            t.setDaemon(true);
            return t;
        }).submit(() -> {
            go.await();
            return monitor.probe(5);
        });
        long start = System.nanoTime();
        go.countDown();
        int signedIn = 0, wrong = 0, refused503 = 0, refused429 = 0, violations = 0;
        List<Long> refusals = new ArrayList<>();
        List<Long> all = new ArrayList<>();
        Map<String, Integer> bad = new LinkedHashMap<>();
        for (Future<Answer> f : answers) {
            Answer a;
            try {
                a = f.get(Math.max(1, ANSWER_WAIT.toNanos() - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                a = new Answer(0, "", false, ANSWER_WAIT.toNanos(), "no answer within " + ANSWER_WAIT);
            }
            all.add(a.nanos());
            if (a.status() == 302 && a.location().contains("/login?error")) {
                wrong++;
            } else if (a.status() == 302 && !a.location().contains("/login")) {
                signedIn++;
            } else if ((a.status() == 503 || a.status() == 429) && a.retryAfter()) {
                refusals.add(a.nanos());
                if (a.status() == 503) {
                    refused503++;
                } else {
                    refused429++;
                }
            } else {
                violations++;
                bad.merge(a.status() + (a.failure().isEmpty() ? " " + a.location() : " " + a.failure()), 1, Integer::sum);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        burst.shutdownNow();
        Collections.sort(refusals);
        Collections.sort(all);

        // 3. the node serves normally right after: a fresh sign-in as the demo user succeeds
        SignInLoad.Browser after = new SignInLoad.Browser();
        HttpResponse<String> page = after.get(base + "/login");
        SignInLoad.Form form = SignInLoad.passwordForm(page);
        Map<String, String> f = new LinkedHashMap<>(form.hidden());
        f.put("username", username);
        f.put("password", password);
        HttpResponse<String> r = after.postForm(page.uri().resolve(form.action()).toString(), f);
        String location = r.headers().firstValue("Location").orElse("");
        boolean afterOk = r.statusCode() == 302 && !location.contains("/login");

        System.out.printf(
                Locale.ROOT,
                "RESULT posts=%d signed_in=%d login_error=%d refused_503=%d refused_429=%d violations=%d seconds=%.1f"
                        + " refusal_p50_ms=%.0f refusal_p99_ms=%.0f all_p50_ms=%.0f all_p99_ms=%.0f all_max_ms=%.0f"
                        + " sign_in_after=%s%n",
                n, signedIn, wrong, refused503, refused429, violations, seconds,
                percentile(refusals, 50), percentile(refusals, 99),
                percentile(all, 50), percentile(all, 99), all.isEmpty() ? 0 : all.get(all.size() - 1) / 1e6,
                afterOk ? "ok" : "FAILED(" + r.statusCode() + " " + location + ")");
        bad.forEach((k, v) -> System.out.println("VIOLATION " + v + "x " + k));
        boolean monitored = true;
        if (monitor != null) {
            String probed;
            try {
                probed = probes.get(ANSWER_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                probed = "FAILED(" + e + ")";
            }
            System.out.println("DURING_BURST " + probed);
            Map<String, Double> m = monitor.metrics();
            double hashPeak = m.getOrDefault("gatehouse_password_hashes_in_flight_peak", -1.0);
            double hashMax = m.getOrDefault("gatehouse_password_hashes_max", -1.0);
            double admittedPeak = m.getOrDefault("gatehouse_password_admission_in_flight_peak", -1.0);
            double admittedMax = m.getOrDefault("gatehouse_password_admission_max", -1.0);
            double refusedTotal = m.getOrDefault("gatehouse_password_admission_refused_total", -1.0);
            System.out.printf(
                    Locale.ROOT,
                    "METRICS hashes_in_flight_peak=%.0f hashes_max=%.0f admitted_peak=%.0f admission_max=%.0f"
                            + " admission_refused=%.0f%n",
                    hashPeak, hashMax, admittedPeak, admittedMax, refusedTotal);
            monitored = !probed.contains("FAILED") && hashPeak >= 1 && hashMax >= 1 && hashPeak <= hashMax
                    && admittedPeak >= 1 && admittedMax >= 1 && admittedPeak <= admittedMax;
            if (!monitored) {
                System.out.println("VIOLATION bounds or probes (see DURING_BURST and METRICS)");
            }
        }
        System.exit(violations == 0 && afterOk && monitored ? 0 : 1);
    }

    private static double percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e6;
    }

    /**
     * A monitoring client registered through the admin API with the demo service client (scope {@code admin}): it
     * reads {@code /actuator/prometheus} (scope {@code actuator.read}) and probes the JWKS and token endpoints.
     */
    private static final class Monitor {
        private static final HttpClient HTTP = HttpClient.newHttpClient();
        private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
        private static final Pattern SECRET = Pattern.compile("\"clientSecret\"\\s*:\\s*\"([^\"]+)\"");
        private static final Pattern SAMPLE = Pattern.compile("(?m)^(gatehouse_password_[a-z_]+)(?:\\{[^}]*\\})? ([0-9.eE+-]+)$");

        private final String base;
        private final String clientId;
        private final String secret;

        private Monitor(String base, String clientId, String secret) {
            this.base = base;
            this.clientId = clientId;
            this.secret = secret;
        }

        static Monitor register(String base, String serviceSecret) {
            String admin = token(base, "gatehouse-demo-service", serviceSecret, "admin");
            String id = "burst-monitor-" + Long.toHexString(System.nanoTime());
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/admin/clients"))
                    .header("Authorization", "Bearer " + admin)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"clientId\":\"" + id + "\",\"clientName\":\"Burst monitor\","
                            + "\"grantTypes\":[\"client_credentials\"],\"scopes\":[\"actuator.read\"]}")));
            SignInLoad.check(r.statusCode() == 201 || r.statusCode() == 200, "register monitor: " + r.statusCode());
            Matcher m = SECRET.matcher(r.body());
            SignInLoad.check(m.find(), "register monitor: no clientSecret");
            return new Monitor(base, id, m.group(1));
        }

        /** {@code rounds} of one JWKS fetch and one client-credentials token; the latencies, or FAILED. */
        String probe(int rounds) {
            List<Long> jwks = new ArrayList<>();
            List<Long> tokens = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/oauth2/jwks")).GET());
                jwks.add(System.nanoTime() - t0);
                if (r.statusCode() != 200) {
                    return "FAILED(jwks " + r.statusCode() + ")";
                }
                t0 = System.nanoTime();
                try {
                    token(base, clientId, secret, "actuator.read");
                } catch (RuntimeException e) {
                    return "FAILED(token " + e.getMessage() + ")";
                }
                tokens.add(System.nanoTime() - t0);
            }
            Collections.sort(jwks);
            Collections.sort(tokens);
            return String.format(
                    Locale.ROOT,
                    "jwks=%d token=%d jwks_p50_ms=%.0f jwks_max_ms=%.0f token_p50_ms=%.0f token_max_ms=%.0f",
                    jwks.size(), tokens.size(), percentile(jwks, 50), percentile(jwks, 100),
                    percentile(tokens, 50), percentile(tokens, 100));
        }

        Map<String, Double> metrics() {
            String bearer = token(base, clientId, secret, "actuator.read");
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                    .header("Authorization", "Bearer " + bearer)
                    .GET());
            SignInLoad.check(r.statusCode() == 200, "prometheus: " + r.statusCode());
            Map<String, Double> values = new LinkedHashMap<>();
            Matcher m = SAMPLE.matcher(r.body());
            while (m.find()) {
                values.put(m.group(1), Double.parseDouble(m.group(2)));
            }
            return values;
        }

        private static String token(String base, String id, String secret, String scope) {
            String basic = Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                    .header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=" + scope)));
            SignInLoad.check(r.statusCode() == 200, "token for " + scope + ": " + r.statusCode());
            Matcher m = ACCESS_TOKEN.matcher(r.body());
            SignInLoad.check(m.find(), "token for " + scope + ": no access_token");
            return m.group(1);
        }

        private static HttpResponse<String> send(HttpRequest.Builder request) {
            try {
                return HTTP.send(request.timeout(ANSWER_WAIT).build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
