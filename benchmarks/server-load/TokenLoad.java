import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refresh-token and introspection load against one server (benchmarks/server-load/run.sh with GRANT=refresh_token or
 * GRANT=introspection runs it per server and round; compiled together with benchmarks/signin-load/SignInLoad.java,
 * whose browser sign-in gives Gatehouse's initial refresh tokens).
 *
 * <p>{@code prepare} obtains the state the measured requests need, outside the timed part, and writes it to {@code
 * state=FILE} (one token a line):
 *
 * <ul>
 *   <li>refresh_token: one refresh token per virtual user (its own chain), by an authorization-code sign-in
 *       ({@code obtain=code}, SignInLoad) or the password grant ({@code obtain=password}, Keycloak's direct grant).
 *       Then, on one extra chain, the rotation check: a refresh answers 200 with a new refresh token, and the old one
 *       presented again is refused with 400 {@code invalid_grant} (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2). Without
 *       rotation on both servers the comparison is void, so a failed check fails the run.</li>
 *   <li>introspection: a pool of access tokens from the client-credentials grant (or, {@code obtain=password}, the
 *       password grant); one is introspected and must be
 *       {@code "active":true} (RFC 7662 §2.2).</li>
 * </ul>
 *
 * <p>{@code load} runs {@code users} virtual users for {@code seconds} (at most {@code max} requests in all), each
 * request timed on its own, and prints one {@code RESULT} line like token-cc.lua's: requests/s, p50, p99, requests,
 * errors. refresh_token: each user refreshes its own chain, sending the refresh token from its last response; a
 * response counts as an error unless it is 200 with a new refresh token (that chain then stops: its token may be
 * spent). The chains left are written back to the state file for the next round. introspection: users take tokens from
 * the pool in turn; an error is anything but 200 with {@code "active":true}. The client authenticates with {@code
 * client_secret_basic} (RFC 6749 §2.3.1) on both grants. HTTP/1.1 with keep-alive, loopback only.
 *
 * <p>Arguments: {@code prepare|load key=value...} with keys grant, name, base, token, introspect, client, secret,
 * state, users, seconds, max, pool, obtain, authorize, redirect, scope, user, password.
 */
public final class TokenLoad {

    private static final Pattern REFRESH = Pattern.compile("\"refresh_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ACCESS = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ACTIVE = Pattern.compile("\"active\"\\s*:\\s*true");
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(3))
            .build();

    private final Map<String, String> a;
    private final String base;
    private final String authorization;

    private TokenLoad(Map<String, String> a) {
        this.a = a;
        this.base = arg("base");
        SignInLoad.check(
                base.startsWith("http://localhost:") || base.startsWith("http://127.0.0.1:"), "loopback only");
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((form(arg("client")) + ":" + form(arg("secret"))).getBytes(StandardCharsets.UTF_8));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            SignInLoad.check(eq > 0, "expected key=value: " + args[i]);
            a.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        SignInLoad.check(args.length > 0, "usage: TokenLoad prepare|load key=value...");
        TokenLoad load = new TokenLoad(a);
        String grant = load.arg("grant");
        SignInLoad.check(grant.equals("refresh_token") || grant.equals("introspection"), "grant: " + grant);
        switch (args[0]) {
            case "prepare" -> load.prepare(grant);
            case "load" -> load.load(grant);
            default -> throw new IllegalArgumentException("prepare or load");
        }
    }

    private String arg(String key) {
        String v = a.get(key);
        SignInLoad.check(v != null, "missing argument " + key);
        return v;
    }

    private int number(String key, int min, int max) {
        int n = Integer.parseInt(arg(key).replaceAll("s$", ""));
        SignInLoad.check(n >= min && n <= max, key + " must be " + min + ".." + max);
        return n;
    }

    /** RFC 6749 §2.3.1: client id and secret are form-encoded before Basic authentication. */
    private static String form(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> post(String path, Map<String, String> fields) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(SignInLoad.encode(fields)))
                .build();
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> refresh(String token) {
        return post(arg("token"), Map.of("grant_type", "refresh_token", "refresh_token", token));
    }

    private static String find(Pattern p, String body) {
        Matcher m = p.matcher(body);
        return m.find() ? m.group(1) : null;
    }

    private String freshChain() {
        String body;
        if (arg("obtain").equals("code")) {
            body = SignInLoad.authorizationCodeTokens(base, arg("authorize"), arg("token"), arg("client"), arg("secret"),
                    arg("redirect"), arg("scope"), arg("user"), arg("password"));
        } else {
            HttpResponse<String> r = post(arg("token"), Map.of("grant_type", "password", "username", arg("user"),
                    "password", arg("password"), "scope", arg("scope")));
            SignInLoad.check(r.statusCode() == 200, "password grant: " + r.statusCode() + " " + r.body());
            body = r.body();
        }
        String refresh = find(REFRESH, body);
        SignInLoad.check(refresh != null, "no refresh token in the token response");
        return refresh;
    }

    private void prepare(String grant) throws IOException {
        String name = arg("name");
        List<String> state = new ArrayList<>();
        if (grant.equals("refresh_token")) {
            int users = number("users", 1, 512);
            for (int i = 0; i < users; i++) {
                state.add(freshChain());
            }
            String old = freshChain();
            HttpResponse<String> r = refresh(old);
            String next = r.statusCode() == 200 ? find(REFRESH, r.body()) : null;
            SignInLoad.check(next != null && !next.equals(old),
                    name + ": a refresh did not answer 200 with a new refresh token (" + r.statusCode() + ")");
            HttpResponse<String> replay = refresh(old);
            SignInLoad.check(replay.statusCode() == 400 && replay.body().contains("invalid_grant"),
                    name + ": the old refresh token was not refused after rotation (" + replay.statusCode() + ")");
            System.out.println("rotation-check server=" + name + ": refresh 200 with a new refresh token; old refresh"
                    + " token presented again: " + replay.statusCode() + " invalid_grant");
        } else {
            int pool = number("pool", 1, 100000);
            for (int i = 0; i < pool; i++) {
                Map<String, String> f = new LinkedHashMap<>();
                if (arg("obtain").equals("password")) { // a user's token, with a regular session (Keycloak)
                    f.put("grant_type", "password");
                    f.put("username", arg("user"));
                    f.put("password", arg("password"));
                } else {
                    f.put("grant_type", "client_credentials");
                }
                if (!arg("scope").isEmpty()) {
                    f.put("scope", arg("scope"));
                }
                HttpResponse<String> r = post(arg("token"), f);
                String access = r.statusCode() == 200 ? find(ACCESS, r.body()) : null;
                SignInLoad.check(access != null, name + ": client credentials: " + r.statusCode());
                state.add(access);
            }
            HttpResponse<String> r = post(arg("introspect"), Map.of("token", state.get(0)));
            SignInLoad.check(r.statusCode() == 200 && ACTIVE.matcher(r.body()).find(),
                    name + ": introspection of a fresh token is not active: " + r.statusCode() + " "
                            + r.body().substring(0, Math.min(200, r.body().length())));
            System.out.println("introspection-check server=" + name + ": " + pool + " access tokens, active=true");
        }
        Files.write(Path.of(arg("state")), state);
    }

    private void load(String grant) throws Exception {
        Path statePath = Path.of(arg("state"));
        List<String> state = Files.readAllLines(statePath);
        boolean refresh = grant.equals("refresh_token");
        int seconds = number("seconds", 1, 3600);
        int users = number("users", 1, 512);
        if (refresh) {
            users = Math.min(users, state.size());
        }
        SignInLoad.check(users > 0 && !state.isEmpty(), "no tokens in " + statePath);
        long max = Long.parseLong(arg("max"));
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        AtomicLong started = new AtomicLong();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<String> firstError = new ConcurrentLinkedQueue<>();
        String[] chains = state.toArray(String[]::new);
        boolean[] dead = new boolean[chains.length];
        List<List<Long>> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < users; t++) {
            int user = t;
            List<Long> mine = new ArrayList<>();
            latencies.add(mine);
            Thread thread = new Thread(() -> {
                while (System.nanoTime() < deadline && started.incrementAndGet() <= max) {
                    long t0 = System.nanoTime();
                    String failure;
                    try {
                        if (refresh) {
                            HttpResponse<String> r = refresh(chains[user]);
                            String token = r.statusCode() == 200 ? find(REFRESH, r.body()) : null;
                            failure = token == null || token.equals(chains[user])
                                    ? "refresh: " + r.statusCode() + " without a new refresh token"
                                    : null;
                            if (failure == null) {
                                chains[user] = token;
                            }
                        } else {
                            String token = chains[Math.floorMod(next.getAndIncrement(), chains.length)];
                            HttpResponse<String> r = post(arg("introspect"), Map.of("token", token));
                            failure = r.statusCode() == 200 && ACTIVE.matcher(r.body()).find()
                                    ? null
                                    : "introspection: " + r.statusCode() + " not active";
                        }
                    } catch (RuntimeException e) {
                        failure = e.toString();
                    }
                    if (failure == null) {
                        mine.add(System.nanoTime() - t0);
                        continue;
                    }
                    errors.incrementAndGet();
                    if (firstError.isEmpty()) {
                        firstError.add(failure);
                    }
                    if (refresh) {
                        dead[user] = true; // its refresh token may be spent: the chain ends here
                        return;
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join(Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).plusSeconds(35).toMillis()));
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>();
        latencies.forEach(sorted::addAll);
        Collections.sort(sorted);
        if (refresh) {
            List<String> left = new ArrayList<>();
            for (int i = 0; i < chains.length; i++) {
                if (!dead[i]) {
                    left.add(chains[i]);
                }
            }
            Files.write(statePath, left);
        }
        if (!firstError.isEmpty()) {
            System.err.println("first error (" + arg("name") + "): " + firstError.peek());
        }
        System.out.printf(
                Locale.ROOT,
                "RESULT tokens_per_s=%.1f p50_ms=%.1f p99_ms=%.1f requests=%d errors=%d%n",
                sorted.size() / elapsed,
                SignInLoad.percentile(sorted, 50),
                SignInLoad.percentile(sorted, 99),
                sorted.size(),
                errors.get());
    }
}
