package dev.gatehouse.server.config;

import dev.gatehouse.server.transport.AuthorizationErrorPage;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.security.web.DefaultRedirectStrategy;
import org.springframework.security.web.RedirectStrategy;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.util.StringUtils;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * The authorization endpoint's responses with the {@code iss} parameter (RFC 9207 §2): every response redirected to
 * the client, the code as well as every error (access_denied from consent, login_required, interaction_required,
 * invalid_scope, ...), names the issuer, so a client talking to several authorization servers can tell which one
 * answered (the mix-up defence of RFC 9700 §4.4.2). Discovery advertises it ({@code
 * authorization_response_iss_parameter_supported}, RFC 9207 §3).
 *
 * <p>Spring Authorization Server 7.0.6 never adds {@code iss}; these handlers replace its default ones on the
 * {@code authorizationResponseHandler} and {@code errorResponseHandler} hooks and otherwise answer exactly as they do
 * (code and {@code state} in the query, error code, description and URI; an error without a validated redirect URI
 * is a {@code 400} here, never a redirect). The issuer is the one Spring Authorization Server resolved for the
 * request: the configured {@code gatehouse.token.issuer}, the same value as discovery's {@code issuer} (RFC 9207 §2.4).
 */
final class IssuerAuthorizationResponses implements AuthenticationSuccessHandler, AuthenticationFailureHandler {

    /** RFC 9207 §2: the authorization response parameter. */
    static final String ISS = "iss";

    private final RedirectStrategy redirects = new DefaultRedirectStrategy();

    @Override
    public void onAuthenticationSuccess(
            HttpServletRequest request, HttpServletResponse response, Authentication authentication)
            throws IOException {
        OAuth2AuthorizationCodeRequestAuthenticationToken result =
                (OAuth2AuthorizationCodeRequestAuthenticationToken) authentication;
        if (result.getAuthorizationCode() == null || !StringUtils.hasText(result.getRedirectUri())) {
            // Spring Authorization Server only calls this with an issued code and a validated redirect URI.
            response.sendError(HttpStatus.BAD_REQUEST.value());
            return;
        }
        UriComponentsBuilder uri = UriComponentsBuilder.fromUriString(result.getRedirectUri())
                .queryParam(
                        OAuth2ParameterNames.CODE, result.getAuthorizationCode().getTokenValue());
        redirects.sendRedirect(request, response, finish(uri, result.getState()));
    }

    @Override
    public void onAuthenticationFailure(
            HttpServletRequest request, HttpServletResponse response, AuthenticationException exception)
            throws IOException {
        OAuth2Error error = exception instanceof OAuth2AuthenticationException oauth
                ? oauth.getError()
                : new OAuth2Error(OAuth2ErrorCodes.SERVER_ERROR);
        OAuth2AuthorizationCodeRequestAuthenticationToken authorizationRequest =
                exception instanceof OAuth2AuthorizationCodeRequestAuthenticationException e
                        ? e.getAuthorizationCodeRequestAuthentication()
                        : null;
        if (authorizationRequest == null || !StringUtils.hasText(authorizationRequest.getRedirectUri())) {
            // RFC 6749 §4.1.2.1: no (valid) redirect URI, no redirect; the user agent sees the error, and the page
            // says whether the application or its redirect address was at fault.
            AuthorizationErrorPage.describe(request, error.getErrorCode(), error.getDescription());
            response.sendError(HttpStatus.BAD_REQUEST.value(), error.toString());
            return;
        }
        UriComponentsBuilder uri = UriComponentsBuilder.fromUriString(authorizationRequest.getRedirectUri())
                .queryParam(OAuth2ParameterNames.ERROR, error.getErrorCode());
        if (StringUtils.hasText(error.getDescription())) {
            uri.queryParam(OAuth2ParameterNames.ERROR_DESCRIPTION, encode(error.getDescription()));
        }
        if (StringUtils.hasText(error.getUri())) {
            uri.queryParam(OAuth2ParameterNames.ERROR_URI, encode(error.getUri()));
        }
        redirects.sendRedirect(request, response, finish(uri, authorizationRequest.getState()));
    }

    /** {@code state} as sent (RFC 6749 §4.1.2), then {@code iss} (RFC 9207 §2); every component already encoded. */
    private static String finish(UriComponentsBuilder uri, @Nullable String state) {
        if (StringUtils.hasText(state)) {
            uri.queryParam(OAuth2ParameterNames.STATE, encode(state));
        }
        uri.queryParam(ISS, encode(AuthorizationServerContextHolder.getContext().getIssuer()));
        return uri.build(true).toUriString();
    }

    private static String encode(String value) {
        return UriUtils.encode(value, StandardCharsets.UTF_8);
    }
}
