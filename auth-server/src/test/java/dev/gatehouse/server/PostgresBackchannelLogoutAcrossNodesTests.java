package dev.gatehouse.server;

import static dev.gatehouse.server.AbstractMfaSignInTests.claims;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.logout.BackchannelLogoutUris;
import dev.gatehouse.server.logout.LogoutDeliveries;
import dev.gatehouse.server.users.JdbcUserStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/**
 * Back-channel logout on two nodes over one PostgreSQL, as behind a load balancer: both nodes work the outbox at
 * the same moment and every logout token is sent exactly once ({@code FOR UPDATE SKIP LOCKED}); a code approved on
 * one node and redeemed on the other carries the session's {@code sid}, and a logout on the other node delivers it.
 */
class PostgresBackchannelLogoutAcrossNodesTests {

    private static final String PASSWORD = "correct horse battery 9";
    private static final String REDIRECT = "http://127.0.0.1:8086/cb";

    private static TestNodes nodes;
    private static ConfigurableApplicationContext node1;
    private static ConfigurableApplicationContext node2;
    private static HttpServer endpoint;
    private static final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startTwoNodes() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/bcl", exchange -> {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.US_ASCII);
            received.add(URLDecoder.decode(form.substring("logout_token=".length()), StandardCharsets.US_ASCII));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        endpoint.setExecutor(Executors.newFixedThreadPool(8));
        endpoint.start();
        nodes = TestNodes.on(PostgresTestDatabase.create("bclnodes"));
        // Every row goes to one host: max-per-host at its most, so each node claims one row per free sender and the
        // rounds below race the two nodes' claims (a busy host's rows would otherwise wait a poll, here 1 h).
        String[] properties = {
            "gatehouse.server.demo=false",
            "gatehouse.server.backchannel-logout.poll=1h",
            "gatehouse.server.backchannel-logout.max-per-host=4"
        };
        node1 = nodes.start(properties);
        node2 = nodes.start(properties);
    }

    @AfterAll
    static void stop() {
        if (nodes != null) {
            nodes.close();
        }
        if (endpoint != null) {
            endpoint.stop(0);
        }
    }

    @Test
    void runOnceWhenBothNodesClaimAtOnceThenEveryLogoutTokenSentExactlyOnce() throws Exception {
        received.clear();
        String secret = node1.getBean(ClientSecrets.class).generate();
        String clientId = registerClient(secret);
        String registeredId = node1.getBean(RegisteredClientRepository.class)
                .findByClientId(clientId)
                .getId();
        JdbcTemplate jdbc = node1.getBean(JdbcTemplate.class);
        Timestamp now = Timestamp.from(Instant.now());
        for (int i = 0; i < 50; i++) {
            jdbc.update(
                    "INSERT INTO gh_logout_delivery (id, registered_client_id, username, sid, issuer, reason,"
                            + " created_at, due_at, attempts) VALUES (?, ?, 'someone', ?, 'http://localhost', 'logout',"
                            + " ?, ?, 0)",
                    UUID.randomUUID().toString(),
                    registeredId,
                    "sid-" + i,
                    now,
                    now);
        }
        LogoutDeliveries one = node1.getBean(LogoutDeliveries.class);
        LogoutDeliveries two = node2.getBean(LogoutDeliveries.class);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // Each node claims one row per free sender (LogoutDeliveries), so 50 rows take at least 7 rounds of two
            // nodes; the bound only stops a broken claim from looping forever.
            for (int round = 0; round < 50 && pending(jdbc) > 0; round++) {
                CyclicBarrier together = new CyclicBarrier(2);
                Future<Integer> a = pool.submit(() -> {
                    together.await();
                    return one.runOnce();
                });
                Future<Integer> b = pool.submit(() -> {
                    together.await();
                    return two.runOnce();
                });
                a.get();
                b.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(pending(jdbc)).isZero();
        assertThat(received).hasSize(50);
        assertThat(received.stream().map(t -> claimsOf(t).get("sid")).distinct())
                .hasSize(50);
    }

    @Test
    void logoutWhenCodeApprovedOnOneNodeAndRedeemedAndSignedOutOnTheOtherThenSidDelivered() throws Exception {
        received.clear();
        String secret = node1.getBean(ClientSecrets.class).generate();
        String clientId = registerClient(secret);
        String user = "bcl-nodes-" + UUID.randomUUID();
        node1.getBean(JdbcUserStore.class)
                .create(user, node1.getBean(PasswordHasher.class).hash(PASSWORD), List.of("user"));
        String base1 = TestNodes.base(node1);
        String base2 = TestNodes.base(node2);
        HttpBrowser browser = new HttpBrowser(base1);
        Pkce pkce = Pkce.create();
        String url = base1 + "/oauth2/authorize?"
                + HttpBrowser.encode(Map.of(
                        "response_type", "code",
                        "client_id", clientId,
                        "redirect_uri", REDIRECT,
                        "scope", "openid",
                        "state", "n",
                        "code_challenge", pkce.challenge(),
                        "code_challenge_method", "S256"));
        HttpResponse<String> back = MfaSignInFlow.passwordThroughAuthorize(browser, url, user, PASSWORD);
        String code = HttpBrowser.query(back.headers().firstValue("Location").orElseThrow())
                .get("code");
        Map<String, Object> tokens =
                new MfaSignInFlow(base2, clientId, secret, REDIRECT).exchange(new HttpBrowser(base2), code, pkce);
        Object sid = claims((String) tokens.get("id_token")).get("sid");
        assertThat(sid).isInstanceOf(String.class);

        HttpBrowser onNode2 = browser.on(base2);
        HttpResponse<String> page = onNode2.get("/logout");
        assertThat(onNode2.postForm("/logout", Map.of("_csrf", MfaSignInFlow.csrf(page)))
                        .statusCode())
                .isEqualTo(302);
        assertThat(node1.getBean(LogoutDeliveries.class).runOnce()).isEqualTo(1);
        assertThat(received).hasSize(1);
        assertThat(claimsOf(received.get(0)))
                .containsEntry("sid", sid)
                .containsEntry("sub", user)
                .containsEntry("aud", List.of(clientId));
    }

    private static String registerClient(String secret) {
        String id = "bcl-nodes-" + UUID.randomUUID();
        node1.getBean(RegisteredClientRepository.class)
                .save(RegisteredClient.withId(UUID.randomUUID().toString())
                        .clientId(id)
                        .clientSecret(
                                node1.getBean(ClientSecrets.class).encoder().encode(secret))
                        .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                        .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                        .redirectUri(REDIRECT)
                        .scope("openid")
                        .clientSettings(ClientSettings.builder()
                                .requireProofKey(true)
                                .setting(
                                        BackchannelLogoutUris.URI_SETTING,
                                        "http://127.0.0.1:"
                                                + endpoint.getAddress().getPort() + "/bcl")
                                .build())
                        .build());
        return id;
    }

    private static int pending(JdbcTemplate jdbc) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM gh_logout_delivery", Integer.class);
        return n == null ? 0 : n;
    }

    private static Map<String, Object> claimsOf(String jwt) {
        try {
            return claims(jwt);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
