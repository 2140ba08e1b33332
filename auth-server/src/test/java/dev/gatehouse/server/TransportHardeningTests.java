package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.server.transport.AnonymousSessionCap;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.Manager;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The HTTP transport under abuse (issue #13 items 4, 5, 16, 17): slow request bodies, anonymous sessions, security
 * headers and the error page. Transport behaviour does not depend on the database, so this runs on H2 only. Few
 * request threads and short transport timeouts are configured here so that exhaustion shows quickly; no test sleeps.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.demo=true",
            "server.tomcat.threads.max=" + TransportHardeningTests.THREADS,
            "server.tomcat.connection-timeout=3s",
            "gatehouse.server.transport.request-body-timeout=1s",
            "gatehouse.server.transport.anonymous-session-timeout=2m",
            "gatehouse.server.transport.max-sessions=500"
        })
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
class TransportHardeningTests {

    static final int THREADS = 4;
    private static final String SERVICE = "gatehouse-demo-service";
    private static final String SERVICE_REDIRECT = "http://127.0.0.1:8081/login/oauth2/code/gatehouse";
    private static final Path DATA = DemoData.newDataDir("gatehouse-transport-");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    WebServerApplicationContext context;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    AnonymousSessionCap anonymousCap;

    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private String base;
    private String demoPassword;
    private String serviceSecret;

    @BeforeEach
    void setUp() {
        base = "http://localhost:" + port;
        demoPassword = DemoData.demoPassword(DATA);
        serviceSecret = DemoData.clientSecret(DATA, SERVICE);
    }

    // ---------------------------------------------------------------- item 4: slow request bodies

    @Test
    void slowBodiesWhenMoreThanRequestThreadsThenHealthAndTokensStillServedAndSlowOnesTimedOut() throws Exception {
        ThreadPoolExecutor requestThreads = (ThreadPoolExecutor)
                tomcat().getTomcat().getConnector().getProtocolHandler().getExecutor();
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        List<Socket> slow = new ArrayList<>();
        try {
            // Trickling clients: a byte every half second, within Tomcat's per-read timeout, never the whole body;
            // HTTP/1.0 ones too, whose connection Tomcat does not close on a 408 by itself.
            for (int i = 0; i < THREADS + 1; i++) {
                Socket s = openPartialTokenRequest(i % 2 == 0 ? "HTTP/1.1" : "HTTP/1.0");
                OutputStream out = s.getOutputStream();
                drip.scheduleAtFixedRate(() -> writeQuietly(out), 500, 500, TimeUnit.MILLISECONDS);
                slow.add(s);
            }
            // Stalled clients: part of the body, then nothing.
            for (int i = 0; i < 2; i++) {
                slow.add(openPartialTokenRequest("HTTP/1.1"));
            }
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> requestThreads.getActiveCount() >= THREADS);

            HttpResponse<String> health = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/actuator/health"))
                            .timeout(Duration.ofSeconds(20))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> token = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                            .timeout(Duration.ofSeconds(20))
                            .header("Authorization", HttpBrowser.basic(SERVICE, serviceSecret))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=api.read"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(token.statusCode()).isEqualTo(200);
            assertThat(token.body()).contains("access_token");

            for (Socket s : slow) {
                // 408, then the server closes the connection without waiting for the rest of the body.
                assertThat(statusLine(s)).startsWith("HTTP/1.1 408");
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                        .containsAnyOf("request body not received in time", "The request took too long to arrive.");
            }
        } finally {
            drip.shutdownNow();
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    private Socket openPartialTokenRequest(String version) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        socket.setSoTimeout(20_000);
        String head = "POST /oauth2/token " + version + "\r\nHost: localhost\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000\r\n\r\n"
                + "grant_type=client_credentials&scope=";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return socket;
    }

    private static void writeQuietly(OutputStream out) {
        try {
            out.write('a');
            out.flush();
        } catch (IOException e) {
            // the server has closed the connection: the point of the test
        }
    }

