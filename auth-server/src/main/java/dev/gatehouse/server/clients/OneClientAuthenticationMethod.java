package dev.gatehouse.server.clients;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Refuses a request to a client-authenticated endpoint (token, introspection, revocation, pushed authorization
 * request, device authorization) that uses more than one client authentication method: RFC 6749 §2.3 "The client
 * MUST NOT use more than one authentication method in each request", which §5.2 answers with {@code 400
 * invalid_request}. Spring Authorization Server takes the first method it recognises and ignores the rest, so Basic
 * credentials with another client's {@code client_id} or a wrong {@code client_secret} in the body issued a token for
 * the Basic client.
 *
 * <p>The methods counted: HTTP Basic ({@code client_secret_basic}), {@code client_secret} in the request
 * ({@code client_secret_post}) and a client assertion ({@code private_key_jwt}, {@code client_secret_jwt}, RFC 7523
 * §2.2). A {@code client_id} parameter is not a method: it identifies the client (RFC 6749 §3.2.1, §4.1.3; RFC 9126
 * §2.1 sends it with Basic), so it is allowed beside Basic credentials when it names the same client, and refused
 * when it names another. Other headers ({@code DPoP}, RFC 9449) are not client authentication and are not looked at.
 *
 * <p>Put first among the client authentication converters: it never converts, it returns {@code null} or refuses.
 */
public final class OneClientAuthenticationMethod implements AuthenticationConverter {

    private static final String ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc6749#section-2.3";
    private static final String CLIENT_ASSERTION = "client_assertion";
    private static final String CLIENT_ASSERTION_TYPE = "client_assertion_type";

    @Override
    public @Nullable Authentication convert(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        boolean basic = authorization != null
                && authorization.regionMatches(true, 0, "Basic", 0, 5)
                && (authorization.length() == 5 || Character.isWhitespace(authorization.charAt(5)));
        boolean post = request.getParameter(OAuth2ParameterNames.CLIENT_SECRET) != null;
        boolean assertion =
                request.getParameter(CLIENT_ASSERTION) != null || request.getParameter(CLIENT_ASSERTION_TYPE) != null;
        int methods = (basic ? 1 : 0) + (post ? 1 : 0) + (assertion ? 1 : 0);
        if (methods > 1) {
            throw refused("more than one client authentication method");
        }
        String clientId = request.getParameter(OAuth2ParameterNames.CLIENT_ID);
        if (basic && clientId != null) {
            String basicId = basicClientId(authorization);
            // Undecodable Basic credentials are Spring Authorization Server's own invalid_request, next converter.
            if (basicId != null && !basicId.equals(clientId)) {
                throw refused("client_id differs from the authenticated client");
            }
        }
        return null;
    }

    /** The client id of Basic credentials (RFC 6749 §2.3.1: form-encoded, then Base64), or null if malformed. */
    private static @Nullable String basicClientId(String authorization) {
        String[] parts = authorization.trim().split("\\s+");
        if (parts.length != 2) {
            return null;
        }
        try {
            String pair = new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            return colon < 0 ? null : URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static OAuth2AuthenticationException refused(String description) {
        return new OAuth2AuthenticationException(
                new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST, "Client authentication: " + description, ERROR_URI));
    }
}
