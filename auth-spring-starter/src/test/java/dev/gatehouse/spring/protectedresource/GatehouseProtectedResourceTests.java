package dev.gatehouse.spring.protectedresource;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.jwt.AccessTokenRequest;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.TokenIssuer;
import dev.gatehouse.spring.support.ForeignHost;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * An app using the starter as an RFC 9728 protected resource whose identifier has a path: the metadata document
 * from configuration (never the {@code Host} header), at the bare and the path-suffixed well-known URL (§3.1), named
 * in the challenges of its 401s and 403s (§5.1), and the RFC 8707 audience rule on its tokens.
 */
@SpringBootTest(classes = GatehouseProtectedResourceTests.App.class)
@AutoConfigureMockMvc
class GatehouseProtectedResourceTests {

    private static final String ISSUER = "https://login.example.test";
    private static final String RESOURCE = "https://api.example.test/documents";
    private static final String METADATA = "https://api.example.test/.well-known/oauth-protected-resource/documents";
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
        registry.add("gatehouse.resource-server.resource", () -> RESOURCE);
        registry.add("gatehouse.resource-server.scopes-supported", () -> "documents.read,documents.write");
        registry.add("gatehouse.resource-server.resource-name", () -> "Documents API");
        registry.add("gatehouse.resource-server.resource-documentation", () -> "https://api.example.test/docs");
    }

    @AfterAll
    static void stop() {
        JWKS.stop(0);
    }

    private static String token(String audience, String... scopes) {
        return TOKENS.accessToken(AccessTokenRequest.builder("alice", "web")
                        .audience(audience)
                        .scope(scopes)
                        .build())
                .value();
    }

    @Test
    void metadataWhenPathSuffixedThenDocumentFromConfigurationWhateverTheHost() throws Exception {
        mvc.perform(get("/.well-known/oauth-protected-resource/documents").header("Host", "attacker.example"))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.resource").value(RESOURCE))
                .andExpect(jsonPath("$.authorization_servers", contains(ISSUER)))
                .andExpect(jsonPath("$.scopes_supported", contains("documents.read", "documents.write")))
                .andExpect(jsonPath("$.bearer_methods_supported", contains("header")))
                .andExpect(jsonPath("$.resource_name").value("Documents API"))
                .andExpect(jsonPath("$.resource_documentation").value("https://api.example.test/docs"))
                .andExpect(
                        jsonPath("$.tls_client_certificate_bound_access_tokens").doesNotExist());
    }

    @Test
    void metadataWhenBareWellKnownThenSameDocumentWithoutAToken() throws Exception {
        mvc.perform(get("/.well-known/oauth-protected-resource"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.resource").value(RESOURCE));
    }

    @Test
    void metadataWhenAnotherPathUnderWellKnownThenNotTheDocument() throws Exception {
        String reader = "Bearer " + token(RESOURCE, "documents.read");
        for (String path : new String[] {
            "/.well-known/oauth-protected-resource/other",
            "/.well-known/oauth-protected-resource/documents/7",
            "/.well-known/oauth-protected-resource/documents/"
        }) {
            // RFC 9728 §3.1: only this resource's own well-known path (and the bare one) is its document.
            mvc.perform(get(path).header("Host", ForeignHost.HOST).header("Authorization", reader))
                    .andExpect(status().isNotFound())
                    .andExpect(jsonPath("$.resource").doesNotExist())
                    .andExpect(ForeignHost.notEchoed());
            mvc.perform(get(path).header("Host", ForeignHost.HOST))
                    .andExpect(status().isUnauthorized())
                    .andExpect(header().string("WWW-Authenticate", "Bearer resource_metadata=\"" + METADATA + "\""))
                    .andExpect(ForeignHost.notEchoed());
        }
    }

    @Test
    void requestWhenForeignHostThenNoHostDerivedUrlAnywhere() throws Exception {
        for (String path : new String[] {
            "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/documents", "/documents/7"
        }) {
            mvc.perform(get(path).header("Host", ForeignHost.HOST)).andExpect(ForeignHost.notEchoed());
            mvc.perform(get(path).header("Host", ForeignHost.HOST).header("Authorization", "Bearer not-a-token"))
                    .andExpect(ForeignHost.notEchoed());
        }
        mvc.perform(get("/documents/7")
                        .header("Host", ForeignHost.HOST)
                        .header("Authorization", "Bearer " + token(RESOURCE, "documents.write")))
                .andExpect(status().isForbidden())
                .andExpect(ForeignHost.notEchoed());
    }

    @Test
    void requestWhenNoTokenThenUnauthorizedNamingTheMetadata() throws Exception {
        mvc.perform(get("/documents/7").header("Host", "attacker.example"))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("WWW-Authenticate", "Bearer resource_metadata=\"" + METADATA + "\""));
    }

    @Test
    void requestWhenTokenInvalidThenUnauthorizedInvalidTokenNamingTheMetadata() throws Exception {
        mvc.perform(get("/documents/7").header("Authorization", "Bearer not-a-token"))
                .andExpect(status().isUnauthorized())
                .andExpect(header().string("WWW-Authenticate", containsString("error=\"invalid_token\"")))
                .andExpect(
                        header().string("WWW-Authenticate", containsString("resource_metadata=\"" + METADATA + "\"")));
    }

    @Test
    void requestWhenScopeMissingThenForbiddenInsufficientScopeNamingTheMetadata() throws Exception {
        mvc.perform(get("/documents/7").header("Authorization", "Bearer " + token(RESOURCE, "documents.write")))
                .andExpect(status().isForbidden())
                .andExpect(header().string("WWW-Authenticate", containsString("error=\"insufficient_scope\"")))
                .andExpect(
                        header().string("WWW-Authenticate", containsString("resource_metadata=\"" + METADATA + "\"")));
    }

    @Test
    void requestWhenAudienceIsTheResourceThenPermittedAndWhenAnotherThenUnauthorized() throws Exception {
        mvc.perform(get("/documents/7").header("Authorization", "Bearer " + token(RESOURCE, "documents.read")))
                .andExpect(status().isOk());
        // The client id, another API, or the resource's origin without its path: not tokens for this resource.
        for (String other : new String[] {"web", "https://billing.example.test", "https://api.example.test"}) {
            mvc.perform(get("/documents/7").header("Authorization", "Bearer " + token(other, "documents.read")))
                    .andExpect(status().isUnauthorized())
                    .andExpect(header().string("WWW-Authenticate", containsString("error=\"invalid_token\"")));
        }
    }

    @SpringBootApplication
    @EnableMethodSecurity
    static class App {

        @Bean
        SecurityFilterChain api(HttpSecurity http) {
            http.authorizeHttpRequests(a -> a.anyRequest().authenticated())
                    .oauth2ResourceServer(o -> o.jwt(Customizer.withDefaults()));
            return http.build();
        }

        @RestController
        static class Documents {

            @GetMapping("/documents/{id}")
            @PreAuthorize("hasAuthority('SCOPE_documents.read')")
            String document(@PathVariable String id) {
                return "document " + id;
            }
        }
    }
}
