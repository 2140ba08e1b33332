package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One client's browser sign-in through {@code /oauth2/authorize} over real HTTP: the password form, then the TOTP or
 * recovery-code step, back to the client with a code, exchanged for tokens. For tests that sign in users they did
 * not create through Spring (the upgrade fixtures), where {@link AbstractMfaSignInTests}' helpers are out of reach.
 */
final class MfaSignInFlow {

    static final String REDIRECT = "http://127.0.0.1:8083/cb";

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
    private static final Totp TOTP = Totp.of(TotpParameters.defaults());

    private final String base;
    private final String clientId;
    private final String clientSecret;
    private final String redirect;

    MfaSignInFlow(String base, String clientId, String clientSecret) {
        this(base, clientId, clientSecret, REDIRECT);
    }

    /** A flow for a client registered with another redirect URI (the suites each register their own). */
    MfaSignInFlow(String base, String clientId, String clientSecret, String redirect) {
        this.base = Objects.requireNonNull(base, "base must not be null");
        this.clientId = Objects.requireNonNull(clientId, "clientId must not be null");
        this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret must not be null");
        this.redirect = Objects.requireNonNull(redirect, "redirect must not be null");
    }

    /** Starts at the authorization endpoint, signs in with the password, follows back: where the server sends next. */
    String password(HttpBrowser browser, String username, String password, Pkce pkce) {
        return passwordThroughAuthorize(browser, authorizeUrl(pkce), username, password)
                .headers()
                .firstValue("Location")
                .orElseThrow();
    }

    /**
     * Starts at an authorization request's URL, is sent to sign in, signs in with the password, follows back to the
     * authorization endpoint: its answer (a redirect to the next step, the consent page or the client).
     */
    static HttpResponse<String> passwordThroughAuthorize(
            HttpBrowser browser, String url, String username, String password) {
        HttpResponse<String> start = browser.get(url);
        assertThat(start.headers().firstValue("Location").orElseThrow())
                .as("authorization request should be sent to sign in")
                .endsWith("/login");
        HttpResponse<String> login = browser.login(username, password);
        String next = login.headers().firstValue("Location").orElseThrow();
        assertThat(next).doesNotContain("/login?error").contains("/oauth2/authorize");
        HttpResponse<String> back = browser.get(next);
        assertThat(back.statusCode()).isEqualTo(302);
        return back;
    }

    /**
     * Submits a code at a second-factor step ({@code /mfa/totp} or {@code /mfa/recovery}) with the page's CSRF token.
     *
     * @return where the server sends the browser: back to the authorization endpoint, or to the step with {@code
     *     ?error}
     */
    String submit(HttpBrowser browser, String step, String code) {
        return postCode(browser, step, code).headers().firstValue("Location").orElseThrow();
    }

    /** Opens a second-factor step's page and posts a code with its CSRF token: the server's answer. */
    static HttpResponse<String> postCode(HttpBrowser browser, String step, String code) {
        HttpResponse<String> page = browser.get(step);
        assertThat(page.statusCode()).isEqualTo(200);
        return browser.postForm(step, Map.of("code", code, "_csrf", csrf(page)));
    }

    /**
     * Enrols a TOTP key for a user through the service and confirms it with the code of the current step; the next
     * step's code is the first that signs in (RFC 6238 §5.2: a step once used is refused).
     */
    static TotpSecret enrolConfirmed(TotpService service, String name, Instant now) {
        TotpSecret key = TotpSecret.fromBase32(service.enrol(name, name).secretBase32());
        assertThat(service.confirm(name, TOTP.code(key, now)).accepted()).isTrue();
        return key;
    }

    /** Follows a resumed authorization request to the client's redirect URI and exchanges the code for tokens. */
    Map<String, Object> tokens(HttpBrowser browser, String resumed, Pkce pkce) throws Exception {
        assertThat(resumed).contains("/oauth2/authorize");
        String location = browser.get(resumed).headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(redirect + "?");
        return exchange(browser, HttpBrowser.query(location).get("code"), pkce);
    }

    /** Exchanges an authorization code at the token endpoint as the client. */
    Map<String, Object> exchange(HttpBrowser browser, String code, Pkce pkce) throws Exception {
        HttpResponse<String> r = browser.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type",
                        "authorization_code",
                        "code",
                        code,
                        "redirect_uri",
                        redirect,
                        "code_verifier",
                        pkce.verifier()),
                "Authorization",
                HttpBrowser.basic(clientId, clientSecret));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSONObjectUtils.parse(r.body());
    }

    /** The {@code amr} claim of the ID token in a token response. */
    static Object amr(Map<String, Object> tokens) throws Exception {
        return SignedJWT.parse((String) tokens.get("id_token"))
                .getJWTClaimsSet()
                .getClaim("amr");
    }

    static List<String> pwdOtp() {
        return List.of("pwd", "otp");
    }

    static String csrf(HttpResponse<String> page) {
        Matcher m = CSRF.matcher(page.body());
        if (!m.find()) {
            throw new AssertionError("no CSRF token on the page: " + page.body());
        }
        return m.group(1);
    }

    private String authorizeUrl(Pkce pkce) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", clientId);
        q.put("redirect_uri", redirect);
        q.put("scope", "openid");
        q.put("state", "st");
        q.put("nonce", "nonce-st");
        q.put("code_challenge", pkce.challenge());
        q.put("code_challenge_method", "S256");
        return base + "/oauth2/authorize?" + HttpBrowser.encode(q);
    }
}
