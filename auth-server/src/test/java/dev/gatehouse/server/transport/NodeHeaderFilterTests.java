package dev.gatehouse.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.gatehouse.server.GatehouseServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The optional {@code X-Gatehouse-Node} header: off by default; when on, on every response of the node, including
 * error pages, protocol errors and Spring Security's refusals.
 */
class NodeHeaderFilterTests {

    private static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void constructorWhenNameCouldInjectHeaderThenRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new NodeHeaderFilter("n1\r\nSet-Cookie: x=y"))
                .withMessageContaining("gatehouse.server.node-name");
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeHeaderFilter(""));
    }

    @Nested
    @SpringBootTest(
            classes = GatehouseServer.class,
            webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {
                "gatehouse.token.issuer=",
                "gatehouse.server.purge-interval=1h",
                "gatehouse.token.rotation-check-interval=1h",
                "gatehouse.dev-mode=true",
                "gatehouse.server.demo=false",
                "gatehouse.server.node-header=true",
                "gatehouse.server.node-name=node-7"
            })
    class WhenOn {

        @DynamicPropertySource
        static void properties(DynamicPropertyRegistry registry) throws IOException {
            String data = Files.createTempDirectory("gatehouse-node-on-").toString();
            registry.add("gatehouse.server.data-dir", () -> data);
        }

        @LocalServerPort
        int port;

        @Test
        void everyResponseWhenEnabledThenNamesTheNode() throws Exception {
            List<HttpResponse<String>> responses = List.of(
                    get(port, "/.well-known/openid-configuration"),
                    get(port, "/oauth2/jwks"),
                    get(port, "/login"),
                    get(port, "/error"),
                    // Spring Security's refusal of an unauthenticated admin call
                    get(port, "/admin/users"),
                    // a protocol error from the token endpoint (no client authentication)
                    post(port, "/oauth2/token", "grant_type=client_credentials"),
                    // the bounded body read's refusal of an oversized form
                    post(port, "/oauth2/token", "a=" + "x".repeat(70 * 1024)));
            assertThat(responses)
                    .extracting(HttpResponse::statusCode)
                    .containsExactly(200, 200, 200, 404, 401, 401, 400);
            assertThat(responses)
                    .allSatisfy(r -> assertThat(r.headers().allValues("X-Gatehouse-Node"))
                            .as("%s %s", r.request().uri(), r.statusCode())
                            .containsExactly("node-7"));
        }
    }

    @Nested
    @SpringBootTest(
            classes = GatehouseServer.class,
            webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {
                "gatehouse.token.issuer=",
                "gatehouse.server.purge-interval=1h",
                "gatehouse.token.rotation-check-interval=1h",
                "gatehouse.dev-mode=true",
                "gatehouse.server.demo=false",
                "gatehouse.server.node-name=node-7"
            })
    class WhenOffByDefault {

        @DynamicPropertySource
        static void properties(DynamicPropertyRegistry registry) throws IOException {
            String data = Files.createTempDirectory("gatehouse-node-off-").toString();
            registry.add("gatehouse.server.data-dir", () -> data);
        }

        @LocalServerPort
        int port;

        @Test
        void everyResponseWhenNotEnabledThenNoNodeHeader() throws Exception {
            for (HttpResponse<String> r : List.of(
                    get(port, "/.well-known/openid-configuration"), get(port, "/error"), get(port, "/admin/users"))) {
                assertThat(r.headers().firstValue("X-Gatehouse-Node")).isEmpty();
            }
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(int port, String path, String form) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
