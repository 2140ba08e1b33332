package dev.gatehouse.examples.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.jwt.AccessTokenRequest;
import dev.gatehouse.core.jwt.JsonClaims;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example with its {@code protected-resource} profile over real HTTP: the RFC 9728 metadata document, the
 * {@code resource_metadata} its challenges name, and tokens bound to its identifier (RFC 8707), whatever port and
 * {@code Host} the requests use.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("protected-resource")
class ProtectedResourceTests {

    private static final String RESOURCE = "http://localhost:8082";
    private static final String METADATA = RESOURCE + "/.well-known/oauth-protected-resource";
    private static final TestIssuer ISSUER = new TestIssuer();

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        ISSUER.register(registry);
    }

    @AfterAll
    static void stop() {
        ISSUER.stop();
    }

    private HttpResponse<String> get(String path, @Nullable String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token(String audience, String... roles) {
        return ISSUER.accessToken(AccessTokenRequest.builder("carol", "web-client")
                .audience(audience)
                .claim("roles", List.of(roles))
                .build());
    }

    @Test
    void metadataWhenRequestedWithoutTokenThenDocumentFromTheProfile() throws Exception {
        HttpResponse<String> response = get("/.well-known/oauth-protected-resource", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        Map<String, Object> document = JsonClaims.parse(response.body());
        assertThat(document)
                .containsEntry("resource", RESOURCE) // the configured identifier, not 127.0.0.1 and the random port
                .containsEntry("authorization_servers", List.of(TestIssuer.ISSUER))
                .containsEntry("scopes_supported", List.of("api.read"))
                .containsEntry("bearer_methods_supported", List.of("header"))
                .containsEntry("resource_name", "Gatehouse example documents API");
    }

    @Test
    void requestWhenForeignHostThenOnlyConfiguredUrls() throws Exception {
        String document = ForeignHostRequest.get(port, "/.well-known/oauth-protected-resource", null);
        assertThat(document)
                .startsWith("HTTP/1.1 200 ")
                .contains("\"resource\":\"" + RESOURCE + "\"")
                .doesNotContain(ForeignHostRequest.HOST);
        assertThat(ForeignHostRequest.get(port, "/documents/d-1", null))
                .startsWith("HTTP/1.1 401 ")
                .contains("resource_metadata=\"" + METADATA + "\"")
                .doesNotContain(ForeignHostRequest.HOST);
        // RFC 9728 §3.1: another path under the well-known prefix is not this resource's document.
        assertThat(ForeignHostRequest.get(port, "/.well-known/oauth-protected-resource/other", token(RESOURCE, "user")))
                .startsWith("HTTP/1.1 404 ")
                .doesNotContain("\"resource\"", ForeignHostRequest.HOST);
    }

    @Test
    void requestWhenNoTokenThenUnauthorizedNamingTheMetadata() throws Exception {
        HttpResponse<String> response = get("/documents/d-1", null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer resource_metadata=\"" + METADATA + "\"");
    }

    @Test
    void requestWhenTokenForTheResourceThenPolicyDecidesElseUnauthorized() throws Exception {
        assertThat(get("/documents/d-1", token(RESOURCE, "user")).statusCode()).isEqualTo(200);

        HttpResponse<String> noRole = get("/documents/d-1", token(RESOURCE));
        assertThat(noRole.statusCode()).isEqualTo(403);
        assertThat(noRole.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(c -> assertThat(c)
                        .contains("error=\"insufficient_scope\"", "resource_metadata=\"" + METADATA + "\""));

        // The default profile's audiences (the client id, documents-api) are not this resource's tokens.
        for (String other : List.of("gatehouse-demo-service", "documents-api")) {
            HttpResponse<String> refused = get("/documents/d-1", token(other, "user"));
            assertThat(refused.statusCode()).as(other).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(c -> assertThat(c)
                            .contains("error=\"invalid_token\"", "resource_metadata=\"" + METADATA + "\""));
        }
    }
}
