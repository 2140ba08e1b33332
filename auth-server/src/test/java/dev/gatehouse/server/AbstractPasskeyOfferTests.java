package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.passkeys.Passkeys;
import dev.gatehouse.server.testsupport.TestAuthenticator;
import dev.gatehouse.server.users.JdbcUserStore;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.test.context.TestPropertySource;

/**
 * The optional offer to add a passkey after a password sign-in ({@code gatehouse.server.passkeys.offer-after-sign-in},
 * issue #16) over real HTTP: shown once per sign-in before the authorization response, "Not now" and "Don't ask again"
 * continue to that response (the second remembered), adding one from the page registers it and continues; never for
 * {@code prompt=none} nor after a passkey sign-in. With the property off (the default) the passkey suite sees no
 * offer ({@link AbstractPasskeySignInTests}). Subclasses choose the database.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.passkeys.offer-after-sign-in=true"
        })
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
abstract class AbstractPasskeyOfferTests {

    static final String REDIRECT = MfaSignInFlow.REDIRECT;
    static final String PASSWORD = "correct horse battery 9";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    ClientSecrets clientSecrets;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    @Autowired
    Passkeys passkeys;

    @Autowired
    JdbcAuditLog auditLog;

    String base;
    String clientId;
    String clientSecret;

    @BeforeEach
    void setUp() {
        base = "http://localhost:" + port;
        clientSecret = clientSecrets.generate();
        clientId = registerClient(clientSecret);
    }

    @Test
    void offerWhenPasswordSignInThenShownOnceAndNotNowContinuesToTheAuthorizationResponse() throws Exception {
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        HttpResponse<String> held = passwordThroughAuthorize(browser, name, pkce, "first");
        assertThat(held.headers().firstValue("Location").orElseThrow()).endsWith("/passkeys/offer");

        HttpResponse<String> page = browser.get("/passkeys/offer");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(page.body())
                .contains("src=\"/assets/passkey-register.js\"")
                .contains("id=\"add-passkey\"")
                .contains("value=\"later\"")
                .contains("value=\"never\"");

        String resumed = answer(browser, page, "later");
        // Continues to the saved authorization request, a path on this server, which answers the client.
        assertThat(resumed).startsWith("/oauth2/authorize?").contains("state=first");
        String location = browser.get(resumed).headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        Map<String, Object> tokens = new MfaSignInFlow(base, clientId, clientSecret)
                .exchange(browser, HttpBrowser.query(location).get("code"), pkce);
        assertThat(MfaSignInFlow.amr(tokens)).isEqualTo(List.of("pwd"));
        assertThat(audited("passkey.offer", name, "later")).isEqualTo(1);

        // Once per sign-in: the next authorization request of this sign-in is answered at once.
        assertThat(browser.get(authorizeUrl(Pkce.create(), "again", null))
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .startsWith(REDIRECT + "?");
        // The page without an offer pending shows nothing and continues.
        assertThat(browser.get("/passkeys/offer").headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).doesNotContain("/passkeys/offer"));

        // "Not now" asks again at the next sign-in.
        HttpBrowser next = new HttpBrowser(base);
        assertThat(passwordThroughAuthorize(next, name, Pkce.create(), "next")
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .endsWith("/passkeys/offer");
    }

    @Test
    void offerWhenDontAskAgainThenRememberedAndNotShownAtTheNextSignIn() {
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        passwordThroughAuthorize(browser, name, Pkce.create(), "first");
        String resumed = answer(browser, browser.get("/passkeys/offer"), "never");
        assertThat(browser.get(resumed).headers().firstValue("Location").orElseThrow())
                .startsWith(REDIRECT + "?");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_passkey_offer_declined WHERE username = ?", Integer.class, name))
                .isEqualTo(1);
        assertThat(audited("passkey.offer", name, "never")).isEqualTo(1);

        HttpBrowser next = new HttpBrowser(base);
        assertThat(passwordThroughAuthorize(next, name, Pkce.create(), "next")
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .startsWith(REDIRECT + "?");
    }

    @Test
    void offerWhenPasskeyAddedFromThePageThenRegisteredAndContinues() throws Exception {
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        passwordThroughAuthorize(browser, name, Pkce.create(), "add");
        HttpResponse<String> page = browser.get("/passkeys/offer");
        // What passkey-register.js does: Spring's options and registration, with the page's CSRF header.
        String[] csrf = AbstractPasskeySignInTests.csrf(page);
        HttpResponse<String> options = browser.postJson("/webauthn/register/options", "", csrf);
        assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
        TestAuthenticator key = TestAuthenticator.create();
        HttpResponse<String> registered =
                browser.postJson("/webauthn/register", key.register(options.body(), base), csrf);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        assertThat(passkeys.hasAny(name)).isTrue();

        // The script's reload continues to the authorization response.
        String resumed =
                browser.get("/passkeys/offer").headers().firstValue("Location").orElseThrow();
        assertThat(resumed).startsWith("/oauth2/authorize?").contains("state=add");
        // Registering grants no factor: a user with a passkey owes it after the password, so the new one is used now.
        assertThat(browser.get(resumed).headers().firstValue("Location").orElseThrow())
                .endsWith("/mfa/passkey");
        HttpResponse<String> passed = assertPasskey(browser, browser.get("/mfa/passkey"), key);
        assertThat(passed.statusCode()).as(passed.body()).isEqualTo(200);
        assertThat(browser.get(AbstractPasskeySignInTests.redirectUrl(passed))
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .startsWith(REDIRECT + "?");
        assertThat(audited("passkey.offer", name, "added")).isEqualTo(1);
        assertThat(audited("passkey.register", name, "credential")).isEqualTo(1);
    }

    @Test
    void offerWhenUserHasPasskeyThenNotShown() throws Exception {
        String name = newUser();
        TestAuthenticator key = TestAuthenticator.create();
        HttpBrowser registering = new HttpBrowser(base);
        assertThat(registering.login(name, PASSWORD).statusCode()).isEqualTo(302);
        String[] csrf = AbstractPasskeySignInTests.csrf(registering.get("/"));
        HttpResponse<String> options = registering.postJson("/webauthn/register/options", "", csrf);
        assertThat(registering
                        .postJson("/webauthn/register", key.register(options.body(), base), csrf)
                        .statusCode())
                .isEqualTo(200);

        HttpBrowser browser = new HttpBrowser(base);
        HttpResponse<String> held = passwordThroughAuthorize(browser, name, Pkce.create(), "pk");
        assertThat(held.headers().firstValue("Location").orElseThrow()).endsWith("/mfa/passkey");
        HttpResponse<String> passed = assertPasskey(browser, browser.get("/mfa/passkey"), key);
        assertThat(passed.statusCode()).as(passed.body()).isEqualTo(200);
        assertThat(browser.get(AbstractPasskeySignInTests.redirectUrl(passed))
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .startsWith(REDIRECT + "?");
        assertThat(audited("passkey.offer", name, "")).isZero();
    }

    @Test
    void offerWhenPromptNoneThenAnsweredAtTheRedirectUriWithoutThePage() {
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        // Signed in with the password (not through an authorization request), the offer not yet considered.
        assertThat(browser.login(name, PASSWORD).statusCode()).isEqualTo(302);
        String location = browser.get(authorizeUrl(Pkce.create(), "silent", "none"))
                .headers()
                .firstValue("Location")
                .orElseThrow();
        // OIDC Core 1.0 §3.1.2.1: no page with prompt=none; the code goes to the client.
        assertThat(location).startsWith(REDIRECT + "?");
        assertThat(HttpBrowser.query(location)).containsKey("code");
        // The next interactive request of the same sign-in is offered the passkey.
        assertThat(browser.get(authorizeUrl(Pkce.create(), "loud", null))
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .endsWith("/passkeys/offer");
    }

    @Test
    void offerWhenAnswerIsNeitherLaterNorNeverThenRefused() {
        String name = newUser();
        HttpBrowser browser = new HttpBrowser(base);
        passwordThroughAuthorize(browser, name, Pkce.create(), "odd");
        HttpResponse<String> page = browser.get("/passkeys/offer");
        HttpResponse<String> refused = browser.postForm(
                "/passkeys/offer", Map.of("choice", "https://evil.example/", "_csrf", MfaSignInFlow.csrf(page)));
        assertThat(refused.statusCode()).isEqualTo(400);
    }

    // ---------------------------------------------------------------- helpers

    String newUser() {
        String name = "offer-" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        return name;
    }

    /** What the passkey script does on a page: options with the page's CSRF header, the assertion, the post. */
    HttpResponse<String> assertPasskey(HttpBrowser browser, HttpResponse<String> page, TestAuthenticator key) {
        String[] csrf = AbstractPasskeySignInTests.csrf(page);
        HttpResponse<String> options = browser.postJson("/webauthn/authenticate/options", "", csrf);
        assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
        return browser.postJson("/login/webauthn", key.assertion(options.body(), base), csrf);
    }

    /** Posts an answer with the page's CSRF token: where the server continues. */
    static String answer(HttpBrowser browser, HttpResponse<String> page, String choice) {
        HttpResponse<String> r =
                browser.postForm("/passkeys/offer", Map.of("choice", choice, "_csrf", MfaSignInFlow.csrf(page)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        return r.headers().firstValue("Location").orElseThrow();
    }

    HttpResponse<String> passwordThroughAuthorize(HttpBrowser browser, String name, Pkce pkce, String state) {
        return MfaSignInFlow.passwordThroughAuthorize(browser, authorizeUrl(pkce, state, null), name, PASSWORD);
    }

    String authorizeUrl(Pkce pkce, String state, String prompt) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", clientId);
        q.put("redirect_uri", REDIRECT);
        q.put("scope", "openid");
        q.put("state", state);
        q.put("nonce", "nonce-" + state);
        q.put("code_challenge", pkce.challenge());
        q.put("code_challenge_method", "S256");
        if (prompt != null) {
            q.put("prompt", prompt);
        }
        return base + "/oauth2/authorize?" + HttpBrowser.encode(q);
    }

    int audited(String type, String actor, String detail) {
        assertThat(auditLog.flush(Duration.ofSeconds(10))).isTrue();
        Integer n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM gh_audit_event WHERE type = ? AND actor = ? AND outcome = 'success'"
                        + " AND details LIKE ?",
                Integer.class,
                type,
                actor,
                "%" + detail + "%");
        return n == null ? 0 : n;
    }

    String registerClient(String secret) {
        String id = "offer-" + UUID.randomUUID();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(id)
                .clientSecret(clientSecrets.encoder().encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(REDIRECT)
                .scope("openid")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(false)
                        .build())
                .build());
        return id;
    }
}
