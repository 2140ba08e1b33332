package dev.gatehouse.server.transport;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Spring Security's refusals ({@code 403}) answered by the error page, which is told why: Spring Security's default
 * handler sends the {@code 403} without the exception, so the page could not tell a form posted with a missing or
 * stale CSRF token (mostly a form left open too long: "reload and try again") from a real refusal ("not allowed").
 * The exception is kept in a request attribute for {@link GatehouseErrorController}; nothing of it is shown.
 */
public final class AccessDeniedPage implements AccessDeniedHandler {

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        request.setAttribute(WebAttributes.ACCESS_DENIED_403, denied);
        response.sendError(HttpServletResponse.SC_FORBIDDEN);
    }
}
