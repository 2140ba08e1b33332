package dev.gatehouse.server.ratelimit;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.web.util.UrlPathHelper;

/**
 * The endpoints that are limited, in groups that share buckets. Dynamic client registration ({@code /connect/register})
 * is not switched on in this server (see {@code SecurityConfiguration}), so it has no group; add one here if it is.
 */
enum EndpointGroup {
    /** {@code /oauth2/token} (RFC 6749 §3.2). */
    TOKEN("token", true),
    /** {@code /oauth2/authorize} (RFC 6749 §3.1) and {@code /oauth2/par} (RFC 9126). */
    AUTHORIZATION("authorization", true),
    /** {@code /oauth2/device_authorization} (RFC 8628 §3.1). */
    DEVICE_AUTHORIZATION("device_authorization", true),
    /**
     * The sign-in posts: the form, {@code POST /login}, and the passkey sign-in (issue #16), {@code POST
     * /webauthn/authenticate/options} (a challenge kept in the session) and {@code POST /login/webauthn} (the
     * assertion). No client, limited by address only.
     */
    LOGIN("login", false),
    /**
     * The second-factor form posts: {@code POST /mfa/totp}, {@code /mfa/recovery}, {@code /mfa/enroll} and
     * {@code /mfa/enroll/start}. By address only, like the sign-in form: each refusal there is an audit event, and the
     * per-account attempt limiter does not bound how many accounts one address tries.
     */
    MFA("mfa", false),
    /**
     * User-code entry at {@code /oauth2/device_verification}: the form post, and a GET carrying {@code user_code}
     * (which Spring Authorization Server verifies just the same). RFC 8628 §5.1 asks for a rate limit on user code
     * entry, since a short code is guessable. By address only (the request is the user's, not a client's).
     */
    DEVICE_VERIFICATION("device_verification", false),
    /** {@code /oauth2/introspect} (RFC 7662) and {@code /oauth2/revoke} (RFC 7009): client-authenticated lookups. */
    INTROSPECTION("introspection", true),
    /**
     * The admin API, {@code /admin} and below: by address only (its callers authenticate with bearer tokens, and
     * every refusal is audited, so the limit also bounds what a stream of bad tokens can write).
     */
    ADMIN("admin", false),
    /**
     * The account self-service form posts, {@code POST /account} and below (password change, factor changes,
     * sessions, applications), and the passkey registration posts, {@code POST /webauthn/register/options} and {@code
     * /webauthn/register}: by address only; the current password and codes are also counted per account by the
     * sign-in attempt limiters.
     */
    ACCOUNT("account", false),
    /**
     * Dynamic client registration (RFC 7591 §3, {@code POST /oauth2/register}) and client configuration (RFC 7592
     * §2, {@code /oauth2/register/{client_id}}), every method: by address only (the caller is not a client yet).
     */
    REGISTRATION("registration", false);

    private static final UrlPathHelper PATHS = paths();

    private final String id;
    private final boolean perClient;

    EndpointGroup(String id, boolean perClient) {
        this.id = id;
        this.perClient = perClient;
    }

    /** The group's name in audit events and bucket keys. */
    String id() {
        return id;
    }

    /** Whether requests to this group carry a client id worth a bucket of its own. */
    boolean perClient() {
        return perClient;
    }

    /**
     * The group a request belongs to, matched on the decoded, normalised path as Spring Authorization Server's
     * endpoint matchers see it (a raw comparison would let {@code /oauth2/%74oken} through). CORS preflights are
     * not counted.
     *
     * @param request the request
     * @return the matched endpoint path and group, or {@code null} when the request is not limited
     */
    static @Nullable Match match(HttpServletRequest request) {
        String method = request.getMethod();
        if ("OPTIONS".equals(method)) {
            return null;
        }
        String path = PATHS.getPathWithinApplication(request);
        return switch (path) {
            case "/oauth2/token" -> new Match(TOKEN, "/oauth2/token");
            case "/oauth2/authorize" -> new Match(AUTHORIZATION, "/oauth2/authorize");
            case "/oauth2/par" -> new Match(AUTHORIZATION, "/oauth2/par");
            case "/oauth2/device_authorization" -> new Match(DEVICE_AUTHORIZATION, "/oauth2/device_authorization");
            case "/login" -> "POST".equals(method) ? new Match(LOGIN, "/login") : null;
            case "/login/webauthn" -> "POST".equals(method) ? new Match(LOGIN, "/login/webauthn") : null;
            case "/webauthn/authenticate/options" ->
                "POST".equals(method) ? new Match(LOGIN, "/webauthn/authenticate/options") : null;
            case "/webauthn/register/options" ->
                "POST".equals(method) ? new Match(ACCOUNT, "/webauthn/register/options") : null;
            case "/webauthn/register" -> "POST".equals(method) ? new Match(ACCOUNT, "/webauthn/register") : null;
            case "/mfa/totp", "/mfa/recovery", "/mfa/enroll", "/mfa/enroll/start" ->
                "POST".equals(method) ? new Match(MFA, mfaEndpoint(path)) : null;
            // A GET with user_code is a verification attempt too (verification_uri_complete): limited like a post.
            case "/oauth2/device_verification" ->
                "POST".equals(method) || request.getParameter("user_code") != null
                        ? new Match(DEVICE_VERIFICATION, "/oauth2/device_verification")
                        : null;
            case "/oauth2/introspect" -> new Match(INTROSPECTION, "/oauth2/introspect");
            case "/oauth2/revoke" -> new Match(INTROSPECTION, "/oauth2/revoke");
            default -> {
                if (path.equals("/oauth2/register") || path.startsWith("/oauth2/register/")) {
                    yield new Match(REGISTRATION, "/oauth2/register");
                }
                if (path.equals("/admin") || path.startsWith("/admin/")) {
                    yield new Match(ADMIN, "/admin");
                }
                yield "POST".equals(method) && (path.equals("/account") || path.startsWith("/account/"))
                        ? new Match(ACCOUNT, "/account")
                        : null;
            }
        };
    }

    /**
     * A limited request.
     *
     * @param group its group
     * @param endpoint the endpoint path, one of the constants above (never the request's own spelling)
     */
    record Match(EndpointGroup group, String endpoint) {}

    /** The constant spelling of an MFA path (never the request's own string). */
    private static String mfaEndpoint(String path) {
        return switch (path) {
            case "/mfa/totp" -> "/mfa/totp";
            case "/mfa/recovery" -> "/mfa/recovery";
            case "/mfa/enroll/start" -> "/mfa/enroll/start";
            default -> "/mfa/enroll";
        };
    }

    private static UrlPathHelper paths() {
        UrlPathHelper helper = new UrlPathHelper();
        helper.setUrlDecode(true);
        helper.setRemoveSemicolonContent(true);
        return helper;
    }
}
