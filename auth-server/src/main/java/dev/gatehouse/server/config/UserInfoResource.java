package dev.gatehouse.server.config;

import dev.gatehouse.server.transport.DatabaseUnavailable;
import dev.gatehouse.spring.autoconfigure.BearerChallenge;
import dev.gatehouse.spring.autoconfigure.GatehouseProtectedResource;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.resource.OAuth2ResourceServerConfigurer;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContext;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.security.oauth2.server.resource.BearerTokenError;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The UserInfo endpoint as an OAuth 2.0 protected resource (OpenID Connect Core 1.0 §5.3.3, RFC 6750 §3):
 *
 * <ul>
 *   <li>No token: {@code 401} with {@code WWW-Authenticate: Bearer} and no error code (RFC 6750 §3.1), whatever the
 *       {@code Accept} header: an API, never a redirect to the sign-in page.
 *   <li>A token that is invalid, expired or revoked: {@code 401} with {@code error="invalid_token"}; a token without
 *       {@code openid}: {@code 403} with {@code error="insufficient_scope"} and {@code scope="openid"}.
 *   <li>Each challenge names this resource's metadata (RFC 9728 §5.1), which is served: {@code resource} is the
 *       UserInfo URL built from the issuer, {@code authorization_servers} the issuer (RFC 9728 §2, §3). Spring
 *       Security 7's defaults built both from the request's {@code Host} header and advertised a document the
 *       sign-in chain answered with a redirect.
 * </ul>
 */
final class UserInfoResource implements AuthenticationEntryPoint, AuthenticationFailureHandler {

    /** RFC 9728 §3.1: the well-known prefix inserted before the resource's path. */
    static final String WELL_KNOWN = GatehouseProtectedResource.WELL_KNOWN;

    static final String USERINFO_PATH = "/userinfo";

    private final String metadataPath;

    /**
     * @param configuredIssuer {@code gatehouse.token.issuer}, or {@code null} when derived from requests; its path (if any)
     *     is part of the UserInfo URL and so of the metadata path (RFC 9728 §3.1)
     */
    UserInfoResource(@Nullable String configuredIssuer) {
        String issuerPath = configuredIssuer == null ? "" : path(URI.create(configuredIssuer));
        this.metadataPath = WELL_KNOWN + issuerPath + USERINFO_PATH;
    }

    /** The metadata document's requests: {@code GET} only. */
    RequestMatcher metadataRequests() {
        return PathPatternRequestMatcher.pathPattern(HttpMethod.GET, metadataPath);
    }

    /** The UserInfo requests (for the entry point). */
    static RequestMatcher userInfoRequests() {
        return PathPatternRequestMatcher.pathPattern(USERINFO_PATH);
    }

    /** Challenges and the served metadata document on the authorization server chain's resource server. */
    void configure(OAuth2ResourceServerConfigurer<HttpSecurity> resourceServer) {
        resourceServer
                .authenticationEntryPoint(this)
                .protectedResourceMetadata(metadata -> metadata.protectedResourceMetadataCustomizer(document -> {
                    String issuer = issuer();
                    if (issuer == null) {
                        return;
                    }
                    // Without gatehouse.token.issuer (development only), Spring Authorization Server derives the issuer
                    // from this request's URL, well-known segment included.
                    URI uri = URI.create(issuer.replace(WELL_KNOWN, ""));
                    String authorizationServer = uri.getScheme() + "://" + uri.getRawAuthority() + path(uri);
                    document.resource(authorizationServer + USERINFO_PATH)
                            .authorizationServer(authorizationServer)
                            .scope(OidcScopes.OPENID)
                            .resourceName("Gatehouse UserInfo")
                            // mTLS-bound tokens are not issued (DiscoveryMetadata); the default said they were.
                            .claims(claims -> claims.remove("tls_client_certificate_bound_access_tokens"));
                }));
    }

    /** No token, or a token the resource server refused (RFC 6750 §3.1). */
    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        if (DatabaseUnavailable.causes(e)) {
            throw DatabaseUnavailable.Failure.of(e);
        }
        OAuth2Error error = e instanceof OAuth2AuthenticationException oauth ? oauth.getError() : null;
        int status = error instanceof BearerTokenError bearer
                ? bearer.getHttpStatus().value()
                : HttpServletResponse.SC_UNAUTHORIZED;
        challenge(response, status, error);
    }

    /** Refusals by Spring Authorization Server's UserInfo provider: revoked token, no {@code openid} scope. */
    @Override
    public void onAuthenticationFailure(
            HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
        if (DatabaseUnavailable.causes(e)) {
            // Not the token's fault: answered 503 with Retry-After by the outage filter, not invalid_request.
            throw DatabaseUnavailable.Failure.of(e);
        }
        OAuth2Error error = e instanceof OAuth2AuthenticationException oauth
                ? oauth.getError()
                : new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN);
        int status = switch (error.getErrorCode()) {
            case OAuth2ErrorCodes.INVALID_TOKEN -> HttpServletResponse.SC_UNAUTHORIZED;
            case OAuth2ErrorCodes.INSUFFICIENT_SCOPE -> HttpServletResponse.SC_FORBIDDEN;
            default -> HttpServletResponse.SC_BAD_REQUEST;
        };
        challenge(response, status, error);
    }

    private void challenge(HttpServletResponse response, int status, @Nullable OAuth2Error error) throws IOException {
        String issuer = issuer();
        String challenge = BearerChallenge.of(
                error,
                error != null && OAuth2ErrorCodes.INSUFFICIENT_SCOPE.equals(error.getErrorCode())
                        ? OidcScopes.OPENID
                        : null,
                issuer == null ? null : metadataUrl(issuer));
        response.setStatus(status);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, challenge);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (error != null) {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.getOutputStream()
                    .write(("{\"error\":\"" + ProtocolRequestGuard.jsonEscape(error.getErrorCode()) + "\"}")
                            .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** RFC 9728 §3.1: the well-known segment between the issuer's origin and the UserInfo path. */
    private static String metadataUrl(String issuer) {
        URI uri = URI.create(issuer);
        return GatehouseProtectedResource.metadataUrl(
                uri.getScheme() + "://" + uri.getRawAuthority() + path(uri) + USERINFO_PATH);
    }

    /** The issuer's path without a trailing slash; empty for an issuer at the root. */
    private static String path(URI issuer) {
        String path = issuer.getRawPath();
        if (path == null) {
            return "";
        }
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static @Nullable String issuer() {
        AuthorizationServerContext context = AuthorizationServerContextHolder.getContext();
        return context == null ? null : context.getIssuer();
    }
}
