package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.jwk.JWKSet;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.web.client.RestTemplate;

/**
 * A forced key rotation (the admin API, through nginx) in the middle of a token load, with a resource server verifying
 * every token as it is issued: Spring Security's {@link NimbusJwtDecoder} on nginx's JWKS URI, the decoder a Spring
 * Boot resource server builds from {@code jwk-set-uri} (JWKS cached 5 minutes, refetched on an unknown {@code kid}).
 * Not one verification fails, every node signs with the new key within the load, tokens signed before the rotation
 * still verify after it, and the resource server never had to refetch the JWKS: the key that signs after the rotation
 * was in the JWKS it fetched before (the NEXT key is published before it signs).
 *
 * <p>The rotation is a normal one, not {@code emergency=true} (which would invalidate every earlier token on purpose):
 * the cluster's first forced rotation is allowed at once, because its NEXT key was published together with the first
 * active key (auth-core {@code KeyRing.rotateWhenPublished}). It changes the signing key for the classes that run
 * after it, which only check tokens against the published JWKS.
 */
@ExtendWith(SharedCluster.class)
@Order(20)
class KeyRotationUnderLoadTests {

    private static final int CLIENTS = 4;
    // Bounded by count and by MAX_LOAD_TIME; the load ends as soon as every node has signed with the new key, which
    // takes each node's key-ring poll (1 s) after the rotation: a cap of 150 per client ran out first once, with one
    // node still before its poll, on a fast run.
    private static final int MAX_REQUESTS_PER_CLIENT = 2_000;
    private static final Duration MAX_LOAD_TIME = Duration.ofSeconds(90);
    private static final int VERIFIED_BEFORE_ROTATION = 24;
    private static final int VERIFIED_AFTER_ROTATION = 24;

    private static Cluster cluster;
    private static SharedCluster.Demo demo;

    @BeforeAll
    static void cluster(Cluster shared, SharedCluster.Demo credentials) {
        cluster = shared;
        demo = credentials;
    }

    /** A token issued during the load: the node that signed it, its key id, the token. */
    record Issued(String node, String kid, String token) {
        @Override
        public String toString() {
            return "Issued[" + node + ", " + kid + "]";
        }
    }

    @Test
    void rotateWhenForcedUnderLoadThenEveryTokenVerifiesAndEveryNodeSignsWithTheNewKey() throws Exception {
        AtomicInteger jwksFetches = new AtomicInteger();
        NimbusJwtDecoder decoder = resourceServerDecoder(jwksFetches);
        Admin admin = Admin.on(cluster.issuer(), demo);

        // The resource server's first token: it fetches the JWKS once, here, before the rotation.
        Issued first = issue(new Http(cluster.issuer()));
        decoder.decode(first.token());
        assertThat(jwksFetches.get()).isEqualTo(1);
        Set<String> published = kids(new Http(cluster.issuer()).get("/oauth2/jwks"));
        assertThat(published).contains(first.kid()).hasSizeGreaterThanOrEqualTo(2);

        Queue<Issued> issued = new ConcurrentLinkedQueue<>();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicReference<String> rotatedTo = new AtomicReference<>(""); // the new key's id, once rotated
        Set<String> nodesSigningWithNewKey = ConcurrentHashMap.newKeySet();
        AtomicInteger verifiedWithNewKey = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch loaded = new CountDownLatch(VERIFIED_BEFORE_ROTATION);
        long deadline = System.nanoTime() + MAX_LOAD_TIME.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(pool.submit(() -> {
                Http http = new Http(cluster.issuer());
                for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && System.nanoTime() < deadline && !done.get(); i++) {
                    Issued token;
                    try {
                        token = issue(http);
                    } catch (AssertionError | RuntimeException e) {
                        failures.add("token request: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                        continue;
                    }
                    issued.add(token);
                    try {
                        decoder.decode(token.token());
                    } catch (RuntimeException e) {
                        failures.add("verification of " + token + ": "
                                + e.getClass().getSimpleName() + ": " + e.getMessage());
                        continue;
                    }
                    loaded.countDown();
                    if (token.kid().equals(rotatedTo.get())) {
                        nodesSigningWithNewKey.add(token.node());
                        if (verifiedWithNewKey.incrementAndGet() >= VERIFIED_AFTER_ROTATION
                                && nodesSigningWithNewKey.size()
                                        == cluster.nodes().size()) {
                            done.set(true);
                        }
                    }
                }
            }));
        }
        Map<String, Object> rotation;
        try {
            assertThat(loaded.await(MAX_LOAD_TIME.toSeconds(), TimeUnit.SECONDS))
                    .as("%d tokens verified before the rotation", VERIFIED_BEFORE_ROTATION)
                    .isTrue();
            rotation = admin.rotateKeys();
            rotatedTo.set((String) rotation.get("activeKid"));
            for (Future<?> client : clients) {
                client.get(MAX_LOAD_TIME.toSeconds() + 30, TimeUnit.SECONDS);
            }
        } finally {
            done.set(true);
            pool.shutdownNow();
        }

