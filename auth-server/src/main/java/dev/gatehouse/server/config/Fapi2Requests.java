package dev.gatehouse.server.config;

import dev.gatehouse.server.clients.Fapi2ClientAuthentication;
import dev.gatehouse.server.clients.Fapi2Profile;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.endpoint.PkceParameterNames;
import org.springframework.security.oauth2.core.http.converter.OAuth2ErrorHttpMessageConverter;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationValidator;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.web.authentication.AuthenticationConverter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.util.StringUtils;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The FAPI 2.0 Security Profile's runtime rules for a client under it ({@link Fapi2Profile}), each refused before
 * Spring Authorization Server acts on the request, so nothing is stored and no code or refresh token is spent:
 *
 * <ul>
 *   <li>the authorization endpoint takes only a {@code request_uri} from a pushed authorization request (§5.3.2.2;
 *       RFC 9126 §5, {@code require_pushed_authorization_requests}): a front-channel request is {@code
 *       invalid_request}, sent to the redirect URI only when it is a registered one ({@link #authorizationEndpoint});
 *   <li>a pushed request must carry {@code redirect_uri} and an S256 {@code code_challenge} (§5.3.2.2; Spring refuses
 *       any other method itself): {@code invalid_request} ({@link #pushedRequest});
 *   <li>at the token and PAR endpoints the client must have authenticated with {@code private_key_jwt} (§5.3.2.1):
 *       {@code invalid_client}; at the token endpoint every grant needs a DPoP proof (§5.3.2.1, RFC 9449 §5.2 {@code
 *       dpop_bound_access_tokens}): {@code invalid_dpop_proof} ({@link #filter}).
 * </ul>
 */
final class Fapi2Requests {

    private static final String FAPI2_URI = "https://openid.net/specs/fapi-security-profile-2_0-final.html";
    private static final String DPOP_URI = "https://www.rfc-editor.org/rfc/rfc9449#section-5.2";
    private static final String PAR_URI = "https://www.rfc-editor.org/rfc/rfc9126#section-5";
    private static final String DPOP = "DPoP";

    private Fapi2Requests() {}

    /**
     * The filter for the token and pushed authorization request endpoints, to run after client authentication and
     * before the endpoints ({@code addFilterBefore(..., AuthorizationFilter.class)}).
     *
     * @param methods how a FAPI 2.0 client must have authenticated
     * @return the filter
     */
    static OncePerRequestFilter filter(Fapi2ClientAuthentication methods) {
        return new ClientRequests(methods);
    }

    /**
     * Wraps an authorization endpoint's request converter: a FAPI 2.0 client's request without {@code request_uri} is
     * refused as soon as it is read, before a sign-in or anything stored. Other results pass unchanged.
     *
     * @param converter a converter of the authorization endpoint
     * @param clients the registered clients
     * @return the converter to use
     */
    static AuthenticationConverter authorizationEndpoint(
            AuthenticationConverter converter, RegisteredClientRepository clients) {
        Objects.requireNonNull(converter, "converter must not be null");
        Objects.requireNonNull(clients, "clients must not be null");
        return request -> {
            Authentication converted = converter.convert(request);
            if (converted instanceof OAuth2AuthorizationCodeRequestAuthenticationToken authorizationRequest
                    && !(authorizationRequest.getAdditionalParameters().get(OAuth2ParameterNames.REQUEST_URI)
                                    instanceof String requestUri
                            && !requestUri.isEmpty())) {
                RegisteredClient client = clients.findByClientId(authorizationRequest.getClientId());
                if (client != null && Fapi2Profile.enabled(client)) {
                    throw frontChannelRefusal(authorizationRequest, client);
                }
            }
            return converted;
        };
    }

    /**
     * The pushed authorization request check, for the PAR provider's validator after the defaults (so the redirect
     * URI was validated and an error may name it).
     *
     * @param context the pushed request and its client
     */
    static void pushedRequest(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
        RegisteredClient client = context.getRegisteredClient();
        if (client == null || !Fapi2Profile.enabled(client)) {
            return;
        }
        OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
        // FAPI 2.0 §5.3.2.2: "shall require the redirect_uri parameter in pushed authorization requests".
        if (!StringUtils.hasText(request.getRedirectUri())) {
            throw new OAuth2AuthorizationCodeRequestAuthenticationException(
                    new OAuth2Error(
                            OAuth2ErrorCodes.INVALID_REQUEST,
                            "A FAPI 2.0 client must send redirect_uri in the pushed authorization request.",
                            FAPI2_URI),
                    null);
        }
        // §5.3.2.2: "shall require PKCE with S256", whatever the client's requireProofKey says.
        if (!(request.getAdditionalParameters().get(PkceParameterNames.CODE_CHALLENGE) instanceof String challenge
                        && !challenge.isEmpty())
                || !"S256".equals(request.getAdditionalParameters().get(PkceParameterNames.CODE_CHALLENGE_METHOD))) {
            throw new OAuth2AuthorizationCodeRequestAuthenticationException(
                    new OAuth2Error(
                            OAuth2ErrorCodes.INVALID_REQUEST,
                            "A FAPI 2.0 client must send a code_challenge with code_challenge_method S256.",
                            FAPI2_URI),
                    null);
        }
    }

    /**
     * RFC 9126 §5: {@code invalid_request}. Sent to the client only at a redirect URI Spring's own rule accepts
     * (RFC 6749 §4.1.2.1); otherwise the exception names no redirect URI and the user gets the error page.
     */
    private static OAuth2AuthorizationCodeRequestAuthenticationException frontChannelRefusal(
            OAuth2AuthorizationCodeRequestAuthenticationToken request, RegisteredClient client) {
        OAuth2Error error = new OAuth2Error(
                OAuth2ErrorCodes.INVALID_REQUEST,
                "This client must push its authorization requests (PAR) and send only client_id and request_uri.",
                PAR_URI);
        String redirectUri = request.getRedirectUri();
        try {
            OAuth2AuthorizationCodeRequestAuthenticationValidator.DEFAULT_REDIRECT_URI_VALIDATOR.accept(
                    OAuth2AuthorizationCodeRequestAuthenticationContext.with(request)
                            .registeredClient(client)
                            .build());
        } catch (RuntimeException invalid) {
            // An unregistered or malformed redirect URI: no redirect.
            return new OAuth2AuthorizationCodeRequestAuthenticationException(error, null);
        }
        if (!StringUtils.hasText(redirectUri)) {
            // Without redirect_uri Spring's rule accepts the one registered URI: the error goes there.
            if (client.getRedirectUris().size() != 1) {
                return new OAuth2AuthorizationCodeRequestAuthenticationException(error, null);
            }
            redirectUri = client.getRedirectUris().iterator().next();
        }
        OAuth2AuthorizationCodeRequestAuthenticationToken result =
                new OAuth2AuthorizationCodeRequestAuthenticationToken(
                        request.getAuthorizationUri(),
                        request.getClientId(),
                        (Authentication) request.getPrincipal(),
                        redirectUri,
                        request.getState(),
                        request.getScopes(),
                        request.getAdditionalParameters());
        return new OAuth2AuthorizationCodeRequestAuthenticationException(error, result);
    }

    /** The token and PAR endpoints, after client authentication. */
    private static final class ClientRequests extends OncePerRequestFilter {

        private static final RequestMatcher TOKEN = PathPatternRequestMatcher.pathPattern("/oauth2/token");
        private static final RequestMatcher PAR = PathPatternRequestMatcher.pathPattern("/oauth2/par");

        private final Fapi2ClientAuthentication methods;
        private final HttpMessageConverter<OAuth2Error> errors = new OAuth2ErrorHttpMessageConverter();
        private final ClientAuthenticationFailureHandler invalidClient = new ClientAuthenticationFailureHandler();

        ClientRequests(Fapi2ClientAuthentication methods) {
            this.methods = Objects.requireNonNull(methods, "methods must not be null");
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return !TOKEN.matches(request) && !PAR.matches(request);
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            if (authentication instanceof OAuth2ClientAuthenticationToken client
                    && client.isAuthenticated()
                    && client.getRegisteredClient() != null
                    && Fapi2Profile.enabled(client.getRegisteredClient())) {
                // FAPI 2.0 §5.3.2.1: clients authenticate with private_key_jwt (or mTLS, not offered here).
                if (!methods.accepts(client.getClientAuthenticationMethod())) {
                    invalidClient.onAuthenticationFailure(
                            request,
                            response,
                            new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT)));
                    return;
                }
                // FAPI 2.0 §5.3.2.1: only sender-constrained access tokens, here DPoP. RFC 9449 §5.2: a client with
                // dpop_bound_access_tokens must be refused a token request without a DPoP header; the error is §5's
                // invalid_dpop_proof, as for a proof that cannot be used (a missing proof is no valid proof).
                if (TOKEN.matches(request) && !StringUtils.hasText(request.getHeader(DPOP))) {
                    ServletServerHttpResponse http = new ServletServerHttpResponse(response);
                    http.setStatusCode(HttpStatus.BAD_REQUEST);
                    http.getHeaders().setCacheControl("no-store");
                    errors.write(
                            new OAuth2Error(
                                    OAuth2ErrorCodes.INVALID_DPOP_PROOF,
                                    "This client must send a DPoP proof with every token request.",
                                    DPOP_URI),
                            null,
                            http);
                    return;
                }
            }
            chain.doFilter(request, response);
        }
    }
}
