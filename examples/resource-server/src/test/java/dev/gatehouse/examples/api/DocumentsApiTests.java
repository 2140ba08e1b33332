package dev.gatehouse.examples.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.jwt.AccessTokenRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example API over real HTTP on a random port, with tokens from a {@link TestIssuer}: RBAC, ABAC (owner in
 * business hours, locked documents) and the deny cases.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DocumentsApiTests {

    private static final TestIssuer ISSUER = new TestIssuer();
    private static final AtomicReference<Instant> NOW = new AtomicReference<>();

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        ISSUER.register(registry);
    }

    @TestConfiguration
    static class FixedClock {
        @Bean
        Clock clock() {
            return new Clock() {
                @Override
                public ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return NOW.get();
                }
            };
        }
    }

    @AfterAll
    static void stop() {
        ISSUER.stop();
    }

    @BeforeEach
    void elevenOClock() {
        NOW.set(Instant.parse("2026-11-25T11:00:00Z"));
    }

    private static String token(String subject, String... roles) {
        return ISSUER.accessToken(AccessTokenRequest.builder(subject, "web-client")
                .audience("documents-api")
                .claim("roles", List.of(roles))
                .build());
    }

    private int call(String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofString("{\"title\":\"New title\"}");
        request.header("Content-Type", "application/json")
                .method(
                        method,
                        method.equals("GET") || method.equals("DELETE") ? HttpRequest.BodyPublishers.noBody() : body);
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void rbacWhenUserReadsThenOkAndWhenNoTokenThenUnauthorized() throws Exception {
        assertThat(call("GET", "/documents/d-1", token("carol", "user"))).isEqualTo(200);
        assertThat(call("GET", "/documents/d-1", null)).isEqualTo(401);
        assertThat(call("GET", "/documents/d-1", token("carol"))).isEqualTo(403);
    }

    @Test
    void abacWhenOwnerEditsInBusinessHoursThenOkAndAtNightForbidden() throws Exception {
        assertThat(call("PUT", "/documents/d-1", token("demo", "user"))).isEqualTo(200);
        assertThat(call("PUT", "/documents/d-2", token("demo", "user"))).isEqualTo(403); // not the owner

        NOW.set(Instant.parse("2026-11-25T22:00:00Z"));
        assertThat(call("PUT", "/documents/d-1", token("demo", "user"))).isEqualTo(403);
        assertThat(call("PUT", "/documents/d-1", token("erin", "editor"))).isEqualTo(200); // editors any time
    }

    @Test
    void abacWhenDocumentLockedThenEvenAdminCannotChangeOrDeleteIt() throws Exception {
        assertThat(call("PUT", "/documents/d-3", token("demo", "admin"))).isEqualTo(403);
        assertThat(call("DELETE", "/documents/d-3", token("root", "admin"))).isEqualTo(403);
        assertThat(call("GET", "/documents/d-3", token("root", "admin"))).isEqualTo(200);
    }

    @Test
    void requestWhenForeignHostThenNoMetadataAndNoHostDerivedUrl() throws Exception {
        // Without gatehouse.resource-server.resource: no RFC 9728 document (Spring Security's default one named
        // http://evil.example as this resource) and no resource_metadata in the challenges.
        String metadata = ForeignHostRequest.get(port, "/.well-known/oauth-protected-resource", null);
        assertThat(metadata).startsWith("HTTP/1.1 401 ").doesNotContain(ForeignHostRequest.HOST);
        assertThat(ForeignHostRequest.get(port, "/.well-known/oauth-protected-resource", token("carol", "user")))
                .startsWith("HTTP/1.1 404 ")
                .doesNotContain(ForeignHostRequest.HOST);
        String challenge = ForeignHostRequest.get(port, "/documents/d-1", null);
        assertThat(challenge)
                .startsWith("HTTP/1.1 401 ")
                .containsIgnoringCase("WWW-Authenticate: Bearer\r\n")
                .doesNotContain(ForeignHostRequest.HOST);
        assertThat(ForeignHostRequest.get(port, "/documents/d-1", "not-a-token"))
                .startsWith("HTTP/1.1 401 ")
                .contains("error=\"invalid_token\"")
                .doesNotContain("resource_metadata", ForeignHostRequest.HOST);
    }

    @Test
    void rbacWhenAdminDeletesThenOkAndEditorForbidden() throws Exception {
        assertThat(call("DELETE", "/documents/d-2", token("erin", "editor"))).isEqualTo(403);
        assertThat(call("DELETE", "/documents/d-2", token("root", "admin"))).isEqualTo(200);
    }
}
