package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.catalina.Context;
import org.apache.catalina.Manager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The cap on anonymous sessions (issue #13 item 5, and its review): every anonymous {@code GET /login} holds a session
 * (the form's CSRF token), so a hard cap on all sessions let anyone lock every new visitor out with a few thousand
 * requests. Anonymous sessions have a cap of their own, below the node's, and the oldest is dropped for a new one;
 * signed-in sessions are never dropped for them. Tiny caps here, so the bound shows with a handful of requests.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.demo=true",
            "gatehouse.server.transport.max-anonymous-sessions=" + AnonymousSessionCapTests.ANONYMOUS_CAP,
            "gatehouse.server.transport.max-sessions=6"
        })
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
class AnonymousSessionCapTests {

    static final int ANONYMOUS_CAP = 3;
    private static final Path DATA = DemoData.newDataDir("gatehouse-session-cap-");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    WebServerApplicationContext context;

    private String base;
    private String demoPassword;

    @BeforeEach
    void setUp() {
        base = "http://localhost:" + port;
        demoPassword = DemoData.demoPassword(DATA);
    }

    @Test
    void anonymousSessionsWhenMoreThanTheCapThenOldestDroppedNewVisitorsServedAndSignedInKept() throws Exception {
        HttpBrowser signedIn = new HttpBrowser(base);
        HttpResponse<String> login = signedIn.login("demo", demoPassword);
        assertThat(login.statusCode()).isEqualTo(302);
        String signedInSession = sessionId(login);

        // Three times the anonymous cap and more than the node's cap: each visitor still gets the sign-in form.
        List<String> anonymous = new ArrayList<>();
        for (int i = 0; i < 3 * ANONYMOUS_CAP; i++) {
            HttpResponse<String> page = new HttpBrowser(base).get("/login");
            assertThat(page.statusCode()).as("visitor %d", i).isEqualTo(200);
            anonymous.add(sessionId(page));
            assertThat(sessionManager().getActiveSessions())
                    .as("sessions after visitor %d", i)
                    .isLessThanOrEqualTo(ANONYMOUS_CAP + 1);
        }
        // The newest anonymous sessions are there, the oldest were dropped for them.
        Manager sessions = sessionManager();
        for (String id : anonymous.subList(anonymous.size() - ANONYMOUS_CAP, anonymous.size())) {
            assertThat(sessions.findSession(id)).as("newest").isNotNull();
        }
        for (String id : anonymous.subList(0, anonymous.size() - ANONYMOUS_CAP)) {
            assertThat(sessions.findSession(id)).as("oldest").isNull();
        }
        // The signed-in user was never dropped: still signed in.
        assertThat(sessions.findSession(signedInSession)).isNotNull();
        HttpResponse<String> home = signedIn.get("/");
        assertThat(home.statusCode()).isEqualTo(200);
    }

    private static String sessionId(HttpResponse<String> response) {
        return response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("JSESSIONID="))
                .map(c -> c.substring("JSESSIONID=".length(), c.indexOf(';')))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie: " + response.headers()));
    }

    private Manager sessionManager() {
        TomcatWebServer tomcat = (TomcatWebServer) context.getWebServer();
        return ((Context) tomcat.getTomcat().getHost().findChildren()[0]).getManager();
    }
}
