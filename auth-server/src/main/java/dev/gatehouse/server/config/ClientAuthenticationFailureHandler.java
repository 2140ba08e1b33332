package dev.gatehouse.server.config;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.http.converter.OAuth2ErrorHttpMessageConverter;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

/**
 * Failed client authentication at the token, introspection, revocation, PAR and device authorization endpoints:
 * {@code 401 invalid_client} with {@code WWW-Authenticate: Basic realm="gatehouse"} (RFC 6749 §5.2: a client that
 * used the {@code Authorization} header must get a challenge for its scheme; RFC 9110 §15.5.2: every 401 carries
 * one, and HTTP Basic is the only scheme clients are registered with), any other error {@code 400}. As in Spring
 * Authorization Server's default handler (which sends no challenge), the body holds the error code only, never why
 * the credentials failed. Requests with no client authentication at all are answered the same way by {@link
 * ClientAuthenticationEntryPoint}.
 */
final class ClientAuthenticationFailureHandler implements AuthenticationFailureHandler {

    /** The challenge for HTTP Basic client authentication (RFC 6749 §2.3.1, RFC 7617 §2). */
    static final String BASIC_CHALLENGE = "Basic realm=\"gatehouse\"";

    private final HttpMessageConverter<OAuth2Error> errors = new OAuth2ErrorHttpMessageConverter();

    @Override
    public void onAuthenticationFailure(
            HttpServletRequest request, HttpServletResponse response, AuthenticationException exception)
            throws IOException {
        SecurityContextHolder.clearContext();
        String code = exception instanceof OAuth2AuthenticationException oauth
                ? oauth.getError().getErrorCode()
                : OAuth2ErrorCodes.INVALID_CLIENT;
        ServletServerHttpResponse http = new ServletServerHttpResponse(response);
        if (OAuth2ErrorCodes.INVALID_CLIENT.equals(code)) {
            http.setStatusCode(HttpStatus.UNAUTHORIZED);
            http.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, BASIC_CHALLENGE);
        } else {
            http.setStatusCode(HttpStatus.BAD_REQUEST);
        }
        http.getHeaders().setCacheControl("no-store");
        errors.write(new OAuth2Error(code), null, http);
    }
}
