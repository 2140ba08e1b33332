package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.users.JdbcUserStore;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/**
 * Two server nodes (two Spring application contexts, two ports) on one PostgreSQL, as behind a round-robin load
 * balancer without sticky sessions (issue #14): one browser sign-in whose steps alternate between the nodes. The
 * authorization request and the sign-in form come from node 1, the password is posted to node 2 with node 1's cookie
 * and CSRF token, the TOTP step is on node 1, the consent page on node 1 and its approval on node 2, the code is
 * exchanged on node 1. Each id a factor replaced is refused on the other node.
 */
class PostgresTwoNodeSignInTests {

    private static final String PASSWORD = "correct horse battery 9";
    private static final String REDIRECT = MfaSignInFlow.REDIRECT;
    private static final Totp TOTP = Totp.of(TotpParameters.defaults());

    private static TestNodes nodes;
    private static ConfigurableApplicationContext node1;
    private static ConfigurableApplicationContext node2;
    private static String base1;
    private static String base2;

    @BeforeAll
    static void startTwoNodes() {
        nodes = TestNodes.on(PostgresTestDatabase.create("twonodes"));
        // Node 1 first: it migrates the database and makes the keys; node 2 then starts on them.
        node1 = nodes.start("gatehouse.server.demo=false");
        node2 = nodes.start("gatehouse.server.demo=false");
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
    void signInWhenStepsAlternateBetweenNodesThenCodeIssuedAndReplacedIdsRefusedOnBothNodes() throws Exception {
        String user = "two-nodes-" + UUID.randomUUID();
        node1.getBean(JdbcUserStore.class)
                .create(user, node1.getBean(PasswordHasher.class).hash(PASSWORD), List.of("user"));
        TotpSecret key = enrol(user);
        ClientSecrets secrets = node1.getBean(ClientSecrets.class);
        String clientSecret = secrets.generate();
        String client = "two-nodes-" + UUID.randomUUID();
        node1.getBean(RegisteredClientRepository.class)
                .save(RegisteredClient.withId(UUID.randomUUID().toString())
                        .clientId(client)
                        .clientSecret(secrets.encoder().encode(clientSecret))
                        .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                        .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                        .redirectUri(REDIRECT)
                        .scope("openid")
                        .scope("profile")
                        .clientSettings(ClientSettings.builder()
                                .requireProofKey(true)
                                .requireAuthorizationConsent(true)
                                .build())
                        .build());
        assertThat(TestNodes.port(node2)).isNotEqualTo(TestNodes.port(node1));
        HttpBrowser onNode1 = new HttpBrowser(base1);
        HttpBrowser onNode2 = onNode1.on(base2);
        Pkce pkce = Pkce.create();

        // Node 1: the authorization request is saved, the sign-in form carries its CSRF token.
        HttpResponse<String> start = onNode1.get(authorizeUrl(client, pkce));
        assertThat(start.headers().firstValue("Location").orElseThrow()).endsWith("/login");
        String anonymous = BrowserSessions.sessionId(start);
        HttpResponse<String> form = onNode1.get("/login");
        assertThat(form.statusCode()).isEqualTo(200);

        // Node 2: the password, with node 1's cookie and CSRF token; node 2 resumes node 1's saved request.
        HttpResponse<String> password = onNode2.postForm(
                "/login", Map.of("username", user, "password", PASSWORD, "_csrf", MfaSignInFlow.csrf(form)));
        assertThat(password.statusCode()).isEqualTo(302);
        String resumed = password.headers().firstValue("Location").orElseThrow();
        assertThat(resumed).contains("/oauth2/authorize?").contains("client_id=" + client);
        String afterPassword = BrowserSessions.sessionId(password);
        assertThat(afterPassword).isNotEqualTo(anonymous);
        assertSignedOut(base1, anonymous);

        // Node 1: the resumed request owes the TOTP step, taken on node 1.
        HttpResponse<String> toTotp = onNode1.get(resumed);
        assertThat(toTotp.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/totp");
        HttpResponse<String> totpPage = onNode1.get("/mfa/totp");
        assertThat(totpPage.statusCode()).isEqualTo(200);
        HttpResponse<String> totp = onNode1.postForm(
                "/mfa/totp",
                Map.of(
                        "code",
                        TOTP.code(key, node1.getBean(Clock.class).instant().plus(Duration.ofSeconds(30))),
                        "_csrf",
                        MfaSignInFlow.csrf(totpPage)));
        String afterTotp = BrowserSessions.sessionId(totp);
        assertThat(afterTotp).isNotIn(anonymous, afterPassword);
        assertSignedOut(base2, afterPassword);
        String again = totp.headers().firstValue("Location").orElseThrow();
        assertThat(again).contains("/oauth2/authorize?");

        // Node 2 asks for consent, node 1 shows the page, node 2 takes the approval and issues the code.
        String consentUrl = onNode2.get(again).headers().firstValue("Location").orElseThrow();
        assertThat(consentUrl).contains("/oauth2/consent?");
        HttpResponse<String> consent = onNode1.get(consentUrl);
        assertThat(consent.statusCode()).as(consent.body()).isEqualTo(200);
        assertThat(consent.body()).contains("value=\"profile\"");
        HttpResponse<String> approved = onNode2.postRaw(
                "/oauth2/authorize",
                HttpBrowser.encode(Map.of(
                                "client_id",
                                client,
                                "state",
                                AbstractSignInFlowTests.consentState(consent),
                                "_csrf",
                                MfaSignInFlow.csrf(consent)))
                        + "&" + HttpBrowser.encode(Map.of("scope", "profile")));
        String redirect = approved.headers().firstValue("Location").orElseThrow();
        assertThat(redirect).startsWith(REDIRECT + "?").contains("state=two");

        // Node 1 exchanges the code: the ID token says both factors.
        Map<String, Object> tokens = new MfaSignInFlow(base1, client, clientSecret)
                .exchange(onNode1, HttpBrowser.query(redirect).get("code"), pkce);
        assertThat(MfaSignInFlow.amr(tokens)).isEqualTo(MfaSignInFlow.pwdOtp());
        assertThat((String) tokens.get("scope")).contains("profile");
    }

    private static TotpSecret enrol(String user) {
        TotpService totp = node1.getBean(TotpService.class);
        TotpSecret key = TotpSecret.fromBase32(totp.enrol(user, user).secretBase32());
        assertThat(totp.confirm(user, TOTP.code(key, node1.getBean(Clock.class).instant()))
                        .accepted())
                .isTrue();
        return key;
    }

    /** A browser with only an old session id is not signed in on that node: the page sends it to the sign-in form. */
    private static void assertSignedOut(String base, String oldSessionId) {
        HttpBrowser old = new HttpBrowser(base);
        old.cookie(
                BrowserSessions.COOKIE,
                Base64.getEncoder().encodeToString(oldSessionId.getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> page = old.get("/");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/login");
    }

    private static String authorizeUrl(String client, Pkce pkce) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", client);
        q.put("redirect_uri", REDIRECT);
        q.put("scope", "openid profile");
        q.put("state", "two");
        q.put("nonce", "nonce-two");
        q.put("code_challenge", pkce.challenge());
        q.put("code_challenge_method", "S256");
        return "/oauth2/authorize?" + HttpBrowser.encode(q);
    }
}
