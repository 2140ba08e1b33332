package dev.gatehouse.server.signin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON answers of {@code POST /login/webauthn} (issue #16), read by {@code /assets/passkey-sign-in.js}: on
 * success {@code {"authenticated":true,"redirectUrl":...}}, the saved request resumed on the configured issuer (as
 * after the password, {@link SavedRequestRedirect}; never built from the {@code Host} header); on failure a 401 with
 * one generic message, whatever the reason (which only the audit trail records).
 */
public final class PasskeySignInResponses {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PasskeySignInResponses() {}

    /**
     * The success answer.
     *
     * @param issuer the configured issuer, or {@code null} (then the redirect is a path on this server)
     * @return the handler
     */
    public static AuthenticationSuccessHandler success(@Nullable String issuer) {
        SavedRequestRedirect continuation = new SavedRequestRedirect(issuer);
        return (HttpServletRequest request, HttpServletResponse response, Authentication authentication) -> {
            @Nullable HttpSession session = request.getSession(false);
            if (session != null) {
                session.removeAttribute(WebAttributes.AUTHENTICATION_EXCEPTION);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("authenticated", true);
            body.put("redirectUrl", continuation.resume(request, response));
            write(response, HttpServletResponse.SC_OK, body);
        };
    }

    /**
     * The failure answer: 401, a generic message, nothing kept in the session.
     *
     * @return the handler
     */
    public static AuthenticationFailureHandler failure() {
        return (HttpServletRequest request, HttpServletResponse response, AuthenticationException exception) -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("authenticated", false);
            body.put("error", "The passkey was not accepted");
            write(response, HttpServletResponse.SC_UNAUTHORIZED, body);
        };
    }

    private static void write(HttpServletResponse response, int status, Map<String, Object> body) throws IOException {
        Objects.requireNonNull(body, "body must not be null");
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(JSON.writeValueAsString(body));
    }
}
