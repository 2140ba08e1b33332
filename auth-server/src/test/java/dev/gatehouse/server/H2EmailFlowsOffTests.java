package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With no {@code gatehouse.server.mail.*} set, the e-mail flows do not exist and the sign-in page offers none. */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true"
        })
class H2EmailFlowsOffTests {

    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-mail-off-");
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

    @Test
    void flowsWhenNotSwitchedOnThenNotFoundAndNotLinkedAndNothingMailed() throws IOException {
        HttpBrowser browser = new HttpBrowser("http://localhost:" + port);
        HttpResponse<String> login = browser.get("/login");
        assertThat(login.body()).doesNotContain("/password/forgot").doesNotContain("href=\"/register\"");
        // Nobody has an address to sign in with: the label names the username only.
        assertThat(login.body()).doesNotContain("Username or e-mail");
        for (String path : List.of(
                "/register",
                "/register/verify?token=x",
                "/password/forgot",
                "/password/reset?token=x",
                "/email/confirm?token=x")) {
            assertThat(browser.get(path).statusCode()).as(path).isEqualTo(404);
        }
        HttpResponse<String> posted = browser.postForm(
                "/password/forgot", Map.of("email", "ada@example.com", "_csrf", MfaSignInFlow.csrf(login)));
        assertThat(posted.statusCode()).isEqualTo(404);
        assertThat(DATA.resolve("outbox")).doesNotExist();
    }
}
