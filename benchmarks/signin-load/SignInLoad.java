import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
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
 * Whole browser sign-ins against one server (benchmarks/signin-load/run.sh runs it per server and round). Each virtual
 * user loops, with a fresh cookie jar per sign-in:
 *
 * <ol>
 *   <li>authorization request (RFC 6749 §4.1.1, PKCE S256 per RFC 7636 §4.2), redirects followed on the server's own
 *       origin until a page with a password field;</li>
 *   <li>that sign-in form parsed: its action and every hidden input (Gatehouse's {@code _csrf}, Keycloak's none - its
 *       action carries the session code), then posted with username and password;</li>
 *   <li>redirects followed until one goes to the client's redirect URI with {@code code} (RFC 6749 §4.1.2) and the
 *       {@code state} sent;</li>
 *   <li>the code exchanged with the verifier at the token endpoint (RFC 6749 §4.1.3, public client).</li>
 * </ol>
 *
 * Bounded in time and count; no redirect is followed off the server's origin. Prints one {@code RESULT key=value...}
 * line: completed sign-ins, errors, sign-ins/s, p50 and p99 latency of a whole sign-in.
 *
 * <p>Its browser and form parsing are shared with benchmarks/burst/Burst.java (compiled together there), and its
 * sign-in, through {@link #authorizationCodeTokens}, with benchmarks/server-load/TokenLoad.java.
 *
 * <p>Arguments: {@code name baseUrl authorizePath tokenPath clientId redirectUri scope username password seconds
 * users maxSignIns}.
 */
public final class SignInLoad {

    private static final Pattern FORM = Pattern.compile("<form\\b([^>]*)>(.*?)</form>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern INPUT = Pattern.compile("<input\\b([^>]*)>", Pattern.CASE_INSENSITIVE);
    private static final Pattern ATTR = Pattern.compile("([a-zA-Z_:-]+)\\s*=\\s*\"([^\"]*)\"");
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String base;
    private final String authorizePath;
    private final String tokenPath;
    private final String clientId;
    private final String redirectUri;
    private final String scope;
    private final String username;
    private final String password;
    /** Null for the public client of this class's own load; set for {@link #authorizationCodeTokens}. */
    private final String clientSecret;

    private SignInLoad(String[] a) {
        base = a[1];
        authorizePath = a[2];
        tokenPath = a[3];
        clientId = a[4];
        redirectUri = a[5];
        scope = a[6];
        username = a[7];
        password = a[8];
        clientSecret = null;
    }

    private SignInLoad(
            String base,
            String authorizePath,
            String tokenPath,
            String clientId,
            String clientSecret,
            String redirectUri,
            String scope,
            String username,
            String password) {
        this.base = base;
        this.authorizePath = authorizePath;
        this.tokenPath = tokenPath;
        this.clientId = clientId;
        this.redirectUri = redirectUri;
        this.scope = scope;
        this.username = username;
        this.password = password;
        this.clientSecret = clientSecret;
    }

    /**
     * One whole browser sign-in (the steps above, fresh cookie jar) for a confidential client, which authenticates at
     * the token endpoint with {@code client_secret_post} (RFC 6749 §2.3.1): returns the token response's body (RFC 6749
     * §5.1), e.g. for its refresh token (used by benchmarks/server-load/TokenLoad.java).
     */
    public static String authorizationCodeTokens(
            String base,
            String authorizePath,
            String tokenPath,
            String clientId,
            String clientSecret,
            String redirectUri,
            String scope,
            String username,
            String password) {
        return new SignInLoad(
                        base, authorizePath, tokenPath, clientId, clientSecret, redirectUri, scope, username, password)
                .codeFlow();
    }

    /**
     * One whole browser sign-in (the steps above, fresh cookie jar), for other load drivers compiled with this file
     * (benchmarks/soak/Soak.java). Each run throws on any step that is not as expected.
     */
    public static Runnable signInFlow(
            String base,
            String authorizePath,
            String tokenPath,
            String clientId,
            String redirectUri,
            String scope,
            String username,
            String password) {
        SignInLoad load = new SignInLoad(new String[] {
            "", base, authorizePath, tokenPath, clientId, redirectUri, scope, username, password
        });
        return load::signIn;
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 12) {
            System.err.println("usage: SignInLoad name baseUrl authorizePath tokenPath clientId redirectUri scope"
                    + " username password seconds users maxSignIns");
            System.exit(2);
        }
        SignInLoad load = new SignInLoad(args);
        int seconds = Integer.parseInt(args[9]);
        int users = Integer.parseInt(args[10]);
        int max = Integer.parseInt(args[11]);
        if (seconds < 1 || seconds > 3600 || users < 1 || users > 512 || max < 1) {
            throw new IllegalArgumentException("seconds 1..3600, users 1..512, maxSignIns >= 1");
        }
        load.run(args[0], seconds, users, max);
    }

    private void run(String name, int seconds, int users, int max) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        AtomicInteger started = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> firstError = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < users; t++) {
            Thread thread = new Thread(() -> {
                while (System.nanoTime() < deadline && started.incrementAndGet() <= max) {
                    long t0 = System.nanoTime();
                    try {
                        signIn();
                        latencies.add(System.nanoTime() - t0);
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                        if (firstError.isEmpty()) {
                            firstError.add(e.toString());
                        }
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            // A sign-in in flight at the deadline may finish (each request times out after 30 s); then stop waiting.
            thread.join(Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).plusSeconds(35).toMillis()));
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        if (!firstError.isEmpty()) {
            System.err.println("first sign-in error (" + name + "): " + firstError.peek());
        }
        System.out.printf(
                Locale.ROOT,
                "RESULT server=%s signins=%d errors=%d seconds=%.1f signins_per_s=%.2f p50_ms=%.1f p99_ms=%.1f%n",
                name,
                sorted.size(),
                errors.get(),
                elapsed,
                sorted.size() / elapsed,
                percentile(sorted, 50),
                percentile(sorted, 99));
    }

    static double percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e6;
    }

    /** One whole browser sign-in with a fresh cookie jar. */
    private void signIn() {
        codeFlow();
    }

    /** {@link #signIn()}'s steps; returns the token response's body. */
    private String codeFlow() {
        Browser browser = new Browser();
        String verifier = random(32);
        String state = random(16);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", clientId);
        q.put("redirect_uri", redirectUri);
        q.put("scope", scope);
        q.put("state", state);
        q.put("nonce", random(16));
        q.put("code_challenge", s256(verifier));
        q.put("code_challenge_method", "S256");
        HttpResponse<String> page = browser.get(base + authorizePath + "?" + encode(q));
        for (int hops = 0; page.statusCode() / 100 == 3; hops++) {
            check(hops < 5, "too many redirects before the sign-in form");
            page = browser.get(sameOrigin(location(page)));
        }
        check(page.statusCode() == 200, "sign-in form: " + page.statusCode());
        Form form = passwordForm(page);
        Map<String, String> fields = new LinkedHashMap<>(form.hidden());
        fields.put("username", username);
        fields.put("password", password);
        HttpResponse<String> r = browser.postForm(sameOrigin(resolve(page.uri(), form.action())), fields);
        String location = location(r);
        for (int hops = 0; !location.startsWith(redirectUri + "?"); hops++) {
            check(hops < 5 && !location.contains("error"), "sign-in did not come back with a code");
            location = location(browser.get(sameOrigin(location)));
        }
        Map<String, String> callback = query(location);
        check(state.equals(callback.get("state")), "state mismatch");
        String code = callback.get("code");
        check(code != null, "no code");
        Map<String, String> exchange = new LinkedHashMap<>(Map.of(
                "grant_type", "authorization_code",
                "code", code,
                "redirect_uri", redirectUri,
                "client_id", clientId,
                "code_verifier", verifier));
        if (clientSecret != null) {
            exchange.put("client_secret", clientSecret);
        }
        HttpResponse<String> tokens = browser.postForm(base + tokenPath, exchange);
        check(tokens.statusCode() == 200 && tokens.body().contains("\"access_token\""),
                "code exchange: " + tokens.statusCode());
        return tokens.body();
    }

    record Form(String action, Map<String, String> hidden) {}

    /** The form holding a password field: its action and hidden inputs (HTML entities in attributes decoded). */
    static Form passwordForm(HttpResponse<String> page) {
        Matcher f = FORM.matcher(page.body());
        while (f.find()) {
            String body = f.group(2);
            if (!body.toLowerCase(Locale.ROOT).contains("type=\"password\"")) {
                continue;
            }
            Map<String, String> hidden = new LinkedHashMap<>();
            Matcher i = INPUT.matcher(body);
            while (i.find()) {
                Map<String, String> attrs = attributes(i.group(1));
                if ("hidden".equalsIgnoreCase(attrs.get("type")) && attrs.containsKey("name")) {
                    hidden.put(attrs.get("name"), attrs.getOrDefault("value", ""));
                }
            }
            String action = attributes(f.group(1)).get("action");
            check(action != null && !action.isEmpty(), "sign-in form without action");
            return new Form(action, hidden);
        }
        throw new IllegalStateException("no sign-in form with a password field");
    }

    private static Map<String, String> attributes(String tag) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = ATTR.matcher(tag);
        while (m.find()) {
            out.put(m.group(1).toLowerCase(Locale.ROOT), unescape(m.group(2)));
        }
        return out;
    }

    private static String unescape(String s) {
        return s.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<")
                .replace("&gt;", ">").replace("&#x3D;", "=").replace("&#61;", "=");
    }

    private static String resolve(URI page, String action) {
        return page.resolve(action).toString();
    }

    /** Loopback only, and never off the server's own origin. */
    private String sameOrigin(String url) {
        String absolute = URI.create(base).resolve(url).toString();
        check(absolute.startsWith(base + "/"), "redirect off the server's origin");
        return absolute;
    }

    private static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String random(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    static String encode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static Map<String, String> query(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        String q = URI.create(url).getRawQuery();
        if (q != null) {
            for (String pair : q.split("&")) {
                int i = pair.indexOf('=');
                out.put(
                        URLDecoder.decode(i < 0 ? pair : pair.substring(0, i), StandardCharsets.UTF_8),
                        i < 0 ? "" : URLDecoder.decode(pair.substring(i + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static String location(HttpResponse<String> r) {
        return r.headers()
                .firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("no redirect (" + r.statusCode() + ")"));
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    /** A browser without redirects followed: one cookie jar (name to value; one host, so paths are not kept apart). */
    static final class Browser {
        /** Each request's time limit; benchmarks/burst raises it to see how long a queued sign-in waits. */
        static volatile Duration requestTimeout = Duration.ofSeconds(30);

        private final Map<String, String> cookies = new LinkedHashMap<>();

        HttpResponse<String> get(String url) {
            return send(HttpRequest.newBuilder(URI.create(url)).GET());
        }

        HttpResponse<String> postForm(String url, Map<String, String> form) {
            return send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(encode(form))));
        }

        private HttpResponse<String> send(HttpRequest.Builder request) {
            if (!cookies.isEmpty()) {
                request.header("Cookie", cookies.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining("; ")));
            }
            HttpResponse<String> r;
            try {
                r = CLIENT.send(request.timeout(requestTimeout).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            for (String c : r.headers().allValues("Set-Cookie")) {
                String pair = c.split(";", 2)[0];
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String value = pair.substring(eq + 1);
                String lower = c.toLowerCase(Locale.ROOT);
                if (value.isEmpty() || lower.contains("max-age=0") || lower.contains("expires=thu, 01 jan 1970")) {
                    cookies.remove(pair.substring(0, eq));
                } else {
                    cookies.put(pair.substring(0, eq), value);
                }
            }
            return r;
        }
    }
}
