package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * HSTS (RFC 6797) on TLS: behind a TLS-terminating proxy that the operator has declared trusted
 * ({@code server.forward-headers-strategy=native}, the proxy's address in {@code server.tomcat.remoteip.internal-proxies}),
 * a request the proxy marks {@code X-Forwarded-Proto: https} is secure, and every page then carries
 * {@code Strict-Transport-Security}; a plain-HTTP request does not (RFC 6797 §7.2: not over insecure transport).
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.demo=false",
            "server.forward-headers-strategy=native",
            "server.tomcat.remoteip.internal-proxies=127\\.0\\.0\\.1"
        })
class TlsHeadersTests {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        String data = Files.createTempDirectory("gatehouse-tls-").toString();
        registry.add("gatehouse.server.data-dir", () -> data);
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void pagesWhenProxySaysHttpsThenHstsAndWhenPlainHttpThenNone() throws Exception {
        for (String path : java.util.List.of("/login", "/.well-known/openid-configuration")) {
            HttpResponse<String> secure = get(path, true);
            assertThat(secure.statusCode()).isEqualTo(200);
            assertThat(secure.headers().firstValue("Strict-Transport-Security"))
                    .hasValueSatisfying(v -> assertThat(v).contains("max-age=").contains("includeSubDomains"));
            assertThat(get(path, false).headers().firstValue("Strict-Transport-Security"))
                    .isEmpty();
        }
    }

    /**
     * The session cookie: {@code HttpOnly} and {@code SameSite=Lax} always, {@code Secure} whenever the request is
     * secure, which behind a trusted TLS-terminating proxy is what {@code X-Forwarded-Proto: https} says.
     */
    @Test
    void sessionCookieWhenProxySaysHttpsThenSecureHttpOnlySameSiteLaxAndWhenPlainHttpThenNotSecure() throws Exception {
        String secure = sessionCookie(get("/login", true));
        assertThat(secure).containsIgnoringCase("; Secure").containsIgnoringCase("; HttpOnly");
        assertThat(secure).containsIgnoringCase("; SameSite=Lax");
        String plain = sessionCookie(get("/login", false));
        assertThat(plain).containsIgnoringCase("; HttpOnly").containsIgnoringCase("; SameSite=Lax");
        assertThat(plain).doesNotContainIgnoringCase("Secure");
    }

    private static String sessionCookie(HttpResponse<String> response) {
        return response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(BrowserSessions.COOKIE + "="))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie: " + response.headers()));
    }

    private HttpResponse<String> get(String path, boolean viaTls) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (viaTls) {
            b.header("X-Forwarded-Proto", "https");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
