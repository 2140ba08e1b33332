package dev.gatehouse.server.config;

import dev.gatehouse.server.clients.RequestObjects;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.web.util.UrlUtils;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Signed request objects by value (JAR, RFC 9101 §2.1) at the authorization endpoint and the pushed authorization
 * request endpoint (RFC 9126 §3): the {@code request} parameter is verified with the client's keys ({@link
 * RequestObjects}) and the request goes on with the object's parameters only (RFC 9101 §6.3: the outer ones are
 * ignored, {@code client_id} aside; at PAR the client's own authentication parameters are kept too). The wrapping
 * happens before Spring Security, so every filter (step-up, re-authentication, rate limits by client) and Spring
 * Authorization Server read the same parameters. A {@code request_uri} other than a pushed request's is {@code
 * request_uri_not_supported} (RFC 9101 §6.2: by-reference objects are not fetched). Refusals: {@code 400} with {@code
 * invalid_request_object} (RFC 9101 §6.2), never redirected (the redirect URI inside an unverified object is not
 * trusted).
 */
final class RequestObjectFilter extends OncePerRequestFilter {

    static final String AUTHORIZE = "/oauth2/authorize";
    static final String PAR = "/oauth2/par";
    private static final Set<String> CLIENT_AUTHENTICATION =
            Set.of("client_id", "client_secret", "client_assertion", "client_assertion_type");

    private final RequestObjects objects;
    private final RegisteredClientRepository clients;

    RequestObjectFilter(RequestObjects objects, RegisteredClientRepository clients) {
        this.objects = Objects.requireNonNull(objects, "objects must not be null");
        this.clients = Objects.requireNonNull(clients, "clients must not be null");
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !AUTHORIZE.equals(path) && !PAR.equals(path);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String requestObject = request.getParameter("request");
        String requestUri = request.getParameter("request_uri");
        if (AUTHORIZE.equals(path)
                && requestUri != null
                && !requestUri.startsWith("urn:ietf:params:oauth:request_uri:")) {
            refuse(response, "request_uri_not_supported", "only request_uri values from pushed requests (RFC 9126)");
            return;
        }
        if (requestObject == null) {
            chain.doFilter(request, response);
            return;
        }
        if (requestUri != null) {
            refuse(response, "invalid_request", "request and request_uri must not both be present (RFC 9101 §5)");
            return;
        }
        String clientId = request.getParameter("client_id");
        @Nullable
        RegisteredClient client = clientId == null || clientId.isEmpty() ? null : clients.findByClientId(clientId);
        if (client == null) {
            refuse(response, "invalid_request", "client_id must name a registered client (RFC 9101 §5)");
            return;
        }
        Map<String, List<String>> parameters;
        try {
            parameters = objects.verify(client, requestObject, requestIssuer(request));
        } catch (RequestObjects.Refused e) {
            refuse(response, "invalid_request_object", String.valueOf(e.getMessage()));
            return;
        }
        Map<String, String[]> replaced = new LinkedHashMap<>();
        parameters.forEach((name, values) -> replaced.put(name, values.toArray(String[]::new)));
        if (PAR.equals(path)) {
            for (String name : CLIENT_AUTHENTICATION) {
                String[] values = request.getParameterValues(name);
                if (values != null && !name.equals("client_id")) {
                    replaced.put(name, values);
                }
            }
        }
        chain.doFilter(new Parameters(request, replaced), response);
    }

    /**
     * The issuer Spring Authorization Server derives from a request when none is configured (its context filter runs
     * after this one): scheme, host, port and context path. {@link RequestObjects} uses it only then.
     */
    private static String requestIssuer(HttpServletRequest request) {
        return UriComponentsBuilder.fromUriString(UrlUtils.buildFullRequestUrl(request))
                .replacePath(request.getContextPath())
                .replaceQuery(null)
                .fragment(null)
                .build()
                .toUriString();
    }

    private static void refuse(HttpServletResponse response, String error, String description) throws IOException {
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setHeader("Cache-Control", "no-store");
        // Our own fixed wording: no quote or backslash to escape (RFC 6749 §5.2 characters).
        String safe = description.replaceAll("[^\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]", "?");
        response.getWriter().write("{\"error\":\"" + error + "\",\"error_description\":\"" + safe + "\"}");
    }

    /** The request with the request object's parameters in place of its own (query for GET, form for POST). */
    private static final class Parameters extends HttpServletRequestWrapper {

        private final Map<String, String[]> parameters;
        private final @Nullable String query;

        Parameters(HttpServletRequest request, Map<String, String[]> parameters) {
            super(request);
            this.parameters = Collections.unmodifiableMap(parameters);
            this.query = "GET".equals(request.getMethod())
                    ? parameters.entrySet().stream()
                            .flatMap(e -> List.of(e.getValue()).stream().map(v -> encode(e.getKey()) + "=" + encode(v)))
                            .collect(Collectors.joining("&"))
                    : null;
        }

        private static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }

        @Override
        public @Nullable String getQueryString() {
            return query;
        }

        @Override
        public @Nullable String getParameter(String name) {
            String[] values = parameters.get(name);
            return values == null || values.length == 0 ? null : values[0];
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            return parameters;
        }

        @Override
        public Enumeration<String> getParameterNames() {
            return Collections.enumeration(parameters.keySet());
        }

        @Override
        public String @Nullable [] getParameterValues(String name) {
            return parameters.get(name);
        }
    }
}
