package dev.gatehouse.server.transport;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the error page tells a person whose authorization request could not be sent back to the application (RFC 6749
 * §4.1.2.1: without a valid {@code client_id} and {@code redirect_uri} the server must not redirect, and informs the
 * resource owner instead). The handler that refuses the redirect records here which of the two was wrong; the error
 * page ({@link GatehouseErrorController}) then says so and what to do. Only a fixed kind and an error code from the
 * fixed set of RFC 6749 reach the page, never the request's values or the error's description.
 */
public final class AuthorizationErrorPage {

    /** The request attribute holding the {@link Kind}. */
    static final String KIND = AuthorizationErrorPage.class.getName() + ".KIND";

    /** The request attribute holding the error code, one of {@link #CODES}. */
    static final String CODE = AuthorizationErrorPage.class.getName() + ".CODE";

    /** The error codes of RFC 6749 §4.1.2.1 and §5.2 the page may show; anything else is not shown. */
    static final Set<String> CODES = Set.of(
            "invalid_request",
            "invalid_client",
            "unauthorized_client",
            "access_denied",
            "unsupported_response_type",
            "invalid_scope",
            "server_error",
            "temporarily_unavailable");

    /** Which part of the authorization request was refused. */
    enum Kind {
        /** The client is unknown or may not use this flow. */
        CLIENT("authorizeClient"),
        /** The redirect URI is missing, malformed or not registered for the client. */
        REDIRECT("authorizeRedirect"),
        /** Anything else. */
        REQUEST("authorizeRequest");

        private final String messages;

        Kind(String messages) {
            this.messages = messages;
        }

        /** The message keys' infix: {@code error.<infix>.title}. */
        String messages() {
            return messages;
        }
    }

    private AuthorizationErrorPage() {}

    /**
     * Records, before {@code sendError(400)}, why an authorization request is answered with the error page.
     *
     * @param request the authorization request
     * @param errorCode the OAuth error code ({@code invalid_request}, ...)
     * @param description the error's description (Spring Authorization Server names the parameter there, e.g.
     *     {@code OAuth 2.0 Parameter: redirect_uri}); used to classify only, never shown
     */
    public static void describe(HttpServletRequest request, String errorCode, @Nullable String description) {
        Objects.requireNonNull(request, "request must not be null");
        Objects.requireNonNull(errorCode, "errorCode must not be null");
        String about = description == null ? "" : description;
        Kind kind;
        if (about.contains("redirect_uri")) {
            kind = Kind.REDIRECT;
        } else if (about.contains("client_id")
                || errorCode.equals("unauthorized_client")
                || errorCode.equals("invalid_client")) {
            kind = Kind.CLIENT;
        } else {
            kind = Kind.REQUEST;
        }
        request.setAttribute(KIND, kind);
        if (CODES.contains(errorCode)) {
            request.setAttribute(CODE, errorCode);
        }
    }

    /**
     * The error code recorded by {@link #describe} for this request (for the error metrics), or {@code null}.
     *
     * @param request the authorization request
     * @return one of the fixed codes, or {@code null} when none was recorded
     */
    public static @Nullable String recordedCode(HttpServletRequest request) {
        return request.getAttribute(CODE) instanceof String code ? code : null;
    }
}
