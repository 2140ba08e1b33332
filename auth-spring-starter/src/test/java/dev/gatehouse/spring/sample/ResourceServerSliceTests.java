package dev.gatehouse.spring.sample;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.jwt.AccessTokenRequest;
import dev.gatehouse.core.jwt.IdTokenRequest;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.TokenIssuer;
import dev.gatehouse.spring.support.ForeignHost;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A small app using the starter as a resource server: tokens minted by a Gatehouse issuer, keys fetched from
 * its JWKS over real HTTP, method security deciding by the roles and scopes the converter maps.
 */
@SpringBootTest(classes = ResourceServerSliceTests.App.class)
@AutoConfigureMockMvc
class ResourceServerSliceTests {

    private static final String ISSUER = "https://login.example.test";
    private static final KeyRing RING =
            KeyRing.builder().algorithm(JwsAlgorithm.ES256).build();
    private static final TokenIssuer TOKENS = TokenIssuer.builder(RING, ISSUER).build();
    private static final HttpServer JWKS = startJwks();

    @Autowired
    MockMvc mvc;

    private static HttpServer startJwks() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/jwks", exchange -> {
                byte[] body = RING.jwksJson().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.resource-server.issuer-uri", () -> ISSUER);
        registry.add(
                "gatehouse.resource-server.jwk-set-uri",
                () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/jwks");
        registry.add("gatehouse.resource-server.audiences", () -> "documents-api");
        registry.add("gatehouse.policy.rbac-file", () -> "src/test/resources/policy/rbac.yaml");
    }

    @AfterAll
    static void stop() {
        JWKS.stop(0);
    }

    private static String token(String audience, List<String> roles, String... scopes) {
        return TOKENS.accessToken(AccessTokenRequest.builder("alice", "web")
                        .audience(audience)
                        .scope(scopes)
                        .claim("roles", roles)
                        .build())
                .value();
    }

    @Test
    void requestWhenEditorRoleThenPermitted() throws Exception {
        mvc.perform(get("/documents/7").header("Authorization", "Bearer " + token("documents-api", List.of("editor"))))
                .andExpect(status().isOk());
    }

    @Test
    void requestWhenAuthenticatedWithoutRoleThenForbidden() throws Exception {
        mvc.perform(get("/documents/7").header("Authorization", "Bearer " + token("documents-api", List.of("viewer"))))
                .andExpect(status().isForbidden());
    }

    @Test
    void requestWhenScopePresentThenScopeAuthorityGranted() throws Exception {
        mvc.perform(get("/reports")
                        .header("Authorization", "Bearer " + token("documents-api", List.of(), "reports:read")))
                .andExpect(status().isOk());
        mvc.perform(get("/reports").header("Authorization", "Bearer " + token("documents-api", List.of(), "other")))
                .andExpect(status().isForbidden());
    }

    @Test
    void requestWhenNoTokenThenUnauthorized() throws Exception {
        mvc.perform(get("/documents/7")).andExpect(status().isUnauthorized());
    }

    @Test
    void requestWhenTokenForOtherAudienceOrWrongTypeOrUnsignedThenUnauthorizedInvalidToken() throws Exception {
        String otherAudience = token("billing-api", List.of("editor"));
        String idToken = TOKENS.idToken(IdTokenRequest.of("alice", "documents-api", null))
                .value();
        String unsigned = "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0."
                + java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(("{\"iss\":\"" + ISSUER
                                        + "\",\"sub\":\"admin\",\"aud\":\"documents-api\",\"roles\":[\"editor\"],"
                                        + "\"exp\":9999999999}")
                                .getBytes(StandardCharsets.UTF_8))
                + ".";

        for (String bad : List.of(otherAudience, idToken, unsigned)) {
            mvc.perform(get("/documents/7").header("Authorization", "Bearer " + bad))
                    .andExpect(status().isUnauthorized())
                    .andExpect(
                            header().string("WWW-Authenticate", org.hamcrest.Matchers.containsString("invalid_token")));
        }
    }

    @Test
    void metadataWhenNoResourceConfiguredThenNoDocumentWhateverTheHost() throws Exception {
        String editor = "Bearer " + token("documents-api", List.of("editor"));
        for (String path :
                List.of("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/documents")) {
            // Spring Security's default described http://evil.example as this resource.
            mvc.perform(get(path).header("Host", ForeignHost.HOST).header("Authorization", editor))
                    .andExpect(status().isNotFound())
                    .andExpect(ForeignHost.notEchoed());
            mvc.perform(get(path).header("Host", ForeignHost.HOST))
                    .andExpect(status().isUnauthorized())
                    .andExpect(header().string("WWW-Authenticate", "Bearer"))
                    .andExpect(ForeignHost.notEchoed());
        }
    }

