package dev.gatehouse.spring.autoconfigure;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.resource.OAuth2ResourceServerConfigurer;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.server.resource.BearerTokenError;
import org.springframework.security.oauth2.server.resource.BearerTokenErrorCodes;
import org.springframework.security.oauth2.server.resource.OAuth2ProtectedResourceMetadataClaimNames;
import org.springframework.security.oauth2.server.resource.authentication.AbstractOAuth2TokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.web.OAuth2ProtectedResourceMetadataFilter;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.access.DelegatingAccessDeniedHandler;
import org.springframework.security.web.csrf.CsrfException;

/**
 * This application as an OAuth 2.0 protected resource (RFC 9728), from {@code gatehouse.resource-server.resource}
 * and its sibling properties, never from a request's {@code Host}:
 *
 * <ul>
 *   <li>Spring Security's metadata document ({@code OAuth2ProtectedResourceMetadataFilter}) is served with the
 *       configured {@code resource}, {@code authorization_servers} (default the issuer), {@code scopes_supported},
 *       {@code resource_name}, {@code resource_documentation} and {@code bearer_methods_supported: ["header"]}
 *       (RFC 9728 §2), at {@code /.well-known/oauth-protected-resource} and, for a resource with a path, at that
 *       path behind the well-known prefix (RFC 9728 §3.1); any other path behind that prefix is left to the
 *       application ({@link ProtectedResourceChains}).
 *   <li>Every {@code WWW-Authenticate: Bearer} challenge, the {@code 401} without or with a refused token and the
 *       {@code 403 insufficient_scope}, names the document in {@code resource_metadata} (RFC 9728 §5.1). Spring
 *       Security's defaults build both the document's {@code resource} and that URL from the request's {@code Host}
 *       header, which anyone sending the request chooses.
 * </ul>
 *
 * <p>The starter applies it to every {@code HttpSecurity} whose chain enables {@code oauth2ResourceServer(...)},
 * replacing that chain's entry point and access-denied handler (without a resource, {@link ChainConfigurer} gives
 * challenges without {@code resource_metadata} and the chains serve no document); an application that builds its
 * challenges itself calls {@link #configure(OAuth2ResourceServerConfigurer)} on the chain it means. The document is served relative
 * to the application's root, so the application runs without a servlet context path.
 */
public final class GatehouseProtectedResource implements AuthenticationEntryPoint, AccessDeniedHandler {

    /** RFC 9728 §3: the well-known URI suffix, inserted between the host and the resource's path (§3.1). */
    public static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";

    /** RFC 9728 §2: not registered by Spring Security's claim names. */
    static final String RESOURCE_DOCUMENTATION = "resource_documentation";

    private final String resource;

    private final String metadataUrl;

    private final String metadataPath;

    private final List<String> authorizationServers;

    private final List<String> scopes;

    private final @Nullable String resourceName;

    private final @Nullable String resourceDocumentation;

    private final AccessDeniedHandler accessDenied;

    GatehouseProtectedResource(
            String resource,
            List<String> authorizationServers,
            List<String> scopes,
            @Nullable String resourceName,
            @Nullable String resourceDocumentation) {
        this.resource = Objects.requireNonNull(resource, "resource must not be null");
        this.metadataUrl = metadataUrl(resource);
        this.metadataPath = metadataPath(URI.create(resource));
        this.authorizationServers = List.copyOf(authorizationServers);
        this.scopes = List.copyOf(scopes);
        this.resourceName = resourceName;
        this.resourceDocumentation = resourceDocumentation;
        // A CSRF refusal stays Spring Security's plain 403, as oauth2ResourceServer() sets it up.
        Map<Class<? extends AccessDeniedException>, AccessDeniedHandler> csrf = new LinkedHashMap<>();
        csrf.put(CsrfException.class, new AccessDeniedHandlerImpl());
        this.accessDenied = new DelegatingAccessDeniedHandler(
                new LinkedHashMap<>(csrf), (request, response, e) -> insufficientScope(request, response));
    }

    /**
     * The resource identifier, {@code gatehouse.resource-server.resource}.
     *
     * @return e.g. {@code https://api.example.com/documents}
     */
    public String resource() {
        return resource;
    }

    /**
     * Where the metadata document is served (RFC 9728 §3.1), the {@code resource_metadata} of the challenges.
     *
     * @return e.g. {@code https://api.example.com/.well-known/oauth-protected-resource/documents}
     */
    public String metadataUrl() {
        return metadataUrl;
    }

    /**
     * Serves the metadata document and answers the challenges of a chain's resource server.
     *
     * @param resourceServer the chain's {@code oauth2ResourceServer(...)} configurer
     */
    public void configure(OAuth2ResourceServerConfigurer<HttpSecurity> resourceServer) {
        resourceServer
                .authenticationEntryPoint(this)
                .accessDeniedHandler(this)
                .protectedResourceMetadata(metadata -> metadata.protectedResourceMetadataCustomizer(document -> {
                    document.resource(resource);
                    authorizationServers.forEach(document::authorizationServer);
                    scopes.forEach(document::scope);
                    document.bearerMethods(methods -> {
                        methods.clear();
                        methods.add("header");
                    });
                    if (resourceName != null) {
                        document.resourceName(resourceName);
                    }
                    if (resourceDocumentation != null) {
                        document.claim(RESOURCE_DOCUMENTATION, resourceDocumentation);
                    }
                    // Spring's default says tokens are bound to client certificates (RFC 8705); the starter's
                    // decoder does not check that binding, so the claim would be false.
                    document.claims(claims -> claims.remove(
                            OAuth2ProtectedResourceMetadataClaimNames.TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS));
                }));
    }

