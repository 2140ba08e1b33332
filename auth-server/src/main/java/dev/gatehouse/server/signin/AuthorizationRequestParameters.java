package dev.gatehouse.server.signin;

import dev.gatehouse.server.tokens.ResourceIndicators;
import jakarta.servlet.http.HttpServletRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.endpoint.PkceParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.web.authentication.AuthenticationConverter;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * What Spring Authorization Server will act on when a request reaches the endpoints that use the user's session, for
 * the filters that must decide before it (MFA step-up, re-authentication). "Resolve, don't re-parse": each request is
 * resolved the way Spring Authorization Server 7 resolves it, and a request it cannot resolve is {@link Unresolved},
 * which every caller reads as the strict answer (sign in again, require the factor), never as "nothing asked for".
 * Where the lookup is the one Spring Authorization Server makes and finds nothing (an unknown, used or foreign
 * {@code request_uri}, user code or consent state), the request is {@link Refused}: Spring Authorization Server
 * refuses it with its own error, so no page is shown and no code or approval is ever issued for it.
 *
 * <ul>
 *   <li>An authorization request carrying {@code request_uri} (RFC 9126 §4): the parameters pushed earlier, found by
 *       the part after the {@code urn:ietf:params:oauth:request_uri:} prefix, exactly as Spring Authorization Server
 *       finds them, and only for the client that pushed them. Spring Authorization Server does not check the prefix
 *       itself, so {@link #requireRequestUriPrefix(AuthenticationConverter)} refuses any other prefix at its
 *       endpoint. {@code request_uri} means a pushed request on the authorization endpoint only.
 *   <li>An authorization request without it: its own parameters, taken from the query (GET) or the form (POST) as
 *       Spring Authorization Server takes them; a repeated {@code response_type}, {@code client_id}, {@code prompt},
 *       {@code max_age} or {@code acr_values} (RFC 6749 §3.1) is {@link Refused}: Spring Authorization Server or
 *       {@link AuthenticationRequestValidator} refuses it.
 *   <li>A consent post to the authorization endpoint (no {@code response_type}, no {@code request_uri}): the stored
 *       authorization request its {@code state} refers to, as Spring Authorization Server's consent provider finds
 *       it, so its client and {@code acr_values} hold at consent too.
 *   <li>A device verification request (RFC 8628 §3.3): the client that asked for the user code, with the code
 *       normalised exactly as Spring Authorization Server 7 normalises it (upper case, only letters and digits kept,
 *       eight of them, a dash after the fourth). A code that is not eight letters or digits is refused by Spring
 *       Authorization Server before any provider runs: {@link Refused}.
 *   <li>A device consent post (it has {@code state}): the client of the device authorization that {@code state}
 *       refers to, as Spring Authorization Server's device consent provider finds it.
 * </ul>
 *
 * Lookups are cached for the duration of the HTTP request.
 */
public final class AuthorizationRequestParameters {

    /** The prefix of every {@code request_uri} Spring Authorization Server issues (RFC 9126 §2.2). */
    static final String REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:";

    /** The {@code acr_values} parameter (OIDC Core 1.0 §3.1.2.1). */
    public static final String ACR_VALUES = "acr_values";

    private static final OAuth2TokenType STATE = new OAuth2TokenType(OAuth2ParameterNames.STATE);
    private static final OAuth2TokenType USER_CODE = new OAuth2TokenType(OAuth2ParameterNames.USER_CODE);
    private static final String CACHE = AuthorizationRequestParameters.class.getName() + ".resolution";
    private static final int MAX_REQUEST_URI_LENGTH = 512;
    private static final int MAX_STATE_LENGTH = 512;
    private static final int MAX_USER_CODE_LENGTH = 1024;
    // OAuth2EndpointUtils.normalizeUserCode / validateUserCode in Spring Authorization Server 7.0.
    private static final Pattern NOT_USER_CODE_CHARACTER = Pattern.compile("[^A-Z\\d]+");
    private static final int USER_CODE_CHARACTERS = 8;
    private static final Set<String> REFUSED_WHEN_REPEATED = Set.of(
            OAuth2ParameterNames.RESPONSE_TYPE,
            OAuth2ParameterNames.CLIENT_ID,
            AuthenticationAge.PROMPT,
            AuthenticationAge.MAX_AGE,
            ACR_VALUES);
    private static final String REQUEST_URI_ERROR = "https://datatracker.ietf.org/doc/html/rfc9126#section-4";

    private final OAuth2AuthorizationService authorizations;
    private final RegisteredClientRepository clients;
    private final RequestMatcher authorizationEndpoint;
    private final RequestMatcher deviceVerificationEndpoint;

    /** Which endpoint, and which of its requests, a request is. */
    public enum Kind {
        /** An authorization request (RFC 6749 §4.1.1), pushed (RFC 9126) or not. */
        AUTHORIZATION_REQUEST,
        /** The consent post that continues an authorization request. */
        AUTHORIZATION_CONSENT,
        /** A device verification request: the user code typed in (RFC 8628 §3.3). */
        DEVICE_VERIFICATION,
        /** The consent post that continues a device verification. */
        DEVICE_CONSENT,
        /** Anything else: a page of ours on a guarded path, another endpoint. */
        OTHER
    }

    /** What a request resolves to; a sealed set of outcomes, each of which a caller must handle. */
    public sealed interface Resolution permits Resolved, Unresolved, Refused {

        /**
         * Which request this is.
         *
         * @return the kind
         */
        Kind kind();
    }

    /**
     * The parameters Spring Authorization Server will act on.
     *
     * @param kind which request this is
     * @param parameters the parameters (single values), {@code client_id} included when known
     */
    public record Resolved(Kind kind, Map<String, String> parameters) implements Resolution {

        /**
         * Copies the parameters.
         *
         * @param kind which request this is
         * @param parameters the parameters
         */
        public Resolved {
            Objects.requireNonNull(kind, "kind must not be null");
            parameters = Map.copyOf(parameters);
        }

        /**
         * One parameter.
         *
         * @param name its name
         * @return its value, or {@code null} if absent
         */
        public @Nullable String get(String name) {
            return parameters.get(name);
        }

        /**
         * The client the request acts for.
         *
         * @return its {@code client_id}, or {@code null} if the request names none
         */
        public @Nullable String clientId() {
            return parameters.get(OAuth2ParameterNames.CLIENT_ID);
        }
    }

    /**
     * A request that refers to something (a pushed request, a user code, a consent state) that cannot be found, or
     * that is malformed in a way that hides what it asks for. Callers take the strict path.
     *
     * @param kind which request this is
     * @param reason why, for logs (never a secret or the value sent)
     */
    public record Unresolved(Kind kind, String reason) implements Resolution {}

    /**
     * A request Spring Authorization Server refuses before any code or approval (a user code that is not eight letters
     * or digits, a repeated parameter), in its converter or its validators. Nothing can be issued for it.
     *
     * @param kind which request this is
     * @param reason why
     */
    public record Refused(Kind kind, String reason) implements Resolution {}

    /**
     * Creates the resolver for Spring Authorization Server's default endpoint paths.
     *
     * @param authorizations where Spring Authorization Server stores pushed requests, consent states and device codes
     * @param clients the registered clients
     * @param authorizationEndpoint the authorization endpoint ({@code /oauth2/authorize})
     * @param deviceVerificationEndpoint the device verification endpoint ({@code /oauth2/device_verification})
     */
    public AuthorizationRequestParameters(
            OAuth2AuthorizationService authorizations,
            RegisteredClientRepository clients,
            RequestMatcher authorizationEndpoint,
            RequestMatcher deviceVerificationEndpoint) {
        this.authorizations = Objects.requireNonNull(authorizations, "authorizations must not be null");
        this.clients = Objects.requireNonNull(clients, "clients must not be null");
        this.authorizationEndpoint =
                Objects.requireNonNull(authorizationEndpoint, "authorizationEndpoint must not be null");
        this.deviceVerificationEndpoint =
                Objects.requireNonNull(deviceVerificationEndpoint, "deviceVerificationEndpoint must not be null");
    }

    /**
     * Resolves a request as Spring Authorization Server will.
     *
     * @param request the HTTP request
     * @return what it resolves to
     */
    public Resolution resolve(HttpServletRequest request) {
        Object cached = request.getAttribute(CACHE);
        if (cached instanceof Resolution resolution) {
            return resolution;
        }
        Resolution resolution = resolveOnce(request);
        request.setAttribute(CACHE, resolution);
        return resolution;
    }

    private Resolution resolveOnce(HttpServletRequest request) {
        if (authorizationEndpoint.matches(request)) {
            return authorizationEndpoint(request);
        }
        if (deviceVerificationEndpoint.matches(request)) {
            return deviceVerificationEndpoint(request);
        }
        return new Resolved(Kind.OTHER, Map.of());
    }

    private Resolution authorizationEndpoint(HttpServletRequest request) {
        if (isAuthorizationConsent(request)) {
            return authorizationConsent(request);
        }
        Map<String, List<String>> view = sasView(request);
        List<String> requestUri = view.getOrDefault(OAuth2ParameterNames.REQUEST_URI, List.of());
        // As Spring Authorization Server's converter: the first request_uri, and only if it has text.
        if (!requestUri.isEmpty() && !requestUri.get(0).isBlank()) {
            if (requestUri.size() != 1) {
                return new Refused(Kind.AUTHORIZATION_REQUEST, "request_uri repeated");
            }
            List<String> clientId = view.getOrDefault(OAuth2ParameterNames.CLIENT_ID, List.of());
            return pushed(requestUri.get(0), clientId.size() == 1 ? clientId.get(0) : null);
        }
        Map<String, String> parameters = new HashMap<>();
        for (Map.Entry<String, List<String>> p : view.entrySet()) {
            if (p.getValue().size() == 1) {
                parameters.put(p.getKey(), p.getValue().get(0));
            } else if (REFUSED_WHEN_REPEATED.contains(p.getKey())) {
                // RFC 6749 §3.1: sent at most once. Spring Authorization Server refuses a repeated response_type or
                // client_id, AuthenticationRequestValidator a repeated prompt, max_age or acr_values.
                return new Refused(Kind.AUTHORIZATION_REQUEST, "parameter repeated");
            }
        }
        return new Resolved(Kind.AUTHORIZATION_REQUEST, parameters);
    }

    /** OAuth2AuthorizationConsentAuthenticationConverter's matcher, on the merged parameters as it reads them. */
    private static boolean isAuthorizationConsent(HttpServletRequest request) {
        return "POST".equals(request.getMethod())
                && request.getParameter(OAuth2ParameterNames.RESPONSE_TYPE) == null
                && request.getParameter(OAuth2ParameterNames.REQUEST_URI) == null
                && request.getParameter(OAuth2ParameterNames.REDIRECT_URI) == null
                && request.getParameter(PkceParameterNames.CODE_CHALLENGE) == null
                && request.getParameter(PkceParameterNames.CODE_CHALLENGE_METHOD) == null;
    }

    /**
     * The parameters Spring Authorization Server's authorization request converter reads ({@code
     * OAuth2EndpointUtils.getQueryParameters} for a GET, {@code getFormParameters} for a POST): a parameter counts
     * as a query parameter when its name occurs anywhere in the query string, as a form parameter otherwise.
     */
    private static Map<String, List<String>> sasView(HttpServletRequest request) {
        String query = request.getQueryString() == null ? "" : request.getQueryString();
        boolean fromQuery = "GET".equals(request.getMethod());
        Map<String, List<String>> view = new HashMap<>();
        for (Map.Entry<String, String[]> p : request.getParameterMap().entrySet()) {
            if (query.contains(p.getKey()) == fromQuery && p.getValue().length > 0) {
                view.put(p.getKey(), List.of(p.getValue()));
            }
        }
        return view;
    }

    /** As OAuth2AuthorizationCodeRequestAuthenticationProvider resolves a {@code request_uri} (RFC 9126 §4). */
    private Resolution pushed(String requestUri, @Nullable String clientId) {
        if (clientId == null
                || requestUri.length() > MAX_REQUEST_URI_LENGTH
                || !requestUri.startsWith(REQUEST_URI_PREFIX)) {
            // requireRequestUriPrefix refuses another prefix; Spring Authorization Server a missing client_id.
            return new Refused(Kind.AUTHORIZATION_REQUEST, "request_uri not one this server issued");
        }
        // Spring Authorization Server keys the pushed authorization by the part after the prefix (its "state").
        @Nullable
        OAuth2Authorization pushed =
                authorizations.findByToken(requestUri.substring(REQUEST_URI_PREFIX.length()), STATE);
        @Nullable
        OAuth2AuthorizationRequest stored =
                pushed == null ? null : pushed.getAttribute(OAuth2AuthorizationRequest.class.getName());
        if (stored == null || !clientId.equals(stored.getClientId())) {
            // Found as Spring Authorization Server finds it: what we cannot find, it cannot either (invalid_request).
            return new Refused(Kind.AUTHORIZATION_REQUEST, "request_uri unknown, used or of another client");
        }
        return stored(Kind.AUTHORIZATION_REQUEST, stored);
    }

    /** As OAuth2AuthorizationConsentAuthenticationProvider finds the request a consent post continues. */
    private Resolution authorizationConsent(HttpServletRequest request) {
        String state = single(request, OAuth2ParameterNames.STATE);
        String clientId = single(request, OAuth2ParameterNames.CLIENT_ID);
        if (state == null || state.length() > MAX_STATE_LENGTH || clientId == null) {
            return new Unresolved(Kind.AUTHORIZATION_CONSENT, "consent without a single state and client_id");
        }
        @Nullable OAuth2Authorization authorization = authorizations.findByToken(state, STATE);
        @Nullable
        OAuth2AuthorizationRequest stored =
                authorization == null ? null : authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
        if (stored == null || !clientId.equals(stored.getClientId())) {
            return new Refused(Kind.AUTHORIZATION_CONSENT, "consent state unknown or of another client");
        }
        return stored(Kind.AUTHORIZATION_CONSENT, stored);
    }

    private static Resolution stored(Kind kind, OAuth2AuthorizationRequest stored) {
        Map<String, String> parameters = new HashMap<>();
        for (Map.Entry<String, Object> p : stored.getAdditionalParameters().entrySet()) {
            if (ResourceIndicators.RESOURCE.equals(p.getKey())) {
                continue; // RFC 8707 §2: repeatable (a list when it was); no filter before the endpoint reads it
            }
            if (!(p.getValue() instanceof String s)) {
                return new Unresolved(kind, "stored parameter is not a single value");
            }
            parameters.put(p.getKey(), s);
        }
        parameters.put(OAuth2ParameterNames.CLIENT_ID, stored.getClientId());
        parameters.put(OAuth2ParameterNames.SCOPE, String.join(" ", stored.getScopes()));
        if (stored.getRedirectUri() != null) {
            parameters.put(OAuth2ParameterNames.REDIRECT_URI, stored.getRedirectUri());
        }
        if (stored.getState() != null) {
            parameters.put(OAuth2ParameterNames.STATE, stored.getState());
        }
        return new Resolved(kind, parameters);
    }

    private Resolution deviceVerificationEndpoint(HttpServletRequest request) {
        // OAuth2DeviceVerificationEndpointFilter: its converters run only with a user_code; with a state (POST) the
        // request is a consent.
        if (request.getParameter(OAuth2ParameterNames.USER_CODE) == null) {
            return new Resolved(Kind.OTHER, Map.of());
        }
        if ("POST".equals(request.getMethod()) && request.getParameter(OAuth2ParameterNames.STATE) != null) {
            String state = single(request, OAuth2ParameterNames.STATE);
            @Nullable
            OAuth2Authorization device = state == null || state.length() > MAX_STATE_LENGTH
                    ? null
                    : authorizations.findByToken(state, STATE);
            return deviceClient(Kind.DEVICE_CONSENT, device);
        }
        if (request.getParameter(OAuth2ParameterNames.STATE) != null) {
            return new Unresolved(Kind.DEVICE_VERIFICATION, "state on a GET");
        }
        String @Nullable [] typed = request.getParameterValues(OAuth2ParameterNames.USER_CODE);
        if (typed == null || typed.length != 1 || typed[0].length() > MAX_USER_CODE_LENGTH) {
            // Repeated (in the query and the form, say, of which Spring Authorization Server reads only one), or
            // longer than we care to normalise: not certainly refused, so not resolved either.
            return new Unresolved(Kind.DEVICE_VERIFICATION, "user_code repeated or too long");
        }
        @Nullable String userCode = normalizeUserCode(typed[0]);
        if (userCode == null) {
            // The one value there is fails OAuth2EndpointUtils.validateUserCode: the converter refuses it.
            return new Refused(Kind.DEVICE_VERIFICATION, "not a user code");
        }
        return deviceClient(Kind.DEVICE_VERIFICATION, authorizations.findByToken(userCode, USER_CODE));
    }

    private Resolution deviceClient(Kind kind, @Nullable OAuth2Authorization device) {
        if (device == null) {
            // Looked up as Spring Authorization Server looks it up (invalid_grant, invalid_request).
            return new Refused(kind, "no device authorization for this user code or state");
        }
        @Nullable RegisteredClient client = clients.findById(device.getRegisteredClientId());
        if (client == null) {
            return new Unresolved(kind, "the client of this device authorization is gone");
        }
        return new Resolved(kind, Map.of(OAuth2ParameterNames.CLIENT_ID, client.getClientId()));
    }

    /**
     * A user code in the one form Spring Authorization Server 7 stores and looks up (its {@code
     * OAuth2EndpointUtils.normalizeUserCode}): upper case ({@link Locale#ENGLISH}), every run of characters other
     * than {@code A-Z} and digits dropped, exactly eight left, a dash after the fourth (RFC 8628 §6.1).
     *
     * @param userCode the code as typed, or {@code null}
     * @return the normalised code, or {@code null} where Spring Authorization Server refuses the code
     *     ({@code invalid_request})
     */
    static @Nullable String normalizeUserCode(@Nullable String userCode) {
        if (userCode == null) {
            return null;
        }
        String kept = NOT_USER_CODE_CHARACTER
                .matcher(userCode.toUpperCase(Locale.ENGLISH))
                .replaceAll("");
        if (kept.length() != USER_CODE_CHARACTERS) {
            return null;
        }
        return kept.substring(0, 4) + "-" + kept.substring(4);
    }

    /**
     * Wraps one of the authorization endpoint's converters so that a {@code request_uri} without the exact prefix
     * this server issues is refused ({@code invalid_request}, RFC 9126 §4), before Spring Authorization Server, which
     * reads the part after the prefix's length without checking the prefix, could act on it. The pushed parameters
     * are authoritative (RFC 9126 §4, OIDC Core 1.0 §3.1.2.1): a request may not reach them by a form the filters in
     * front of the endpoint do not recognise.
     *
     * @param converter one of Spring Authorization Server's converters
     * @return the converter, refusing foreign {@code request_uri} values first
     */
    public static AuthenticationConverter requireRequestUriPrefix(AuthenticationConverter converter) {
        Objects.requireNonNull(converter, "converter must not be null");
        return request -> {
            String @Nullable [] requestUri = request.getParameterValues(OAuth2ParameterNames.REQUEST_URI);
            if (requestUri != null) {
                for (String value : requestUri) {
                    // Repeated: Spring Authorization Server would take the first, or fail on the array.
                    if ((!value.isBlank() && !value.startsWith(REQUEST_URI_PREFIX)) || requestUri.length > 1) {
                        throw new OAuth2AuthenticationException(new OAuth2Error(
                                OAuth2ErrorCodes.INVALID_REQUEST,
                                "OAuth 2.0 Parameter: " + OAuth2ParameterNames.REQUEST_URI,
                                REQUEST_URI_ERROR));
                    }
                }
            }
            return converter.convert(request);
        };
    }

    /**
     * Matches authorization requests whose {@code prompt} (own or pushed) is {@code none} (OIDC Core 1.0
     * §3.1.2.1): such a request must reach Spring Authorization Server even without a session, which answers it
     * with {@code login_required} instead of a page. An unresolved request never matches (the sign-in page follows).
     *
     * @return the matcher
     */
    public RequestMatcher promptNone() {
        return request -> resolve(request) instanceof Resolved r
                && r.kind() == Kind.AUTHORIZATION_REQUEST
                && AuthenticationAge.prompts(r.get(AuthenticationAge.PROMPT)).contains(AuthenticationAge.PROMPT_NONE);
    }

    private static @Nullable String single(HttpServletRequest request, String name) {
        String @Nullable [] values = request.getParameterValues(name);
        return values == null || values.length != 1 || values[0].isEmpty() ? null : values[0];
    }

    private static boolean hasText(String[] values) {
        for (String v : values) {
            if (!v.isBlank()) {
                return true;
            }
        }
        return false;
    }
}