    @Test
    void challengeWhenNoResourceConfiguredThenNoResourceMetadataWhateverTheHost() throws Exception {
        mvc.perform(get("/documents/7").header("Host", ForeignHost.HOST))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("WWW-Authenticate", "Bearer"))
                .andExpect(ForeignHost.notEchoed());
        mvc.perform(get("/documents/7").header("Host", ForeignHost.HOST).header("Authorization", "Bearer not-a-token"))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string(
                                "WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer error=\"invalid_token\"")))
                .andExpect(header().string(
                                "WWW-Authenticate",
                                org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("resource_metadata"))))
                .andExpect(ForeignHost.notEchoed());
        mvc.perform(get("/reports")
                        .header("Host", ForeignHost.HOST)
                        .header("Authorization", "Bearer " + token("documents-api", List.of(), "other")))
                .andExpect(status().isForbidden())
                .andExpect(header().string(
                                "WWW-Authenticate",
                                org.hamcrest.Matchers.containsString("error=\"insufficient_scope\"")))
                .andExpect(header().string(
                                "WWW-Authenticate",
                                org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("resource_metadata"))))
                .andExpect(ForeignHost.notEchoed());
    }

    @Test
    void policyCheckWhenRbacPermitsThenOkAndWhenItDeniesThenForbidden() throws Exception {
        mvc.perform(put("/documents/7").header("Authorization", "Bearer " + token("documents-api", List.of("editor"))))
                .andExpect(status().isOk());
        mvc.perform(put("/documents/7").header("Authorization", "Bearer " + token("documents-api", List.of("viewer"))))
                .andExpect(status().isForbidden());
        mvc.perform(delete("/documents/7")
                        .header("Authorization", "Bearer " + token("documents-api", List.of("editor"))))
                .andExpect(status().isForbidden());
        mvc.perform(delete("/documents/7")
                        .header("Authorization", "Bearer " + token("documents-api", List.of("admin"))))
                .andExpect(status().isOk());
    }

    @Test
    void httpRuleWhenPolicyPermitsThenOkElseForbidden() throws Exception {
        mvc.perform(get("/admin/reports/q3")
                        .header("Authorization", "Bearer " + token("documents-api", List.of("admin"))))
                .andExpect(status().isOk());
        mvc.perform(get("/admin/reports/q3")
                        .header("Authorization", "Bearer " + token("documents-api", List.of("editor"))))
                .andExpect(status().isForbidden());
        mvc.perform(get("/admin/reports/q3")).andExpect(status().isUnauthorized());
    }

    @SpringBootApplication
    @EnableMethodSecurity
    static class App {

        @org.springframework.context.annotation.Bean
        org.springframework.security.web.SecurityFilterChain api(
                org.springframework.security.config.annotation.web.builders.HttpSecurity http,
                dev.gatehouse.spring.autoconfigure.GatehouseAuthz authz)
                throws Exception {
            http.authorizeHttpRequests(a -> a.requestMatchers("/admin/**")
                            .access(authz.request("report:read"))
                            .anyRequest()
                            .authenticated())
                    .oauth2ResourceServer(o -> o.jwt(org.springframework.security.config.Customizer.withDefaults()));
            return http.build();
        }

        @RestController
        static class Documents {

            @GetMapping("/documents/{id}")
            @PreAuthorize("hasRole('editor')")
            String document(@PathVariable String id) {
                return "document " + id;
            }

            @PutMapping("/documents/{id}")
            @PreAuthorize("@authz.permits('document:write', #id)")
            String update(@PathVariable String id) {
                return "updated " + id;
            }

            @DeleteMapping("/documents/{id}")
            @PreAuthorize("@authz.permits('document:delete', #id)")
            String delete(@PathVariable String id) {
                return "deleted " + id;
            }

            @GetMapping("/admin/reports/{id}")
            String adminReport(@PathVariable String id) {
                return "report " + id;
            }

            @GetMapping("/reports")
            @PreAuthorize("hasAuthority('SCOPE_reports:read')")
            String reports() {
                return "reports";
            }
        }
    }
}
