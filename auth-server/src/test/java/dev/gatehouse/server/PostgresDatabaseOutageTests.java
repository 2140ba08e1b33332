package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * PostgreSQL stopped under a running server, then started again: while it is down the token endpoint (client
 * credentials), UserInfo, the admin API, the sign-in page and its form answer {@code 503} with {@code Retry-After} and {@code
 * Cache-Control: no-store} at once (bounded by the HTTP client's timeout, no timing asserted), without SQL, host or
 * exception text, and the readiness probe fails while liveness holds; once it is back the node reports ready again
 * and the same requests succeed without restarting the server, and a token acknowledged before the outage still
 * introspects as active.
 *
 * <p>A PostgreSQL server of its own (not {@link PostgresTestDatabase}'s shared one, which other classes use), on a
 * fixed port and data directory so that it comes back where the pool expects it. Rate-limit buckets are kept in
 * memory here, so that the requests reach Spring Security's filters and providers, which is where a database failure
 * must be translated; the PostgreSQL bucket store refuses with its own {@code 503} when the database is down
 * (ratelimit.RateLimitFilterTests).
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
            "gatehouse.server.rate-limit.store=local"
        })
@DirtiesContext
class PostgresDatabaseOutageTests {

    private static final String SERVICE = AbstractAuthorizationServerTests.SERVICE;
    private static final String SERVICE_REDIRECT = AbstractAuthorizationServerTests.SERVICE_REDIRECT;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);
    private static final int MAX_PROBES = 30;
    private static final int BURST = 16;

    private static final Path PG_DATA = newDirectory("gatehouse-outage-pgdata-");
    private static final Path DATA_DIR = DemoData.newDataDir("gatehouse-outage-");
    private static final int PG_PORT = freePort();
    private static EmbeddedPostgres postgres = startPostgres(true);

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA_DIR::toString);
        registry.add("spring.datasource.url", () -> postgres.getJdbcUrl("postgres", "gatehouse"));
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "");
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void requestsWhenDatabaseStoppedThenServiceUnavailableAndWhenStartedAgainThenServed(CapturedOutput output)
            throws Exception {
        String base = "http://localhost:" + port;
        String secret = DemoData.clientSecret(DATA_DIR, SERVICE);
        String basic = HttpBrowser.basic(SERVICE, secret);
        HttpBrowser user = new HttpBrowser(base);
        String userAccess = userAccessToken(base, user, secret);
        String acknowledged = clientToken(basic, 200);
        assertThat(introspect(basic, acknowledged)).containsEntry("active", true);
        assertThat(send(bearer("/userinfo", userAccess)).statusCode()).isEqualTo(200);
        assertThat(send(bearer("/admin/clients", acknowledged)).statusCode()).isEqualTo(200);
        HttpBrowser signIn = new HttpBrowser(base);
        String csrf = MfaSignInFlow.csrf(signIn.get("/login"));

        postgres.close();

        // First, while the pool still holds the connections the shutdown broke: the sign-in form posted on a session
        // Spring Session reads in a transaction whose rollback fails too (it was answered by Tomcat's own 500 page).
        HttpResponse<String> form = signIn.postForm(
                "/login",
                Map.of("username", "demo", "password", DemoData.demoPassword(DATA_DIR), "_csrf", csrf),
                "Accept",
                "text/html");
        assertUnavailable(form, "text/html");
        // Under load: a bounded burst of token requests, each answered 503 (none hangs or fails another way).
        ExecutorService load = Executors.newFixedThreadPool(BURST);
        try {
            List<Future<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < BURST * 2; i++) {
                burst.add(load.submit(() -> send(clientCredentials(basic))));
            }
            for (Future<HttpResponse<String>> answer : burst) {
                assertUnavailable(answer.get(), "application/json");
            }
        } finally {
            load.shutdownNow();
        }
        HttpResponse<String> token = send(clientCredentials(basic));
        assertUnavailable(token, "application/json");
        assertThat(JSONObjectUtils.parse(token.body())).containsEntry("error", "temporarily_unavailable");
        HttpResponse<String> userInfo = send(bearer("/userinfo", userAccess));
        assertUnavailable(userInfo, "application/json");
        assertThat(JSONObjectUtils.parse(userInfo.body())).containsEntry("error", "temporarily_unavailable");
        HttpResponse<String> admin = send(bearer("/admin/clients", acknowledged));
        assertUnavailable(admin, "application/problem+json");
        assertThat(JSONObjectUtils.parse(admin.body())).containsEntry("status", 503L);
        // The sign-in page itself: its CSRF token goes into a new session, a row in the shared session table. The
        // page is rendered whole before that row is saved, so the outage is answered by the outage page, not
        // reported as a failure of the template engine (and no part of the sign-in form goes out).
        HttpResponse<String> loginPage = new HttpBrowser(base).get("/login");
        assertUnavailable(loginPage, "text/html");
        assertThat(loginPage.body())
                .contains("503 Service Unavailable", "The service is temporarily unavailable.")
                .doesNotContain("name=\"password\"");
        assertThat(output.getAll()).doesNotContain("Exception processing template");
        // Kubernetes takes the node out of its Service, and does not restart it.
        assertThat(send(get("/actuator/health/readiness")).statusCode()).isEqualTo(503);
        assertThat(send(get("/actuator/health/liveness")).statusCode()).isEqualTo(200);

        postgres = startPostgres(false);

        // The pool reconnects by itself (Hikari retries with a back-off of at most 5 s); as a probe would, wait until
        // the node reports ready. Each failed probe waits for a connection up to the pool's timeout, so this loop is
        // bounded in time as well as in count.
        int probes = 0;
        while (send(get("/actuator/health/readiness")).statusCode() != 200) {
            assertThat(++probes)
                    .as("readiness probes before the database is back")
                    .isLessThan(MAX_PROBES);
        }

        assertThat(clientToken(basic, 200)).isNotBlank();
        assertThat(send(bearer("/userinfo", userAccess)).statusCode()).isEqualTo(200);
        assertThat(send(bearer("/admin/clients", acknowledged)).statusCode()).isEqualTo(200);
        assertThat(new HttpBrowser(base).get("/login").statusCode()).isEqualTo(200);
        HttpResponse<String> signedIn = signIn.postForm(
                "/login", Map.of("username", "demo", "password", DemoData.demoPassword(DATA_DIR), "_csrf", csrf));
        assertThat(signedIn.statusCode()).isEqualTo(302);
        assertThat(signedIn.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
        assertThat(introspect(basic, acknowledged)).containsEntry("active", true);
    }

    private static void assertUnavailable(HttpResponse<String> response, String contentType) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith(contentType);
        assertThat(response.body().toLowerCase(java.util.Locale.ROOT))
                .doesNotContain("sql", "jdbc", "postgres", "localhost", "exception", "connection");
    }

    private String userAccessToken(String base, HttpBrowser browser, String secret) throws Exception {
        MfaSignInFlow flow = new MfaSignInFlow(base, SERVICE, secret, SERVICE_REDIRECT);
        AbstractAuthorizationServerTests.Pkce pkce = AbstractAuthorizationServerTests.Pkce.create();
        String back = flow.password(browser, "demo", DemoData.demoPassword(DATA_DIR), pkce);
        assertThat(back).startsWith(SERVICE_REDIRECT + "?");
        return (String) flow.exchange(browser, HttpBrowser.query(back).get("code"), pkce)
                .get("access_token");
    }

    private String clientToken(String basic, int status) throws Exception {
        HttpResponse<String> r = send(clientCredentials(basic));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return (String) JSONObjectUtils.parse(r.body()).get("access_token");
    }

    private Map<String, Object> introspect(String basic, String token) throws Exception {
        HttpResponse<String> r = send(form("/oauth2/introspect", Map.of("token", token), basic));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSONObjectUtils.parse(r.body());
    }

    private HttpRequest.Builder clientCredentials(String basic) {
        return form("/oauth2/token", Map.of("grant_type", "client_credentials", "scope", "admin"), basic);
    }

    private HttpRequest.Builder form(String path, Map<String, String> form, String basic) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", basic)
                .POST(HttpRequest.BodyPublishers.ofString(HttpBrowser.encode(form)));
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .GET();
    }

    private HttpRequest.Builder bearer(String path, String token) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .GET();
    }

    /** Every request of this test returns within the client's timeout, or the test fails: no hang. */
    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(CLIENT_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Starts the server on the same port and data directory each time; the first start creates the database. */
    private static EmbeddedPostgres startPostgres(boolean first) {
        try {
            EmbeddedPostgres started = EmbeddedPostgres.builder()
                    .setPort(PG_PORT)
                    .setDataDirectory(PG_DATA)
                    .setCleanDataDirectory(false)
                    .start();
            if (first) {
                try (Connection c = started.getPostgresDatabase().getConnection();
                        Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE gatehouse");
                }
            }
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the outage test's database", e);
        }
    }

    private static Path newDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
