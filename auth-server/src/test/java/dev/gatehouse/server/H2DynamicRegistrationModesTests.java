package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Dynamic client registration off (the default) and in open mode, on H2: off, both URIs answer 404 and discovery does
 * not name the endpoint; open, anyone registers without a token, but only as often as the per-address limit allows.
 */
class H2DynamicRegistrationModesTests {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    static Path dataDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HttpResponse<String> send(String method, String url, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "application/json")
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static final String CLIENT = "{\"redirect_uris\":[\"http://127.0.0.1:5555/cb\"],"
            + "\"token_endpoint_auth_method\":\"none\",\"client_name\":\"MCP\"}";

    @Nested
    @SpringBootTest(
            classes = GatehouseServer.class,
            webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"gatehouse.token.issuer=", "gatehouse.dev-mode=true"})
    class Off {

        static final Path DATA = dataDir("gatehouse-dcr-off-");

        @DynamicPropertySource
        static void properties(DynamicPropertyRegistry registry) {
            registry.add("gatehouse.server.data-dir", DATA::toString);
        }

        @LocalServerPort
        int port;

        @Test
        void registrationWhenOffByDefaultThenNotFoundAndNotAdvertised() throws Exception {
            String base = "http://localhost:" + port;
            assertThat(send("POST", base + "/oauth2/register", CLIENT).statusCode())
                    .isEqualTo(404);
            assertThat(send("GET", base + "/oauth2/register/some-client", null).statusCode())
                    .isEqualTo(404);
            assertThat(send("DELETE", base + "/oauth2/register/some-client", null)
                            .statusCode())
                    .isEqualTo(404);
            for (String doc : List.of("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration")) {
                HttpResponse<String> r = send("GET", base + doc, null);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).doesNotContain("registration_endpoint");
            }
        }
    }

    @Nested
    @SpringBootTest(
            classes = GatehouseServer.class,
            webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {
                "gatehouse.token.issuer=",
                "gatehouse.dev-mode=true",
                "gatehouse.server.registration.enabled=true",
                "gatehouse.server.registration.mode=open",
                "gatehouse.server.rate-limit.registration-per-address=3/1h"
            })
    class Open {

        static final Path DATA = dataDir("gatehouse-dcr-open-");

        @DynamicPropertySource
        static void properties(DynamicPropertyRegistry registry) {
            registry.add("gatehouse.server.data-dir", DATA::toString);
        }

        @LocalServerPort
        int port;

        @Test
        void registrationWhenOpenThenNoTokenNeededUntilTheAddressLimit() throws Exception {
            String base = "http://localhost:" + port;
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = send("POST", base + "/oauth2/register", CLIENT);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                assertThat(r.body()).contains("registration_access_token");
            }
            HttpResponse<String> limited = send("POST", base + "/oauth2/register", CLIENT);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        }
    }
}
