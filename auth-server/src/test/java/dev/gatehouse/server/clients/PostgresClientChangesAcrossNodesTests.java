package dev.gatehouse.server.clients;

import static dev.gatehouse.server.TestNodes.base;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.PostgresTestDatabase;
import dev.gatehouse.server.TestNodes;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two server nodes (two application contexts, two ports) on one PostgreSQL database: a client changed through node
 * 1 (its admin API or its repository) is refused by node 2 after one poll of the client change epoch. Node 2 polls
 * on its own only at start and trusts its cache for an hour, so each test first shows that node 2 still holds the
 * old client, then drives the poll itself: the poll, and nothing else, is what carries the change over. The last
 * test runs a third node with the default settings and waits (bounded, no sleep) for its own thread to do it.
 */
class PostgresClientChangesAcrossNodesTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SERVICE = "gatehouse-demo-service";

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("clientchanges");
    private static final TestNodes NODES = TestNodes.on(DATABASE);
    private static ConfigurableApplicationContext node1;
    private static ConfigurableApplicationContext node2;

    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void startNodes() {
        node1 = NODES.start("gatehouse.server.demo=true"); // first: Flyway migrates once, the demo clients are created
        node2 = NODES.start(
                "gatehouse.server.client-cache-ttl=1h",
                "gatehouse.server.client-cache-poll-interval=30m",
                "gatehouse.server.client-cache-max-staleness=1h");
    }

    @AfterAll
    static void stopNodes() {
        NODES.close();
    }

    private static void poll(ConfigurableApplicationContext node) {
        node.getBean(ClientCache.class).poller().poll();
    }

    private static @Nullable RegisteredClient cached(ConfigurableApplicationContext node, String clientId) {
        return node.getBean(RegisteredClientRepository.class).findByClientId(clientId);
    }

    @Test
    void rotateSecretWhenDoneOnNode1ThenNode2RefusesOldSecretAfterOnePoll() throws Exception {
        String id = "rot-" + suffix();
        String old = register(id, List.of("client_credentials"), List.of());
        assertThat(token(node2, id, old).statusCode()).isEqualTo(200); // node 2 now caches the client
        String hashBefore = cached(node2, id).getClientSecret();

        Map<String, Object> rotated = json(admin("POST", "/admin/clients/" + id + "/secret", null), 200);
        String fresh = (String) rotated.get("clientSecret");

        assertThat(cached(node2, id).getClientSecret()).isEqualTo(hashBefore); // not polled yet
        poll(node2);
        assertInvalidClient(token(node2, id, old));
        assertThat(token(node2, id, fresh).statusCode()).isEqualTo(200);
    }

    @Test
    void disableWhenDoneOnNode1ThenNode2RefusesTheClientAfterOnePoll() throws Exception {
        String id = "off-" + suffix();
        String secret = register(id, List.of("client_credentials"), List.of());
        assertThat(token(node2, id, secret).statusCode()).isEqualTo(200);

        // Disabling a client is expiring its secret (what the admin API shows as secretExpired).
        RegisteredClientRepository clients1 = node1.getBean(RegisteredClientRepository.class);
        clients1.save(RegisteredClient.from(clients1.findByClientId(id))
                .clientSecretExpiresAt(Instant.now().minusSeconds(1))
                .build());

        assertThat(cached(node2, id).getClientSecretExpiresAt()).isNull(); // not polled yet
        poll(node2);
        assertInvalidClient(token(node2, id, secret));
    }

    @Test
    void deleteWhenDoneOnNode1ThenNode2RefusesTheClientAfterOnePoll() throws Exception {
        String id = "del-" + suffix();
        String secret = register(id, List.of("client_credentials"), List.of());
        assertThat(token(node2, id, secret).statusCode()).isEqualTo(200);

        assertThat(admin("DELETE", "/admin/clients/" + id, null).statusCode()).isEqualTo(204);

        assertThat(cached(node2, id)).isNotNull(); // not polled yet
        poll(node2);
        assertInvalidClient(token(node2, id, secret));
        assertThat(cached(node2, id)).isNull();
    }

    @Test
    void redirectUrisWhenChangedOnNode1ThenNode2RefusesTheOldOneAfterOnePoll() throws Exception {
        String id = "web-" + suffix();
        register(id, List.of("authorization_code"), List.of("https://app.example/cb"));
        // Not signed in: a valid request is sent to the login page; an unregistered redirect URI is an error shown
        // here, never a redirect to it (RFC 6749 §4.1.2.1).
        assertThat(authorize(node2, id, "https://app.example/cb").statusCode()).isEqualTo(302);

        String body = JSON.writeValueAsString(Map.of("redirectUris", List.of("https://app.example/cb2")));
        json(admin("PUT", "/admin/clients/" + id + "/redirect-uris", body), 200);

        assertThat(cached(node2, id).getRedirectUris()).containsExactly("https://app.example/cb"); // not polled yet
        poll(node2);
        HttpResponse<String> old = authorize(node2, id, "https://app.example/cb");
        assertThat(old.statusCode()).isEqualTo(400);
        assertThat(old.headers().firstValue("Location")).isEmpty();
        assertThat(authorize(node2, id, "https://app.example/cb2").statusCode()).isEqualTo(302);
    }

    @Test
    void rotateSecretWhenNodeRunsDefaultsThenItsOwnPollerRefusesOldSecretWithinABoundedWait() throws Exception {
        ConfigurableApplicationContext node3 = NODES.start();
        String id = "own-" + suffix();
        String old = register(id, List.of("client_credentials"), List.of());
        assertThat(token(node3, id, old).statusCode()).isEqualTo(200);

        long before = node1.getBean(JdbcTemplate.class)
                .queryForObject("SELECT version FROM gh_client_epoch WHERE id = 1", Long.class);
        json(admin("POST", "/admin/clients/" + id + "/secret", null), 200);
        assertThat(node1.getBean(JdbcTemplate.class)
                        .queryForObject("SELECT version FROM gh_client_epoch WHERE id = 1", Long.class))
                .isGreaterThan(before); // bumped by the trigger, in the rotation's transaction

        // Bounded in count and time; no sleep: each round trip is the pause.
        long started = System.nanoTime();
        HttpResponse<String> r = token(node3, id, old);
        for (int i = 0; i < 2_000 && r.statusCode() == 200 && System.nanoTime() - started < 10_000_000_000L; i++) {
            r = token(node3, id, old);
        }
        System.out.printf(
                "client change on node 1 refused by node 3 after %d ms%n", (System.nanoTime() - started) / 1_000_000);
        assertInvalidClient(r);
    }

    // ---------------------------------------------------------------- helpers

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private String serviceSecret() throws Exception {
        for (String line : Files.readAllLines(DATABASE.dataDir().resolve("demo-credentials.txt"))) {
            if (line.contains(SERVICE + " secret:")) {
                String[] words = line.strip().split(" ");
                return words[words.length - 1];
            }
        }
        throw new IllegalStateException("no demo service secret in demo-credentials.txt");
    }

    private HttpResponse<String> admin(String method, String path, @Nullable String body) throws Exception {
        HttpResponse<String> t = token(node1, SERVICE, serviceSecret(), "admin");
        String accessToken = (String) json(t, 200).get("access_token");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(node1) + path))
                .header("Authorization", "Bearer " + accessToken)
                .header("Accept", "application/json, application/problem+json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Registers a client through node 1's admin API; returns its secret (or {@code ""} for none). */
    private String register(String id, List<String> grants, List<String> redirectUris) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", id);
        body.put("clientName", "Client " + id);
        body.put("grantTypes", grants);
        body.put("scopes", List.of("api.read"));
        body.put("redirectUris", redirectUris);
        Map<String, Object> created = json(admin("POST", "/admin/clients", JSON.writeValueAsString(body)), 201);
        Object secret = created.get("clientSecret");
        return secret == null ? "" : (String) secret;
    }

    private HttpResponse<String> token(ConfigurableApplicationContext node, String id, String secret) throws Exception {
        return token(node, id, secret, "api.read");
    }

    private HttpResponse<String> token(ConfigurableApplicationContext node, String id, String secret, String scope)
            throws Exception {
        String pair =
                URLEncoder.encode(id, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return http.send(
                HttpRequest.newBuilder(URI.create(base(node) + "/oauth2/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header(
                                "Authorization",
                                "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                form(Map.of("grant_type", "client_credentials", "scope", scope))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> authorize(ConfigurableApplicationContext node, String id, String redirectUri)
            throws Exception {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", id);
        q.put("redirect_uri", redirectUri);
        q.put("scope", "api.read");
        q.put("state", "s-" + suffix());
        q.put("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        q.put("code_challenge_method", "S256");
        return http.send(
                HttpRequest.newBuilder(URI.create(base(node) + "/oauth2/authorize?" + form(q)))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String form(Map<String, String> values) {
        return values.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** RFC 6749 §5.2: a client that cannot authenticate gets 401 with {@code invalid_client}. */
    private static void assertInvalidClient(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(json(r, 401).get("error")).isEqualTo("invalid_client");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return JSON.readValue(r.body(), Map.class);
    }
}
