package dev.gatehouse.server.config;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §4) refused: {@code 400} with the error code in an RFC
 * 6749 §5.2-shaped JSON body, and never a redirect (an unverified {@code post_logout_redirect_uri} must not be
 * followed). Spring Authorization Server's default handler answers {@code sendError(400)}, whose error page drops
 * the code. Codes are Spring Authorization Server's: {@code invalid_request} (missing or repeated {@code
 * id_token_hint}, unregistered {@code post_logout_redirect_uri}, {@code client_id} not the token's audience), {@code
 * invalid_token} (an {@code id_token_hint} this server did not issue, or for another session). The description is
 * Spring Authorization Server's parameter name only, never a parameter value.
 */
final class LogoutErrorResponseHandler implements AuthenticationFailureHandler {

    @Override
    public void onAuthenticationFailure(
            HttpServletRequest request, HttpServletResponse response, AuthenticationException exception)
            throws IOException {
        OAuth2Error error = exception instanceof OAuth2AuthenticationException e
                ? e.getError()
                : new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST);
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        StringBuilder body = new StringBuilder("{\"error\":\"")
                .append(ProtocolRequestGuard.jsonEscape(error.getErrorCode()))
                .append('"');
        if (error.getDescription() != null) {
            body.append(",\"error_description\":\"")
                    .append(ProtocolRequestGuard.jsonEscape(error.getDescription()))
                    .append('"');
        }
        response.getOutputStream().write(body.append('}').toString().getBytes(StandardCharsets.UTF_8));
    }
}
