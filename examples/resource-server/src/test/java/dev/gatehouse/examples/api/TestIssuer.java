package dev.gatehouse.examples.api;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.jwt.AccessTokenRequest;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.TokenIssuer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A Gatehouse issuer for the example's tests: tokens minted in-process, its JWKS served on loopback so the API
 * fetches keys over real HTTP as it would from auth-server.
 */
final class TestIssuer {

    static final String ISSUER = "http://localhost:9999";

    private final KeyRing ring = KeyRing.builder().build();
    private final TokenIssuer tokens = TokenIssuer.builder(ring, ISSUER).build();
    private final HttpServer jwks;

    TestIssuer() {
        try {
            jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        jwks.createContext("/jwks", exchange -> {
            byte[] body = ring.jwksJson().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        jwks.start();
    }

    /** Points the API at this issuer and its JWKS. */
    void register(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.resource-server.issuer-uri", () -> ISSUER);
        registry.add(
                "gatehouse.resource-server.jwk-set-uri",
                () -> "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks");
        registry.add("gatehouse.policy.rbac-file", () -> "policy/documents-rbac.yaml");
        registry.add("gatehouse.policy.abac-files", () -> "policy/documents-abac.yaml");
    }

    String accessToken(AccessTokenRequest request) {
        return tokens.accessToken(request).value();
    }

    void stop() {
        jwks.stop(0);
    }
}