    private static String statusLine(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\r') {
            line.append((char) c);
        }
        return line.toString();
    }

    // ---------------------------------------------------------------- item 5: anonymous sessions

    @Test
    void anonymousPagesWhenAnyPathThenNoSessionAndNoCookie() {
        int before = sessions().count();
        for (int i = 0; i < 25; i++) {
            HttpResponse<String> r = new HttpBrowser(base).get("/" + UUID.randomUUID() + "/page?x=" + i);
            assertThat(r.statusCode()).isEqualTo(302);
            assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
        }
        for (String path : List.of("/userinfo", "/", "/mfa/totp", "/consent")) {
            assertThat(new HttpBrowser(base).get(path).headers().allValues("Set-Cookie"))
                    .as(path)
                    .isEmpty();
        }
        assertThat(sessions().count()).isEqualTo(before);
        assertThat(sessions().count()).isLessThan(500);
    }

    @Test
    void authorizationRequestWhenAnonymousThenOneShortSessionAndSignInRestoresFullTimeout() {
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> authorize = browser.get(authorizeUri(SERVICE_REDIRECT));
        assertThat(authorize.statusCode()).isEqualTo(302);
        assertThat(authorize.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        assertThat(sessions().maxInactiveSeconds(BrowserSessions.sessionId(authorize)))
                .isEqualTo(120);

        HttpResponse<String> signedIn = browser.login("demo", demoPassword);
        assertThat(signedIn.statusCode()).isEqualTo(302);
        assertThat(signedIn.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).contains("/oauth2/authorize"));
        assertThat(sessions().maxInactiveSeconds(BrowserSessions.sessionId(signedIn)))
                .isEqualTo(30 * 60);
    }

    /**
     * Tomcat's per-node {@code maxActiveSessions} is gone with the servlet container's sessions (issue #14): every
     * session is a row in the shared database, none is in Tomcat's manager, and what bounds anonymous rows is the
     * cluster-wide cap, half of {@code max-sessions} unless set.
     */
    @Test
    void sessionCapWhenConfiguredThenAnonymousCapIsHalfOfMaxSessionsAndTomcatHoldsNoSession() {
        assertThat(anonymousCap.cap()).isEqualTo(250);
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> signedIn = browser.login("demo", demoPassword);
        assertThat(sessions().exists(BrowserSessions.sessionId(signedIn))).isTrue();
        assertThat(sessionManager().getActiveSessions()).isZero();
    }

    private BrowserSessions sessions() {
        return new BrowserSessions(jdbc);
    }

    // ---------------------------------------------------------------- item 16: headers

    @Test
    void everyResponseWhenEitherChainThenReferrerAndPermissionsPolicy() throws Exception {
        List<HttpResponse<String>> responses = List.of(
                new HttpBrowser(base).get("/login"),
                new HttpBrowser(base).get("/nowhere"),
                new HttpBrowser(base).getApi("/.well-known/openid-configuration"),
                new HttpBrowser(base).get(authorizeUri("https://evil.example/cb")),
                new HttpBrowser(base).postForm("/oauth2/token", Map.of("grant_type", "client_credentials")));
        for (HttpResponse<String> r : responses) {
            assertThat(r.headers().firstValue("Referrer-Policy"))
                    .as(r.uri().toString())
                    .hasValue("no-referrer");
            assertThat(r.headers().firstValue("Permissions-Policy"))
                    .as(r.uri().toString())
                    .hasValueSatisfying(p -> assertThat(p).contains("camera=()", "geolocation=()", "microphone=()"));
        }
        // WebAuthn Level 3 §5.9: the ceremonies for this origin on the pages that run them (the sign-in page), none
        // anywhere else.
        assertThat(responses.get(0).headers().firstValue("Permissions-Policy"))
                .hasValueSatisfying(p -> assertThat(p)
                        .contains("publickey-credentials-get=(self)", "publickey-credentials-create=(self)"));
        for (HttpResponse<String> r : responses.subList(1, responses.size())) {
            assertThat(r.headers().firstValue("Permissions-Policy"))
                    .as(r.uri().toString())
                    .hasValueSatisfying(p ->
                            assertThat(p).contains("publickey-credentials-get=()", "publickey-credentials-create=()"));
        }
    }

    // ---------------------------------------------------------------- item 17: error page

    @Test
    void invalidRedirectUriWhenBrowserThenGatehouseErrorPageWithoutInput() {
        HttpResponse<String> page = new HttpBrowser(base).get(authorizeUri("https://evil.example/cb%3Cb%3Exss"));
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body())
                .contains(
                        "400", "Gatehouse", "Unknown return address", "To protect your account you were not sent there")
                .doesNotContain("Whitelabel", "evil.example", "<b>", "redirect_uri", "OAuth 2.0 Parameter", "st-1");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("default-src 'none'"));
    }

    @Test
    void invalidRedirectUriWhenApiClientThenProblemJson() {
        HttpResponse<String> problem = new HttpBrowser(base).getApi(authorizeUri("https://evil.example/cb"));
        assertThat(problem.statusCode()).isEqualTo(400);
        assertThat(problem.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(problem.body())
                .contains("\"status\":400", "\"title\":\"Bad Request\"")
                .doesNotContain("evil.example", "redirect_uri", "trace", "exception");
    }

    @Test
    void errorPathWhenRequestedDirectlyThenNotFoundNotServerError() {
        HttpResponse<String> page = new HttpBrowser(base).get("/error");
        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.body())
                .contains("Page not found", "There is nothing at this address.")
                .doesNotContain("Whitelabel");
        assertThat(new HttpBrowser(base).getApi("/error").statusCode()).isEqualTo(404);
    }

    @Test
    void malformedPercentEncodingWhenAuthorizationRequestThenInvalidRequestNotTooLarge() throws IOException {
        // Over a raw socket: Java's HttpClient refuses to send a malformed URI.
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream()
                    .write(("GET /oauth2/authorize?client_id=%zz HTTP/1.0\r\nHost: localhost\r\n"
                                    + "Accept: application/json\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response)
                    .startsWith("HTTP/1.1 400")
                    .contains("\"error\":\"invalid_request\"", "malformed request parameters")
                    .doesNotContain("too large");
        }
    }

    private static String authorizeUri(String redirectUri) {
        return "/oauth2/authorize?response_type=code&client_id=" + SERVICE + "&redirect_uri="
                + java.net.URLEncoder.encode(redirectUri, StandardCharsets.UTF_8)
                + "&scope=openid&state=st-1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                + "&code_challenge_method=S256";
    }

    private TomcatWebServer tomcat() {
        return (TomcatWebServer) context.getWebServer();
    }

    private Manager sessionManager() {
        return ((Context) tomcat().getTomcat().getHost().findChildren()[0]).getManager();
    }
}
