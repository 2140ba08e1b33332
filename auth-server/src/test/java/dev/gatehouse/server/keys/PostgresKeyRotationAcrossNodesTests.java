package dev.gatehouse.server.keys;

import static dev.gatehouse.server.TestNodes.base;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.server.PostgresTestDatabase;
import dev.gatehouse.server.TestNodes;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Key rotation across two server nodes (two application contexts, two ports) on one PostgreSQL database. Node 2 polls
 * the key ring on its own only after an hour, so each test first shows what node 2 serves before it notices, then
 * drives its poll: a forced rotation on node 1 never signs with a key node 2 does not already publish, and after one
 * poll both nodes serve the same JWKS, with {@code Cache-Control: public, max-age} set. The last test runs a third
 * node with the default one-second poll and waits (bounded, no sleep) for its own thread to publish new keys.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresKeyRotationAcrossNodesTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SERVICE = "gatehouse-demo-service";

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("keyrotation");
    private static final TestNodes NODES = TestNodes.on(DATABASE);
    private static ConfigurableApplicationContext node1;
    private static ConfigurableApplicationContext node2;
    private static ConfigurableApplicationContext node3;

    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void startNodes() {
        node1 = NODES.start("gatehouse.server.demo=true"); // first: Flyway migrates once, the first keys are created
        node2 = NODES.start("gatehouse.token.key-poll-interval=1h");
    }

    @AfterAll
    static void stopNodes() {
        NODES.close();
    }

    @Test
    @Order(1)
    void rotateWhenForcedOnNode1ThenItsTokensVerifyFromNode2JwksBeforeNode2EvenPolls() throws Exception {
        assertThat(kids(jwks(node2))).isEqualTo(kids(jwks(node1)));
        NimbusJwtDecoder cachedBefore = decoder(node2);
        String before = accessToken(node1);
        assertThat(cachedBefore.decode(before).getSubject()).isEqualTo(SERVICE); // caches node 2's JWKS now

        Map<String, Object> rotation = json(admin("POST", "/admin/keys/rotate"), 200);
        String active = (String) rotation.get("activeKid");
        assertThat(active).isNotEqualTo(rotation.get("previousKid"));

        String after = accessToken(node1);
        assertThat(kid(after)).isEqualTo(active);
        assertSignedByAKeyPublishedLongEnough(after);
        // Node 2 has not polled: it serves the key node 1 now signs with all the same (it was its NEXT key) ...
        assertThat(kids(jwks(node2))).contains(active);
        assertThat(decoder(node2).decode(after).getSubject()).isEqualTo(SERVICE);
        assertThat(cachedBefore.decode(after).getSubject()).isEqualTo(SERVICE); // no refetch needed
        // ... but not yet the NEXT key node 1 created; one poll later both nodes serve the same keys.
        String next = stored("NEXT");
        assertThat(kids(jwks(node2))).doesNotContain(next);
        assertThat(poll(node2)).isTrue();
        assertThat(kids(jwks(node2))).isEqualTo(kids(jwks(node1))).contains(next, active);
    }

    @Test
    @Order(2)
    void rotateWhenForcedAgainRightAwayThenRefusedUntilTheNextKeyHasBeenPublishedForTheDelay() throws Exception {
        poll(node2);
        String active = stored("ACTIVE");
        String next = stored("NEXT");

        HttpResponse<String> refused = admin("POST", "/admin/keys/rotate");
        assertThat(json(refused, 409).get("code")).isEqualTo("admin.key.not_yet_published");
        assertThat(refused.body()).contains(next);
        assertThat(kid(accessToken(node1))).isEqualTo(active);
        assertThat(kid(accessToken(node2))).isEqualTo(active);

        // The delay passes (the NEXT key's publication moved back rather than the clocks forward).
        Duration delay = node1.getBean(KeyRing.class).publicationDelay();
        jdbc().update(
                        "UPDATE gh_signing_key SET created_at = ? WHERE kid = ?",
                        Timestamp.from(Instant.now().minus(delay).minusSeconds(1)),
                        next);
        NimbusJwtDecoder cachedBefore = decoder(node2);
        cachedBefore.decode(accessToken(node1));

        Map<String, Object> rotation = json(admin("POST", "/admin/keys/rotate"), 200);
        assertThat(rotation.get("activeKid")).isEqualTo(next);
        String token = accessToken(node1);
        assertThat(kid(token)).isEqualTo(next);
        assertSignedByAKeyPublishedLongEnough(token);
        assertThat(cachedBefore.decode(token).getSubject()).isEqualTo(SERVICE);
        assertThat(decoder(node2).decode(token).getSubject()).isEqualTo(SERVICE);
        // Node 2 signs with the retiring key until it polls; node 1 still publishes that key.
        String stale = accessToken(node2);
        assertThat(kid(stale)).isEqualTo(active);
        assertThat(decoder(node1).decode(stale).getSubject()).isEqualTo(SERVICE);
        poll(node2);
        assertThat(kid(accessToken(node2))).isEqualTo(next);
    }

    @Test
    @Order(3)
    void jwksWhenFetchedFromEitherNodeThenCacheControlPublicWithTheMaxAge() throws Exception {
        for (ConfigurableApplicationContext node : List.of(node1, node2)) {
            HttpResponse<String> r = get(node, "/oauth2/jwks");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().allValues("Cache-Control")).containsExactly("public, max-age=300");
            assertThat(r.headers().firstValue("Pragma")).isEmpty();
        }
        HttpResponse<String> notJwks = get(node1, "/.well-known/openid-configuration");
        assertThat(notJwks.headers().allValues("Cache-Control")).doesNotContain("public, max-age=300");
    }

    @Test
    @Order(4)
    void rotateWhenEmergencyOnNode1ThenNode3WithDefaultPollPublishesTheNewKeysWithinABoundedWait() throws Exception {
        node3 = NODES.start();
        List<String> old = kids(jwks(node1));
        String before = accessToken(node1);

        HttpResponse<String> r = admin("POST", "/admin/keys/rotate?emergency=true");
        String active = (String) json(r, 200).get("activeKid");
        assertThat(old).doesNotContain(active);
        assertThat(kids(jwks(node1))).hasSize(2).doesNotContainAnyElementsOf(old);

        // Bounded in count and time; no sleep: each round trip is the pause.
        long started = System.nanoTime();
        List<String> seen = kids(jwks(node3));
        for (int i = 0; i < 5_000 && !seen.contains(active) && System.nanoTime() - started < 10_000_000_000L; i++) {
            seen = kids(jwks(node3));
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("emergency rotation on node 1 published by node 3 after %d ms%n", millis);
        assertThat(seen).isEqualTo(kids(jwks(node1)));
        assertThat(millis)
                .isLessThan(node1.getBean(KeyRing.class).publicationDelay().toMillis());
        String token = accessToken(node1);
        assertThat(decoder(node3).decode(token).getSubject()).isEqualTo(SERVICE);
        assertThat(kid(before)).isIn(old); // tokens of the replaced keys no longer verify from node 3
        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                        () -> decoder(node3).decode(before)))
                .isNotNull();
    }

    /**
     * Rotation under load: two clients take tokens from node 1 and node 3 (its own 1 s poll) in turn and verify each
     * with Spring's decoder on the other node's JWKS (cached, refetched on an unknown kid), while node 1 is forced to
     * rotate in the middle. Bounded in count and time; not one verification fails.
     */
    @Test
    @Order(5)
    void rotateWhenForcedUnderLoadThenNoVerificationFailsOnEitherNode() throws Exception {
        String next = stored("NEXT");
        long started = System.nanoTime();
        while (!kids(jwks(node3)).contains(next) && System.nanoTime() - started < 10_000_000_000L) {
            // bounded: node 3's poller publishes the NEXT key within about a second
        }
        assertThat(kids(jwks(node3))).contains(next);
        Duration delay = node1.getBean(KeyRing.class).publicationDelay();
        jdbc().update(
                        "UPDATE gh_signing_key SET created_at = ? WHERE kid = ?",
                        Timestamp.from(Instant.now().minus(delay).minusSeconds(1)),
                        next);

        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger verified = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Set<String> kidsSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.CountDownLatch halfway = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        long deadline = System.nanoTime() + 60_000_000_000L;
        List<java.util.concurrent.Future<?>> clients = new ArrayList<>();
        try {
            for (int c = 0; c < 2; c++) {
                clients.add(pool.submit(() -> {
                    NimbusJwtDecoder[] decoders = {decoder(node3), decoder(node1)};
                    for (int i = 0; i < 120 && System.nanoTime() < deadline; i++) {
                        if (i == 40) {
                            halfway.countDown();
                        }
                        int from = i % 2; // 0: token from node 1, verified on node 3's JWKS; 1: the other way
                        try {
                            String token = accessToken(from == 0 ? node1 : node3);
                            kidsSeen.add(kid(token));
                            decoders[from].decode(token);
                            verified.incrementAndGet();
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            assertThat(halfway.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(json(admin("POST", "/admin/keys/rotate"), 200).get("activeKid"))
                    .isEqualTo(next);
            for (java.util.concurrent.Future<?> f : clients) {
                f.get(90, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf(
                "rotation under load: %d verified, %d failed, kids %s%n", verified.get(), failures.get(), kidsSeen);
        assertThat(failures.get()).isZero();
        assertThat(verified.get()).isEqualTo(240);
        assertThat(kidsSeen).contains(next).hasSizeGreaterThanOrEqualTo(2);
    }

    // ---------------------------------------------------------------- helpers

    /** The invariant: the signing key was published for the delay, or together with the first key. */
    private static void assertSignedByAKeyPublishedLongEnough(String token) throws Exception {
        String kid = kid(token);
        Timestamp created =
                jdbc().queryForObject("SELECT created_at FROM gh_signing_key WHERE kid = ?", Timestamp.class, kid);
        Timestamp first = jdbc().queryForObject("SELECT MIN(created_at) FROM gh_signing_key", Timestamp.class);
        Duration delay = node1.getBean(KeyRing.class).publicationDelay();
        assertThat(created.equals(first) || !created.toInstant().plus(delay).isAfter(Instant.now()))
                .as("%s created %s signs at %s", kid, created, Instant.now())
                .isTrue();
    }

    private static JdbcTemplate jdbc() {
        return node1.getBean(JdbcTemplate.class);
    }

    private static boolean poll(ConfigurableApplicationContext node) {
        return node.getBean(KeyRingPoller.class).poll();
    }

    private static String stored(String state) {
        return jdbc().queryForObject("SELECT kid FROM gh_signing_key WHERE state = ?", String.class, state);
    }

    private static NimbusJwtDecoder decoder(ConfigurableApplicationContext node) {
        // Spring Security's resource-server decoder: caches the JWKS (5 minutes) and refetches on an unknown kid.
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(base(node) + "/oauth2/jwks")
                .jwsAlgorithm(SignatureAlgorithm.RS256)
                .validateType(false)
                .build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                new JwtTypeValidator("at+jwt"), new JwtTimestampValidator())); // RFC 9068 §4
        return decoder;
    }

    private static String kid(String token) throws Exception {
        return JWSObject.parse(token).getHeader().getKeyID();
    }

    private static List<String> kids(String jwks) throws Exception {
        return JWKSet.parse(jwks).getKeys().stream().map(JWK::getKeyID).sorted().toList();
    }

    private String jwks(ConfigurableApplicationContext node) throws Exception {
        HttpResponse<String> r = get(node, "/oauth2/jwks");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private HttpResponse<String> get(ConfigurableApplicationContext node, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base(node) + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
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

    private String accessToken(ConfigurableApplicationContext node) throws Exception {
        return token(node, "api.read");
    }

    private String token(ConfigurableApplicationContext node, String scope) throws Exception {
        String pair = URLEncoder.encode(SERVICE, StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(serviceSecret(), StandardCharsets.UTF_8);
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base(node) + "/oauth2/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header(
                                "Authorization",
                                "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)))
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=" + scope))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return (String) json(r, 200).get("access_token");
    }

    private HttpResponse<String> admin(String method, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base(node1) + path))
                        .header("Authorization", "Bearer " + token(node1, "admin"))
                        .header("Accept", "application/json, application/problem+json")
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return JSON.readValue(r.body(), Map.class);
    }
}
