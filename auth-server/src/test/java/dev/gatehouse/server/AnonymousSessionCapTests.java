package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.transport.AnonymousSessionCap;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The cap on anonymous sessions (issue #13 item 5, and its review; cluster-wide since issue #14): every anonymous
 * {@code GET /login} holds a session (the form's CSRF token), so a hard cap on all sessions let anyone lock every new
 * visitor out with a few thousand requests. Anonymous sessions have a cap of their own, and the oldest beyond it are
 * dropped ({@link AnonymousSessionCap}, run here after each visitor instead of waiting for its schedule); signed-in
 * sessions are never dropped for them. A tiny cap here, so the bound shows with a handful of requests.
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
    JdbcTemplate jdbc;

    @Autowired
    AnonymousSessionCap cap;

    @Autowired
    JdbcIndexedSessionRepository repository;

    @Autowired
    Environment environment;

    private String base;
    private String demoPassword;

    @BeforeEach
    void setUp() {
        base = "http://localhost:" + port;
        demoPassword = DemoData.demoPassword(DATA);
    }

    /**
     * Expired sessions are deleted by Spring Session's cleanup, scheduled on every node ({@code
     * spring.session.jdbc.cleanup-cron}); run here directly. A second run, as another node's, finds nothing more.
     */
    @Test
    void expiredSessionsWhenCleanupRunsThenDeletedOnceAndVisitorGetsANewSession() {
        assertThat(environment.getProperty("spring.session.jdbc.cleanup-cron")).isEqualTo("0 * * * * *");
        BrowserSessions sessions = new BrowserSessions(jdbc);
        HttpBrowser visitor = new HttpBrowser(base);
        String expired = BrowserSessions.sessionId(visitor.get("/login"));
        String live = BrowserSessions.sessionId(new HttpBrowser(base).get("/login"));
        jdbc.update("UPDATE SPRING_SESSION SET EXPIRY_TIME = 0 WHERE SESSION_ID = ?", expired);

        repository.cleanUpExpiredSessions();
        repository.cleanUpExpiredSessions();

        assertThat(sessions.exists(expired)).isFalse();
        assertThat(sessions.exists(live)).isTrue();
        assertThat(BrowserSessions.sessionId(visitor.get("/login"))).isNotEqualTo(expired);
    }

    @Test
    void anonymousSessionsWhenMoreThanTheCapThenOldestDroppedNewVisitorsServedAndSignedInKept() throws Exception {
        BrowserSessions sessions = new BrowserSessions(jdbc);
        HttpBrowser signedIn = new HttpBrowser(base);
        HttpResponse<String> login = signedIn.login("demo", demoPassword);
        assertThat(login.statusCode()).isEqualTo(302);
        String signedInSession = BrowserSessions.sessionId(login);

        // Three times the anonymous cap and more than max-sessions: each visitor still gets the sign-in form.
        List<String> anonymous = new ArrayList<>();
        List<HttpBrowser> visitors = new ArrayList<>();
        for (int i = 0; i < 3 * ANONYMOUS_CAP; i++) {
            HttpBrowser visitor = new HttpBrowser(base);
            HttpResponse<String> page = visitor.get("/login");
            assertThat(page.statusCode()).as("visitor %d", i).isEqualTo(200);
            anonymous.add(BrowserSessions.sessionId(page));
            visitors.add(visitor);
            cap.enforce();
            assertThat(sessions.anonymous())
                    .as("anonymous sessions after visitor %d", i)
                    .isLessThanOrEqualTo(ANONYMOUS_CAP);
            assertThat(sessions.count()).as("sessions after visitor %d", i).isLessThanOrEqualTo(ANONYMOUS_CAP + 1);
        }
        // The newest anonymous sessions are there, the oldest were dropped for them.
        for (String id : anonymous.subList(anonymous.size() - ANONYMOUS_CAP, anonymous.size())) {
            assertThat(sessions.exists(id)).as("newest").isTrue();
        }
        for (String id : anonymous.subList(0, anonymous.size() - ANONYMOUS_CAP)) {
            assertThat(sessions.exists(id)).as("oldest").isFalse();
        }
        // A dropped visitor's cookie names nothing any more: the form comes with a new session.
        HttpResponse<String> again = visitors.get(0).get("/login");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(BrowserSessions.sessionId(again)).isNotEqualTo(anonymous.get(0));
        // The signed-in user was never dropped: still signed in.
        assertThat(sessions.exists(signedInSession)).isTrue();
        HttpResponse<String> home = signedIn.get("/");
        assertThat(home.statusCode()).isEqualTo(200);
    }
}
