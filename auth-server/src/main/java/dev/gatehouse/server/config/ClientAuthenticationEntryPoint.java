package dev.gatehouse.server.config;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * The back-channel endpoints' answer to a request that carries no client authentication at all: {@code 401
 * invalid_client} with a {@code WWW-Authenticate} challenge for the scheme the client should have used (RFC 6749
 * §5.2: "no client authentication included"; RFC 9126 §2.1 applies the same to PAR). Spring Authorization Server's
 * client authentication filter only answers requests that present credentials; without this entry point such a
 * request fell through to the sign-in redirect (302 to {@code /login}) or an empty bearer challenge. Wrong or unknown
 * credentials never reach here: Spring Authorization Server answers them itself.
 */
final class ClientAuthenticationEntryPoint implements AuthenticationEntryPoint {

    private static final byte[] BODY = ("{\"error\":\"invalid_client\",\"error_description\":"
                    + "\"Client authentication failed: no client authentication included.\","
                    + "\"error_uri\":\"https://datatracker.ietf.org/doc/html/rfc6749#section-5.2\"}")
            .getBytes(StandardCharsets.UTF_8);

    @Override
    public void commence(
            HttpServletRequest request, HttpServletResponse response, AuthenticationException authException)
            throws IOException {
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader("WWW-Authenticate", ClientAuthenticationFailureHandler.BASIC_CHALLENGE);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        response.getOutputStream().write(BODY);
    }
}
