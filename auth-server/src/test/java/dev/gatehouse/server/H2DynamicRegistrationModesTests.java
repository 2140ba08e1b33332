package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.AbstractAdminApiTests.RecordingAuditLog;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
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
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Dynamic client registration off (the default) and in open mode, on H2: off, both URIs answer 404 and discovery does
 * not name the endpoint; open, anyone registers without a token, but only as often as the per-address limit allows,
 * and only up to the global cap of dynamically registered clients; CORS for browser-based clients only when origins
 * are configured.
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
                "gatehouse.server.rate-limit.registration-per-address=4/1h",
                "gatehouse.server.registration.max-clients-per-address=3"
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
        void registrationWhenOpenThenNoTokenNeededUntilTheAddressQuotaThenTheRateLimit() throws Exception {
            String base = "http://localhost:" + port;
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = send("POST", base + "/oauth2/register", CLIENT);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                assertThat(r.body()).contains("registration_access_token");
            }
            // Review 4 finding 2: the fourth live client from one address is refused, and nothing is stored.
            HttpResponse<String> quota = send("POST", base + "/oauth2/register", CLIENT);
            assertThat(quota.statusCode()).isEqualTo(400);
            assertThat(quota.body())
                    .contains("\"error\":\"invalid_client_metadata\"")
                    .contains("this address");
            HttpResponse<String> limited = send("POST", base + "/oauth2/register", CLIENT);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        }

        @Test
        void preflightWhenNoCorsOriginConfiguredThenNoCorsHeaders() throws Exception {
            HttpResponse<String> r =
                    preflight("http://localhost:" + port + "/oauth2/register", "https://mcp.example", "POST");
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    static HttpResponse<String> preflight(String url, String origin, String method) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", origin)
                        .header("Access-Control-Request-Method", method)
                        .header("Access-Control-Request-Headers", "authorization,content-type")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
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
                "gatehouse.server.registration.max-clients=2",
                "gatehouse.server.registration.cors-allowed-origins=https://mcp.example",
                "gatehouse.server.rate-limit.registration-per-address=100/1h"
            })
    @Import(AbstractAdminApiTests.RecordingAuditConfiguration.class)
    class OpenCappedWithCors {

        static final Path DATA = dataDir("gatehouse-dcr-capped-");

        @DynamicPropertySource
        static void properties(DynamicPropertyRegistry registry) {
            registry.add("gatehouse.server.data-dir", DATA::toString);
        }

        @LocalServerPort
        int port;

        @Autowired
        JdbcTemplate jdbc;

        @Autowired
        RecordingAuditLog audit;

        @Test
        void registerWhenCapReachedThenInvalidClientMetadataNothingStoredAndAuditedUntilOneIsDeleted()
                throws Exception {
            String base = "http://localhost:" + port;
            List<String> created = new java.util.ArrayList<>();
            while (dynamicClients() < 2) {
                HttpResponse<String> r = send("POST", base + "/oauth2/register", CLIENT);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                created.add(r.body());
            }
            long clients = clientCount();
            HttpResponse<String> full = send("POST", base + "/oauth2/register", CLIENT);
            assertThat(full.statusCode()).isEqualTo(400);
            assertThat(full.body())
                    .contains("\"error\":\"invalid_client_metadata\"")
                    .contains("no more");
            assertThat(clientCount()).as("nothing stored").isEqualTo(clients);
            assertThat(audit.events)
                    .anyMatch(e -> e.type().equals(AuditEvents.CLIENT_REGISTER)
                            && e.outcome().equals(AuditEvent.DENIED)
                            && "client_limit_reached".equals(e.details().get("reason")));

            // RFC 7592 §2.3: a client deleting itself makes room again.
            String body = created.isEmpty() ? null : created.get(0);
            if (body != null) {
                String uri = field(body, "registration_client_uri");
                String token = field(body, "registration_access_token");
                HttpResponse<String> deleted = HTTP.send(
                        HttpRequest.newBuilder(URI.create(uri))
                                .DELETE()
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(deleted.statusCode()).isEqualTo(204);
                assertThat(send("POST", base + "/oauth2/register", CLIENT).statusCode())
                        .isEqualTo(201);
            }
        }

        @Test
        void preflightWhenOriginAllowedThenAnsweredWithoutCredentialsAndOtherOriginsRefused() throws Exception {
            String base = "http://localhost:" + port;
            HttpResponse<String> register = preflight(base + "/oauth2/register", "https://mcp.example", "POST");
            assertThat(register.statusCode()).isEqualTo(200);
            assertThat(register.headers().firstValue("Access-Control-Allow-Origin"))
                    .contains("https://mcp.example");
            assertThat(register.headers()
                            .firstValue("Access-Control-Allow-Methods")
                            .orElse(""))
                    .contains("POST");
            assertThat(register.headers()
                            .firstValue("Access-Control-Allow-Headers")
                            .orElse("")
                            .toLowerCase())
                    .contains("authorization")
                    .contains("content-type");
            assertThat(register.headers().firstValue("Access-Control-Allow-Credentials"))
                    .isEmpty();

            HttpResponse<String> manage =
                    preflight(base + "/oauth2/register/some-client", "https://mcp.example", "PUT");
            assertThat(manage.statusCode()).isEqualTo(200);
            assertThat(manage.headers()
                            .firstValue("Access-Control-Allow-Methods")
                            .orElse(""))
                    .contains("PUT")
                    .contains("DELETE");

            HttpResponse<String> other = preflight(base + "/oauth2/register", "https://evil.example", "POST");
            assertThat(other.statusCode()).isEqualTo(403);
            assertThat(other.headers().firstValue("Access-Control-Allow-Origin"))
                    .isEmpty();

            HttpResponse<String> actual = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + "/oauth2/register"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"redirect_uris\":[\"javascript:x\"]}"))
                            .header("Content-Type", "application/json")
                            .header("Origin", "https://mcp.example")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(actual.headers().firstValue("Access-Control-Allow-Origin"))
                    .contains("https://mcp.example");
            assertThat(actual.headers().firstValue("Access-Control-Allow-Credentials"))
                    .isEmpty();
        }

        private int dynamicClients() {
            Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM gh_registration_access_token", Integer.class);
            return n == null ? 0 : n;
        }

        private long clientCount() {
            Long n = jdbc.queryForObject("SELECT COUNT(*) FROM oauth2_registered_client", Long.class);
            return n == null ? 0 : n;
        }

        private static String field(String json, String name) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"")
                    .matcher(json);
            assertThat(m.find()).as(name).isTrue();
            return m.group(1);
        }
    }
}
