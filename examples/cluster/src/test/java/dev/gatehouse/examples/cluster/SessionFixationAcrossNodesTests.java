package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Session fixation (OWASP ASVS V3.2.1): the session id a browser had before signing in must never become an
 * authenticated session, even when someone who knows it (an attacker who planted it) keeps using it on another node
 * while the sign-in runs. With sessions in a shared table, a request that loaded the session under the old id and
 * saves it after the sign-in changed the id writes the old id back ({@code UPDATE ... SET SESSION_ID = ? WHERE
 * PRIMARY_ID = ?} with its stale copy), which undoes the rotation and leaves the old id authenticated. Each round: the
 * victim signs in on node 1 while the pre-login id is sent to node 2; then the pre-login id must be anonymous.
 */
@ExtendWith(SharedCluster.class)
@Order(14)
class SessionFixationAcrossNodesTests {

    private static final int ROUNDS = 10;
    private static final int CONCURRENT_REQUESTS = 15;
    private static final String COOKIE = "JSESSIONID";

    private static Cluster cluster;
    private static SharedCluster.Demo demo;

    @BeforeAll
    static void cluster(Cluster shared, SharedCluster.Demo credentials) {
        cluster = shared;
        demo = credentials;
    }

    @Test
    void signInWhenPreLoginIdUsedConcurrentlyOnAnotherNodeThenPreLoginIdNeverAuthenticated() throws Exception {
        String username = "fixated-" + System.nanoTime();
        String password = Admin.on(cluster.issuer(), demo).createUser(username);
        List<Integer> authenticatedRounds = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Http victim = new Http(cluster.node(1).url());
            String csrf = Http.csrf(victim.get("/login"));
            String preLogin = victim.cookie(COOKIE).orElseThrow(() -> new AssertionError("no session cookie"));
            CompletableFuture<Void> attacker = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < CONCURRENT_REQUESTS; i++) {
                    new Http(cluster.node(2).url()).get("/login", "Cookie", COOKIE + "=" + preLogin);
                }
            });
            String next = Http.location(
                    victim.postForm("/login", Map.of("username", username, "password", password, "_csrf", csrf)));
            assertThat(next).doesNotContain("error");
            attacker.get(1, TimeUnit.MINUTES);
            assertThat(victim.cookie(COOKIE))
                    .as("the id changed at sign-in")
                    .isPresent()
                    .get()
                    .isNotEqualTo(preLogin);
            int status = new Http(cluster.node(1).url())
                    .get("/mfa/enroll", "Cookie", COOKIE + "=" + preLogin)
                    .statusCode();
            if (status == 200) {
                authenticatedRounds.add(round);
            }
        }
        assertThat(authenticatedRounds)
                .as("rounds (of %d) in which the pre-login session id ended up signed in", ROUNDS)
                .isEmpty();
    }
}
