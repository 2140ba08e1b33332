package dev.gatehouse.server.signin;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;

/**
 * Refuses a {@code redirect_uri} that is not a well-formed absolute URI before Spring Authorization Server compares
 * it with the registered ones. Its loopback comparison (RFC 8252 §7.3: any port) reads the port as an {@code int}
 * and threw a server error for an empty or out-of-range port ({@code http://127.0.0.1:/cb},
 * {@code http://[::1]:2147483648/cb}). Refused here, with the same answer Spring Authorization Server gives any
 * redirect URI it does not accept: {@code invalid_request}, never redirected to (RFC 6749 §4.1.2.1: shown to the
 * user; RFC 9126 §2.3: a JSON error at the pushed authorization request endpoint).
 *
 * <p>A well-formed URI here is an absolute RFC 3986 URI ({@link URI} parses it) without a fragment (RFC 6749
 * §3.1.2) or user information, no longer than a registrable one, and whose authority, if any, names a host and
 * at most a port of 1 to 65535. Nothing that can be registered ({@code admin.RedirectUriRules}) is refused.
 */
final class RedirectUriSyntax implements Consumer<OAuth2AuthorizationCodeRequestAuthenticationContext> {

    /** As for registration: no registered redirect URI is longer. */
    static final int MAX_LENGTH = 2000;

    private static final String ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc6749#section-4.1.2.1";
    private static final Logger LOG = LoggerFactory.getLogger(RedirectUriSyntax.class);

    @Override
    public void accept(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
        OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
        String redirectUri = request.getRedirectUri();
        if (redirectUri == null || redirectUri.isEmpty() || wellFormed(redirectUri)) {
            return;
        }
        // One line, without the value: it comes from the request.
        LOG.info(
                "Refused an authorization request of client '{}': redirect_uri is not a well-formed absolute URI",
                context.getRegisteredClient().getClientId());
        OAuth2AuthorizationCodeRequestAuthenticationToken result =
                new OAuth2AuthorizationCodeRequestAuthenticationToken(
                        request.getAuthorizationUri(),
                        request.getClientId(),
                        (Authentication) request.getPrincipal(),
                        null, // never redirected to (RFC 6749 §4.1.2.1)
                        request.getState(),
                        request.getScopes(),
                        request.getAdditionalParameters());
        result.setAuthenticated(true);
        throw new OAuth2AuthorizationCodeRequestAuthenticationException(
                new OAuth2Error(
                        OAuth2ErrorCodes.INVALID_REQUEST,
                        "OAuth 2.0 Parameter: " + OAuth2ParameterNames.REDIRECT_URI,
                        ERROR_URI),
                result);
    }

    static boolean wellFormed(String value) {
        if (value.length() > MAX_LENGTH || value.indexOf('#') >= 0) {
            return false;
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            return false;
        }
        if (!uri.isAbsolute() || uri.getRawUserInfo() != null) {
            return false;
        }
        String authority = uri.getRawAuthority();
        if (authority == null) {
            // No authority (a native app's private-use scheme, RFC 8252 §7.1): nothing more to parse.
            return !value.regionMatches(true, uri.getScheme().length(), "://", 0, 3);
        }
        // A server-based authority: java.net.URI gives no host when the port is out of range.
        return uri.getHost() != null && validPort(authority);
    }

    /** The part after the host: nothing, or {@code :} and 1 to 65535 in one to five digits. */
    private static boolean validPort(String authority) {
        int hostEnd = authority.startsWith("[") ? authority.indexOf(']') + 1 : 0;
        int colon = authority.indexOf(':', hostEnd);
        if (colon < 0) {
            return true;
        }
        String port = authority.substring(colon + 1);
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        int value = Integer.parseInt(port);
        return value >= 1 && value <= 65535;
    }
}