    /** No token, or a refused one: RFC 6750 §3.1 with {@code resource_metadata} (RFC 9728 §5.1). */
    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) {
        challenge(response, e, metadataUrl);
    }

    /**
     * RFC 6750 §3.1: {@code 401} (or the bearer error's status) with the error, its description and scope, and
     * {@code resource_metadata} when a document is served.
     */
    static void challenge(HttpServletResponse response, AuthenticationException e, @Nullable String metadataUrl) {
        OAuth2Error error = e instanceof OAuth2AuthenticationException oauth ? oauth.getError() : null;
        String scope = error instanceof BearerTokenError bearer ? bearer.getScope() : null;
        int status = error instanceof BearerTokenError bearer
                ? bearer.getHttpStatus().value()
                : HttpServletResponse.SC_UNAUTHORIZED;
        response.setStatus(status);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, BearerChallenge.of(error, scope, metadataUrl));
    }

    /** A valid token without the authority the request needs: {@code 403 insufficient_scope} (RFC 6750 §3.1). */
    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException, ServletException {
        accessDenied.handle(request, response, e);
    }

    private void insufficientScope(HttpServletRequest request, HttpServletResponse response) {
        OAuth2Error error = request.getUserPrincipal() instanceof AbstractOAuth2TokenAuthenticationToken<?>
                ? new OAuth2Error(
                        BearerTokenErrorCodes.INSUFFICIENT_SCOPE,
                        "The request requires higher privileges than provided by the access token.",
                        null)
                : null;
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, BearerChallenge.of(error, null, metadataUrl));
    }

    /**
     * Where a resource's metadata is served (RFC 9728 §3.1): the well-known segment between the host and the
     * resource's path, a trailing slash of the path dropped.
     *
     * @param resource an absolute resource identifier, e.g. {@code https://api.example.com/documents}
     * @return e.g. {@code https://api.example.com/.well-known/oauth-protected-resource/documents}
     */
    public static String metadataUrl(String resource) {
        URI uri = URI.create(resource);
        if (!uri.isAbsolute() || uri.getRawAuthority() == null) {
            throw new IllegalArgumentException("resource must be an absolute URL");
        }
        return uri.getScheme() + "://" + uri.getRawAuthority() + metadataPath(uri);
    }

    /** The served path of the document within the application, e.g. {@code /.well-known/oauth-protected-resource/a}. */
    static String metadataPath(URI resource) {
        String path = resource.getRawPath() == null ? "" : resource.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return WELL_KNOWN + path;
    }

    /**
     * The requests this resource's document answers (RFC 9728 §3.1): {@code GET} of its path-suffixed well-known
     * path and of the bare one, compared exactly with the path within the application.
     */
    boolean isMetadataRequest(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod())) {
            return false;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals(WELL_KNOWN) || path.equals(metadataPath);
    }

    /**
     * Applies the starter to a chain when the chain turned on {@code oauth2ResourceServer(...)}: added to every
     * {@code HttpSecurity} before the application configures it, it looks at the chain only when the chain is
     * built, once the application's own configuration is in. With a resource, its document and challenges; without
     * one, challenges without {@code resource_metadata} (RFC 6750 §3.1) and, through {@link ProtectedResourceChains},
     * no document at all: Spring Security's would describe whatever the request's {@code Host} names.
     */
    static final class ChainConfigurer extends AbstractHttpConfigurer<ChainConfigurer, HttpSecurity> {

        private final @Nullable GatehouseProtectedResource resource;

        private final ProtectedResourceChains chains;

        ChainConfigurer(@Nullable GatehouseProtectedResource resource, ProtectedResourceChains chains) {
            this.resource = resource;
            this.chains = chains;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void init(HttpSecurity http) {
            OAuth2ResourceServerConfigurer<HttpSecurity> resourceServer =
                    http.getConfigurer(OAuth2ResourceServerConfigurer.class);
            if (resourceServer == null) {
                return;
            }
            if (resource != null) {
                resource.configure(resourceServer);
            } else {
                // Spring Security's default access-denied handler names no metadata; its entry point does.
                resourceServer.authenticationEntryPoint((request, response, e) -> challenge(response, e, null));
            }
            // The chain's metadata filter answers every path under the well-known prefix; the built chain gets it
            // narrowed to this resource's paths, or removed.
            resourceServer.addObjectPostProcessor(new ObjectPostProcessor<OAuth2ProtectedResourceMetadataFilter>() {
                @Override
                public <O extends OAuth2ProtectedResourceMetadataFilter> O postProcess(O filter) {
                    chains.add(filter);
                    return filter;
                }
            });
        }
    }
}
