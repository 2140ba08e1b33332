package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/** The protocol steps several cluster tests take, as a client and as a browser would. */
final class Flows {

    private Flows() {}

    /** A client-credentials token request (RFC 6749 §4.4) as {@code clientId} with HTTP Basic. */
    static HttpResponse<String> clientCredentials(Http http, String clientId, String secret, String scope) {
        return http.postForm(
                "/oauth2/token",
                Map.of("grant_type", "client_credentials", "scope", scope),
                "Authorization",
                Http.basic(clientId, secret));
    }

    /** A refresh-token request (RFC 6749 §6) as {@code clientId}. */
    static HttpResponse<String> refresh(Http http, String clientId, String secret, String refreshToken) {
        return http.postForm(
                "/oauth2/token",
                Map.of("grant_type", "refresh_token", "refresh_token", refreshToken),
                "Authorization",
                Http.basic(clientId, secret));
    }

    /**
     * A token response's outcome without any token in it (so that a failed assertion prints none): the status, and
     * the {@code error} code of a refusal (RFC 6749 §5.2), e.g. {@code "400 invalid_grant"} or {@code "200"}.
     */
    static String outcome(HttpResponse<String> r) {
        Object error = r.statusCode() == 200 ? null : Http.json(r).get("error");
        return error == null ? Integer.toString(r.statusCode()) : r.statusCode() + " " + error;
    }

    /** Token introspection (RFC 7662 §2.1) at one node, as {@code clientId}. */
    static Map<String, Object> introspect(String nodeUrl, String token, String clientId, String secret) {
        HttpResponse<String> r = new Http(nodeUrl)
                .postForm("/oauth2/introspect", Map.of("token", token), "Authorization", Http.basic(clientId, secret));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Http.json(r);
    }

    /**
     * The browser part of the authorization code flow (RFC 6749 §4.1, PKCE RFC 7636) for the demo service client:
     * authorization request, password sign-in, consent when asked; returns the code from the redirect.
     */
    static String signInForCode(
            Http browser, String username, String password, Http.Pkce pkce, SharedCluster.Demo demo) {
        return finishSignIn(browser, username, password, startSignIn(browser, "", pkce, demo), demo);
    }

    /**
     * The authorization request and the sign-in form, sent to {@code node} (a node's URL, or {@code ""} for the
     * client's own base URL); returns the form's CSRF token. The state of the sign-in now lives in the session.
     */
    static String startSignIn(Http browser, String node, Http.Pkce pkce, SharedCluster.Demo demo) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", SharedCluster.Demo.SERVICE);
        q.put("redirect_uri", demo.redirect());
        q.put("scope", "openid api.read");
        q.put("state", "st-1");
        q.put("nonce", "n-1");
        q.put("code_challenge", pkce.challenge());
        q.put("code_challenge_method", "S256");
        HttpResponse<String> start = browser.get(node + "/oauth2/authorize?" + Http.encode(q));
        assertThat(Http.location(start)).endsWith("/login");
        return Http.csrf(browser.get(node + "/login"));
    }

    /**
     * The password step, the return to the authorization endpoint and consent when asked, sent to the client's base
     * URL (whichever node answers); returns the code from the redirect.
     */
    static String finishSignIn(Http browser, String username, String password, String csrf, SharedCluster.Demo demo) {
        HttpResponse<String> login =
                browser.postForm("/login", Map.of("username", username, "password", password, "_csrf", csrf));
        String next = Http.location(login);
        assertThat(next).doesNotContain("error").contains("/oauth2/authorize");
        String location = Http.location(browser.get(next));
        if (location.contains("/oauth2/consent")) {
            // The consent page's URL is absolute, on the issuer (nginx): stay on the node this browser talks to.
            HttpResponse<String> consent = browser.get(pathAndQuery(location));
            assertThat(consent.statusCode()).isEqualTo(200);
            java.util.regex.Matcher state = java.util.regex.Pattern.compile("name=\"state\" value=\"([^\"]+)\"")
                    .matcher(consent.body());
            assertThat(state.find()).as("the consent page's state").isTrue();
            location = Http.location(browser.postForm(
                    "/oauth2/authorize",
                    Map.of(
                            "client_id",
                            SharedCluster.Demo.SERVICE,
                            "state",
                            state.group(1),
                            "scope",
                            "api.read",
                            "_csrf",
                            Http.csrf(consent))));
        }
        assertThat(location).startsWith(demo.redirect() + "?");
        Map<String, String> params = Http.query(location);
        assertThat(params).containsEntry("state", "st-1").containsKey("code");
        return params.get("code");
    }

    private static String pathAndQuery(String url) {
        java.net.URI uri = java.net.URI.create(url);
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    /** Exchanges a code (RFC 6749 §4.1.3) as the demo service client. */
    static HttpResponse<String> exchange(Http http, String code, Http.Pkce pkce, SharedCluster.Demo demo) {
        return http.postForm(
                "/oauth2/token",
                Map.of(
                        "grant_type",
                        "authorization_code",
                        "code",
                        code,
                        "redirect_uri",
                        demo.redirect(),
                        "code_verifier",
                        pkce.verifier()),
                "Authorization",
                Http.basic(SharedCluster.Demo.SERVICE, demo.serviceSecret()));
    }
}
