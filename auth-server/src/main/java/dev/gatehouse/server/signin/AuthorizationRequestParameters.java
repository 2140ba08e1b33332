package dev.gatehouse.server.signin;

import jakarta.servlet.http.HttpServletRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The parameters of an authorization request as Spring Authorization Server will act on them. A request to {@code
 * /oauth2/authorize} that carries {@code request_uri} (RFC 9126 §4) has only {@code client_id} and {@code
 * request_uri} in its query; its real parameters ({@code acr_values}, {@code prompt}, {@code max_age}, ...) are the
 * ones pushed earlier to {@code /oauth2/par}, stored with the pushed authorization. Filters that decide before the
 * endpoint (MFA step-up, re-authentication) read parameters through this class so that a pushed request cannot skip
 * what the same parameters in a query would trigger.
 *
 * <p>A pushed request that is unknown, belongs to another client or has the wrong form yields no parameters; Spring
 * Authorization Server refuses such a request itself ({@code invalid_request}), so nothing is issued for it.
 * Lookups are cached for the duration of the HTTP request.
 */
public final class AuthorizationRequestParameters {

    /** The prefix of every {@code request_uri} Spring Authorization Server issues (RFC 9126 §2.2). */
    static final String REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:";

    private static final OAuth2TokenType STATE = new OAuth2TokenType(OAuth2ParameterNames.STATE);
    private static final String CACHE = AuthorizationRequestParameters.class.getName() + ".pushed";
    private static final int MAX_REQUEST_URI_LENGTH = 512;

    private static final OAuth2TokenType USER_CODE = new OAuth2TokenType(OAuth2ParameterNames.USER_CODE);
    private static final int MAX_USER_CODE_LENGTH = 64;

    private final OAuth2AuthorizationService authorizations;
    private final RegisteredClientRepository clients;

    /**
     * Creates the reader.
     *
     * @param authorizations where Spring Authorization Server stores pushed authorization requests and device codes
     * @param clients the registered clients
     */
    public AuthorizationRequestParameters(
            OAuth2AuthorizationService authorizations, RegisteredClientRepository clients) {
        this.authorizations = Objects.requireNonNull(authorizations, "authorizations must not be null");
        this.clients = Objects.requireNonNull(clients, "clients must not be null");
    }

    /**
     * The client a request acts for: its {@code client_id} (own or pushed), or for a device verification request,
     * which carries only the user code (RFC 8628 §3.3), the client that asked for that code. So a client's MFA
     * requirement holds for its devices too.
     *
     * @param request the HTTP request
     * @return the client id, or {@code null} if none can be told (an unknown code is refused by the endpoint)
     */
    public @Nullable String clientId(HttpServletRequest request) {
        String clientId = get(request, OAuth2ParameterNames.CLIENT_ID);
        String userCode = request.getParameter(OAuth2ParameterNames.USER_CODE);
        if (clientId != null || userCode == null || userCode.isEmpty() || userCode.length() > MAX_USER_CODE_LENGTH) {
            return clientId;
        }
        @Nullable OAuth2Authorization device = authorizations.findByToken(userCode, USER_CODE);
        @Nullable RegisteredClient client = device == null ? null : clients.findById(device.getRegisteredClientId());
        return client == null ? null : client.getClientId();
    }

    /**
     * The value of one parameter of the authorization request: from the pushed request when the request carries
     * {@code request_uri}, else from the request itself.
     *
     * @param request the HTTP request
     * @param name the parameter name, e.g. {@code acr_values}
     * @return the value, or {@code null} if absent (or repeated, in a pushed request)
     */
    public @Nullable String get(HttpServletRequest request, String name) {
        String requestUri = request.getParameter(OAuth2ParameterNames.REQUEST_URI);
        if (requestUri == null || requestUri.isEmpty()) {
            return request.getParameter(name);
        }
        return pushed(request, requestUri).get(name);
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> pushed(HttpServletRequest request, String requestUri) {
        Object cached = request.getAttribute(CACHE);
        if (cached instanceof Map<?, ?> map) {
            return (Map<String, String>) map;
        }
        Map<String, String> parameters = load(requestUri, request.getParameter(OAuth2ParameterNames.CLIENT_ID));
        request.setAttribute(CACHE, parameters);
        return parameters;
    }

    private Map<String, String> load(String requestUri, @Nullable String clientId) {
        if (clientId == null
                || requestUri.length() > MAX_REQUEST_URI_LENGTH
                || !requestUri.startsWith(REQUEST_URI_PREFIX)) {
            return Map.of();
        }
        // Spring Authorization Server keys the pushed authorization by the part after the prefix (its "state").
        @Nullable
        OAuth2Authorization pushed =
                authorizations.findByToken(requestUri.substring(REQUEST_URI_PREFIX.length()), STATE);
        if (pushed == null) {
            return Map.of();
        }
        @Nullable OAuth2AuthorizationRequest stored = pushed.getAttribute(OAuth2AuthorizationRequest.class.getName());
        if (stored == null || !clientId.equals(stored.getClientId())) {
            return Map.of();
        }
        Map<String, String> parameters = new HashMap<>();
        stored.getAdditionalParameters().forEach((k, v) -> {
            if (v instanceof String s) {
                parameters.put(k, s);
            }
        });
        parameters.put(OAuth2ParameterNames.CLIENT_ID, stored.getClientId());
        parameters.put(OAuth2ParameterNames.SCOPE, String.join(" ", stored.getScopes()));
        if (stored.getRedirectUri() != null) {
            parameters.put(OAuth2ParameterNames.REDIRECT_URI, stored.getRedirectUri());
        }
        if (stored.getState() != null) {
            parameters.put(OAuth2ParameterNames.STATE, stored.getState());
        }
        return Map.copyOf(parameters);
    }

    /**
     * Matches requests to an authorization endpoint whose {@code prompt} (own or pushed) is {@code none} (OIDC Core
     * 1.0 §3.1.2.1): such a request must reach Spring Authorization Server even without a session, which answers it
     * with {@code login_required} instead of a page.
     *
     * @param endpoint the authorization endpoint
     * @return the matcher
     */
    public RequestMatcher promptNone(RequestMatcher endpoint) {
        Objects.requireNonNull(endpoint, "endpoint must not be null");
        return request -> endpoint.matches(request)
                && AuthenticationAge.prompts(get(request, AuthenticationAge.PROMPT))
                        .contains(AuthenticationAge.PROMPT_NONE);
    }
}