        assertThat(failures).as("failed token requests and verifications").isEmpty();
        String previousKid = (String) rotation.get("previousKid");
        String activeKid = rotatedTo.get();
        assertThat(previousKid).isEqualTo(first.kid());
        assertThat(activeKid).isNotEqualTo(previousKid).isIn(published);
        assertThat(issued).extracting(Issued::kid).containsOnly(previousKid, activeKid);
        assertThat(verifiedWithNewKey.get())
                .as("tokens signed with the new key and verified")
                .isGreaterThanOrEqualTo(VERIFIED_AFTER_ROTATION);
        assertThat(nodesSigningWithNewKey)
                .as("nodes that signed with the new key")
                .containsExactlyInAnyOrder("n1", "n2", "n3");
        // Tokens signed before the rotation still verify after it: the retiring key stays published.
        List<Issued> before =
                issued.stream().filter(t -> t.kid().equals(previousKid)).toList();
        assertThat(before).hasSizeGreaterThanOrEqualTo(VERIFIED_BEFORE_ROTATION);
        before.forEach(t -> decoder.decode(t.token()));
        assertThat(jwksFetches.get())
                .as("JWKS fetches by the resource server: the new key was in the one it fetched before the rotation")
                .isEqualTo(1);
        System.out.printf(
                "rotation under load: %d tokens issued and verified (%d with the new key), JWKS fetched %d time(s)%n",
                issued.size(), verifiedWithNewKey.get(), jwksFetches.get());
    }

    /**
     * The decoder a Spring Boot resource server builds from {@code spring.security.oauth2.resourceserver.jwt}
     * ({@code jwk-set-uri} and {@code issuer-uri} on nginx), checking RFC 9068 access tokens ({@code typ: at+jwt},
     * §4), with its HTTP client counting the JWKS fetches.
     */
    private static NimbusJwtDecoder resourceServerDecoder(AtomicInteger fetches) {
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(Duration.ofSeconds(3));
        requests.setReadTimeout(Duration.ofSeconds(10));
        RestTemplate rest = new RestTemplate(requests);
        rest.getInterceptors().add((request, body, execution) -> {
            fetches.incrementAndGet();
            return execution.execute(request, body);
        });
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(cluster.issuer() + "/oauth2/jwks")
                .jwsAlgorithm(SignatureAlgorithm.RS256)
                .restOperations(rest)
                .validateType(false)
                .build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                new JwtTypeValidator("at+jwt"), new JwtTimestampValidator(), new JwtIssuerValidator(cluster.issuer())));
        return decoder;
    }

    /** A client-credentials token through nginx; fails unless it is granted. */
    private static Issued issue(Http http) {
        HttpResponse<String> r =
                Flows.clientCredentials(http, SharedCluster.Demo.SERVICE, demo.serviceSecret(), "api.read");
        assertThat(r.statusCode()).as(Flows.outcome(r)).isEqualTo(200);
        String token = (String) Http.json(r).get("access_token");
        String node = r.headers().firstValue(Cluster.NODE_HEADER).orElse("?");
        try {
            return new Issued(node, JWSObject.parse(token).getHeader().getKeyID(), token);
        } catch (ParseException e) {
            throw new AssertionError("the access token is not a JWS", e);
        }
    }

    private static Set<String> kids(HttpResponse<String> jwks) {
        assertThat(jwks.statusCode()).isEqualTo(200);
        try {
            return JWKSet.parse(jwks.body()).getKeys().stream()
                    .map(k -> k.getKeyID())
                    .collect(Collectors.toSet());
        } catch (ParseException e) {
            throw new AssertionError("not a JWK Set", e);
        }
    }
}
