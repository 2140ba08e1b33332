package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.users.JdbcUserStore;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Account self-service on two nodes over one PostgreSQL, as behind a load balancer: a session made on one node is
 * listed and ended on the other, and a password changed on one node ends the sessions held on the other at once.
 */
class PostgresAccountAcrossNodesTests {

    private static final String PASSWORD = "correct horse battery 9";
    private static final Pattern HANDLE = Pattern.compile("name=\"session\" value=\"([A-Za-z0-9_-]+)\"");

    private static TestNodes nodes;
    private static ConfigurableApplicationContext node1;
    private static String base1;
    private static String base2;

    @BeforeAll
    static void startTwoNodes() {
        nodes = TestNodes.on(PostgresTestDatabase.create("accountnodes"));
        // Node 1 first: it migrates the database and makes the keys; node 2 then starts on them.
        node1 = nodes.start("gatehouse.server.demo=false");
        ConfigurableApplicationContext node2 = nodes.start("gatehouse.server.demo=false");
        base1 = TestNodes.base(node1);
        base2 = TestNodes.base(node2);
    }

    @AfterAll
    static void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void endSessionWhenMadeOnAnotherNodeThenListedThereAndEndedOnEveryNode() {
        String user = newUser();
        HttpBrowser onNode1 = signedIn(base1, user);
        HttpBrowser onNode2 = signedIn(base2, user);
        HttpResponse<String> page = onNode1.get("/account/sessions");
        List<String> handles = handles(page);
        assertThat(handles).hasSize(2);
        // The same browser on the other node sees the same sessions (the store is shared).
        assertThat(handles(onNode1.on(base2).get("/account/sessions"))).containsExactlyInAnyOrderElementsOf(handles);

        // The current session is listed first; the other is node 2's.
        HttpResponse<String> ended = onNode1.postForm(
                "/account/sessions/end", Map.of("session", handles.get(1), "_csrf", MfaSignInFlow.csrf(page)));
        assertThat(ended.headers().firstValue("Location").orElseThrow()).endsWith("/account/sessions?ended");
        assertThat(onNode2.get("/account").statusCode()).isEqualTo(302);
        assertThat(onNode2.on(base1).get("/account").statusCode()).isEqualTo(302);
        assertThat(onNode1.get("/account").statusCode()).isEqualTo(200);
        assertThat(onNode1.on(base2).get("/account").statusCode()).isEqualTo(200);
    }

    @Test
    void changePasswordWhenOnOneNodeThenSessionsHeldOnTheOtherEndAndThisOneLivesOnBoth() {
        String user = newUser();
        HttpBrowser onNode1 = signedIn(base1, user);
        HttpBrowser onNode2 = signedIn(base2, user);
        HttpResponse<String> page = onNode1.get("/account/password");
        HttpResponse<String> changed = onNode1.postForm(
                "/account/password",
                Map.of(
                        "current_password",
                        PASSWORD,
                        "new_password",
                        "violet tractor umbrella 42",
                        "confirm_password",
                        "violet tractor umbrella 42",
                        "_csrf",
                        MfaSignInFlow.csrf(page)));
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(302);
        assertThat(onNode2.get("/account").statusCode()).isEqualTo(302);
        assertThat(onNode1.get("/account").statusCode()).isEqualTo(200);
        assertThat(onNode1.on(base2).get("/account").statusCode()).isEqualTo(200);
    }

    private static String newUser() {
        String user = "account-nodes-" + UUID.randomUUID();
        node1.getBean(JdbcUserStore.class)
                .create(user, node1.getBean(PasswordHasher.class).hash(PASSWORD), List.of("user"));
        return user;
    }

    private static HttpBrowser signedIn(String base, String user) {
        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> r = browser.login(user, PASSWORD);
        assertThat(r.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
        return browser;
    }

    private static List<String> handles(HttpResponse<String> page) {
        Matcher m = HANDLE.matcher(page.body());
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
