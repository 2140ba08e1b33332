package dev.gatehouse.examples.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.jwt.AccessTokenRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example's {@code mcp} profile over real HTTP: the MCP server at {@code /mcp} (Streamable HTTP, MCP 2025-06-18)
 * takes only tokens whose {@code aud} is its URL (the resource identifier, RFC 8707) and that carry its scope, and
 * names its RFC 9728 document when it refuses one. The port is chosen before start so the resource identifier, and
 * with it the {@code Host} the MCP transport accepts, is the one the requests use.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@ActiveProfiles("mcp")
class McpServerTests {

    private static final int PORT = freePort();
    private static final String RESOURCE = "http://localhost:" + PORT + "/mcp";
    private static final String METADATA = "http://localhost:" + PORT + "/.well-known/oauth-protected-resource/mcp";
    private static final TestIssuer ISSUER = new TestIssuer();
    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
            "capabilities":{},"clientInfo":{"name":"tests","version":"1"}}}""";

    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        ISSUER.register(registry);
        registry.add("server.port", () -> PORT);
        registry.add("gatehouse.resource-server.resource", () -> RESOURCE);
    }

    @AfterAll
    static void stop() {
        ISSUER.stop();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String token(String audience, String... scopes) {
        return ISSUER.accessToken(AccessTokenRequest.builder("carol", "mcp-client")
                .audience(audience)
                .scope(scopes)
                .build());
    }

    private HttpResponse<String> post(String body, @Nullable String token, @Nullable String session) throws Exception {
        return post(URI.create(RESOURCE), body, token, session);
    }

    private HttpResponse<String> post(URI uri, String body, @Nullable String token, @Nullable String session)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return http.send(
                request.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metadataWhenRequestedThenTheMcpServerUrlIsTheResource() throws Exception {
        HttpResponse<String> response =
                http.send(HttpRequest.newBuilder(URI.create(METADATA)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("\"resource\":\"" + RESOURCE + "\"", "\"scopes_supported\":[\"mcp.tools\"]");
    }

    @Test
    void initializeWhenNoTokenThenUnauthorizedNamingTheMetadata() throws Exception {
        HttpResponse<String> response = post(INITIALIZE, null, null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer resource_metadata=\"" + METADATA + "\"");
    }

    @Test
    void toolsCallWhenTokenForTheMcpServerWithScopeThenToolAnswersForTheSubject() throws Exception {
        String token = token(RESOURCE, McpServerConfiguration.SCOPE);
        HttpResponse<String> initialized = post(INITIALIZE, token, null);
        assertThat(initialized.statusCode()).isEqualTo(200);
        assertThat(initialized.body()).contains("gatehouse-example-documents");
        String session = initialized.headers().firstValue("Mcp-Session-Id").orElseThrow();

        assertThat(post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", token, session)
                        .statusCode())
                .isEqualTo(202);
        HttpResponse<String> called = post(
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"read_document\",\"arguments\":{\"id\":\"d-1\"}}}",
                token,
                session);
        assertThat(called.statusCode()).isEqualTo(200);
        assertThat(called.body()).contains("Quarterly plan (read for carol)");
    }

    @Test
    void initializeWhenTokenForAnotherAudienceThenUnauthorized() throws Exception {
        for (String other : new String[] {"http://localhost:" + PORT, "http://localhost:8082", "mcp-client"}) {
            HttpResponse<String> response = post(INITIALIZE, token(other, McpServerConfiguration.SCOPE), null);
            assertThat(response.statusCode()).as(other).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(c -> assertThat(c)
                            .contains("error=\"invalid_token\"", "resource_metadata=\"" + METADATA + "\""));
        }
    }

    @Test
    void initializeWhenTokenWithoutTheScopeThenInsufficientScope() throws Exception {
        HttpResponse<String> response = post(INITIALIZE, token(RESOURCE, "api.read"), null);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(c -> assertThat(c)
                        .contains("error=\"insufficient_scope\"", "resource_metadata=\"" + METADATA + "\""));
    }

    @Test
    void initializeWhenHostIsNotTheResourceHostThenRefused() throws Exception {
        // MCP transports, security warning: the Host is checked against the configured URL (DNS rebinding).
        HttpResponse<String> response = post(
                URI.create("http://127.0.0.1:" + PORT + "/mcp"),
                INITIALIZE,
                token(RESOURCE, McpServerConfiguration.SCOPE),
                null);

        assertThat(response.statusCode()).isEqualTo(421); // Misdirected Request (RFC 9110 §15.5.20)
        assertThat(response.headers().firstValue("Mcp-Session-Id")).isEmpty();
    }
}
