package dev.gatehouse.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.GatehouseServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@code gatehouse.server.rate-limit.enabled=false}: tiny limits configured, none applied, no filter registered. */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.rate-limit.enabled=false",
            "gatehouse.server.rate-limit.token-per-address=1/1h",
            "gatehouse.server.rate-limit.login-per-address=1/1h"
        })
class RateLimitDisabledTests {

    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-rl-off-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Test
    void requestsWhenDisabledThenNeverLimited() {
        assertThat(context.getBeanNamesForType(RateLimiter.class)).isEmpty();
        for (int i = 0; i < 10; i++) {
            RawHttp.Response r = RawHttp.send(
                    "127.0.0.2",
                    port,
                    "POST",
                    "/oauth2/token",
                    "grant_type=client_credentials",
                    "Authorization",
                    AbstractRateLimitTests.basic("rl-disabled", "wrong-secret"));
            assertThat(r.status()).isEqualTo(401);
            assertThat(RawHttp.send("127.0.0.2", port, "POST", "/login", "username=a&password=b")
                            .status())
                    .isNotEqualTo(429);
        }
    }
}
