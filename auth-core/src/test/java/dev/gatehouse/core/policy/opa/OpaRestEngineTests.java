package dev.gatehouse.core.policy.opa;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.Evaluation;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.PolicyTestSupport;
import dev.gatehouse.core.policy.Resource;
import dev.gatehouse.core.policy.Subject;
import dev.gatehouse.core.testsupport.Opa;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OPA over REST: the real server for answers, stand-in servers for failures. Every failure must deny. */
class OpaRestEngineTests {

    private static final AccessRequest ALICE = PolicyTestSupport.request("alice", "admin", "read", "document");

    private HttpServer fake;

    @AfterEach
    void stop() {
        if (fake != null) {
            fake.stop(0);
        }
    }

    private URI fake(int status, String body, long delayMillis, AtomicReference<String> authorization)
            throws IOException {
        fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/", exchange -> {
            if (authorization != null) {
                authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            }
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, b.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(b);
            }
        });
        fake.start();
        return URI.create("http://127.0.0.1:" + fake.getAddress().getPort());
    }

    private static Decision decide(URI url, String document, Duration timeout) {
        try (OpaRestEngine e = OpaRestEngine.builder()
                .url(url)
                .document(document)
                .timeout(timeout)
                .build()) {
            return PolicyDecisionPoint.of(e).decide(ALICE);
        }
    }

    @Test
    void decideWhenDecisionObjectThenReasonFromOpa() {
        Decision d = decide(Opa.server(), "gatehouse/authz/decision", Duration.ofSeconds(5));

        assertThat(d.permitted()).isTrue();
        assertThat(d.reason()).isEqualTo("a role grants the permission");
        assertThat(d.rule()).isEqualTo("gatehouse/authz/decision");
    }

    @Test
    void decideWhenDocumentUndefinedThenDeny() {
        Decision d = decide(Opa.server(), "gatehouse/authz/no_such_rule", Duration.ofSeconds(5));

        assertThat(d.permitted()).isFalse();
        assertThat(((Decision.Deny) d).cause()).isEqualTo(Evaluation.Effect.INDETERMINATE);
        assertThat(d.reason()).contains("is undefined");
    }

    @Test
    void decideWhenDocumentIsNotADecisionThenDeny() {
        Decision d = decide(Opa.server(), "gatehouse/grants", Duration.ofSeconds(5));

        assertThat(d.permitted()).isFalse();
        assertThat(d.reason()).contains("neither a boolean nor an object");
    }

    @Test
    void healthyWhenRealOpaThenTrueAndWhenDownThenFalse() {
        try (OpaRestEngine up = OpaRestEngine.builder().url(Opa.server()).build();
                OpaRestEngine down = OpaRestEngine.builder()
                        .url(URI.create("http://127.0.0.1:" + Opa.freePort()))
                        .build()) {
            assertThat(up.healthy()).isTrue();
            assertThat(down.healthy()).isFalse();
        }
    }

    @Test
    void decideWhenOpaDownThenDenyWithReason() {
        Decision d = decide(URI.create("http://127.0.0.1:" + Opa.freePort()), "authz/allow", Duration.ofSeconds(2));

        assertThat(d.permitted()).isFalse();
        assertThat(d.reason()).contains("OPA unreachable");
    }

    @Test
    void decideWhenOpaSlowThenDenyAtDeadline() throws IOException {
        URI url = fake(200, "{\"result\": true}", 2_000, null);

        Decision d = decide(url, "authz/allow", Duration.ofMillis(200));

        // A deny, for the 200 ms limit: the engine's deadline or the HTTP request timeout (set from the same
        // value), whichever fires first on a busy machine; never the late "true".
        assertThat(d.permitted()).isFalse();
        assertThat(d.reason()).containsAnyOf("did not answer within 200 ms", "HttpTimeoutException");
    }

    @Test
    void decideWhenOpaReturnsGarbageThenDeny() throws IOException {
        URI url = fake(200, "<html>not json", 0, null);

        Decision d = decide(url, "authz/allow", Duration.ofSeconds(2));

        assertThat(d.permitted()).isFalse();
        assertThat(d.reason()).startsWith("indeterminate: OPA query failed");
    }

    @Test
    void decideWhenOpaReturnsErrorStatusThenDeny() throws IOException {
        URI url = fake(500, "{\"code\": \"internal_error\"}", 0, null);

        assertThat(decide(url, "authz/allow", Duration.ofSeconds(2)).permitted())
                .isFalse();
    }

    @Test
    void decideWhenResultIsStringThenDeny() throws IOException {
        URI url = fake(200, "{\"result\": \"yes\"}", 0, null);

        Decision d = decide(url, "authz/allow", Duration.ofSeconds(2));

        assertThat(d.permitted()).isFalse();
        assertThat(d.reason()).contains("neither a boolean");
    }

    @Test
    void decideWhenBearerTokenSetThenSentAndNeverInReasons() throws IOException {
        AtomicReference<String> seen = new AtomicReference<>();
        URI url = fake(401, "{\"code\": \"unauthorized\"}", 0, seen);
        try (OpaRestEngine e = OpaRestEngine.builder()
                .url(url)
                .bearerToken("s3cr3t-token")
                .timeout(Duration.ofSeconds(2))
                .build()) {
            Decision d = PolicyDecisionPoint.of(e).decide(ALICE);

            assertThat(seen.get()).isEqualTo("Bearer s3cr3t-token");
            assertThat(d.permitted()).isFalse();
            assertThat(d.reason()).doesNotContain("s3cr3t");
            assertThat(e.toString()).doesNotContain("s3cr3t");
        }
    }

    @Test
    void decideWhenRealOpaRequiresTokenThenTokenAuthenticates() {
        var dir = Opa.resources(java.util.List.of("policy/authz.rego", "policy/data.json", "policy/system-authz.rego"));
        URI url = Opa.start(
                java.util.List.of(
                        dir.resolve("authz.rego").toString(),
                        dir.resolve("data.json").toString(),
                        dir.resolve("system-authz.rego").toString()),
                java.util.List.of("--authentication=token", "--authorization=basic"));
        try (OpaRestEngine withToken = OpaRestEngine.builder()
                        .url(url)
                        .document("gatehouse/authz/allow")
                        .bearerToken("test-token-1")
                        .timeout(Duration.ofSeconds(5))
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
                OpaRestEngine without = OpaRestEngine.builder()
                        .url(url)
                        .document("gatehouse/authz/allow")
                        .timeout(Duration.ofSeconds(5))
                        .connectTimeout(Duration.ofSeconds(5))
                        .build()) {
            assertThat(PolicyDecisionPoint.of(withToken).decide(ALICE).permitted())
                    .isTrue();
            Decision refused = PolicyDecisionPoint.of(without).decide(ALICE);
            assertThat(refused.permitted()).isFalse();
            assertThat(refused.reason()).contains("401");
        }
    }

    @Test
    void decideWhenInputHasSecretsThenTheyStayOutOfReasons() {
        AccessRequest r = AccessRequest.builder()
                .subject(new Subject("alice", Set.of("admin"), Map.of("password", "hunter2")))
                .action("read")
                .resource(Resource.of("document", "d"))
                .build();
        try (OpaRestEngine e = OpaRestEngine.builder()
                .url(URI.create("http://127.0.0.1:" + Opa.freePort()))
                .build()) {
            assertThat(PolicyDecisionPoint.of(e).decide(r).reason()).doesNotContain("hunter2");
        }
    }

    @Test
    void decideWhenEngineClosedThenDeny() {
        OpaRestEngine e = OpaRestEngine.builder().url(Opa.server()).build();
        e.close();

        Decision d = PolicyDecisionPoint.of(e).decide(ALICE);

        assertThat(d.permitted()).isFalse();
        assertThat(d.reason()).contains("closed");
    }
}
