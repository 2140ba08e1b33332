package dev.gatehouse.server.dynamicclients;

import dev.gatehouse.server.clients.ClientAssertions;
import dev.gatehouse.server.clients.ClientKeys;
import dev.gatehouse.server.logout.BackchannelLogoutUris;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.http.converter.OAuth2ErrorHttpMessageConverter;
import org.springframework.security.oauth2.server.authorization.OAuth2ClientRegistration;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientRegistrationAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.converter.RegisteredClientOAuth2ClientRegistrationConverter;
import org.springframework.security.oauth2.server.authorization.http.converter.OAuth2ClientRegistrationHttpMessageConverter;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;

/**
 * The responses of registration and client configuration: client information (RFC 7591 §3.2.1, RFC 7592 §3) and
 * errors (RFC 7591 §3.2.2; {@code invalid_token} as 401 with a Bearer challenge, RFC 6750 §3), all with {@code
 * Cache-Control: no-store} since they carry credentials.
 */
final class RegistrationResponses implements AuthenticationSuccessHandler, AuthenticationFailureHandler {

    /** RFC 7592 §3. */
    static final String REGISTRATION_ACCESS_TOKEN = "registration_access_token";

    /** RFC 7592 §3. */
    static final String REGISTRATION_CLIENT_URI = "registration_client_uri";

    private final OAuth2ClientRegistrationHttpMessageConverter json =
            new OAuth2ClientRegistrationHttpMessageConverter();
    private final OAuth2ErrorHttpMessageConverter errors = new OAuth2ErrorHttpMessageConverter();
    private final RegisteredClientOAuth2ClientRegistrationConverter information =
            new RegisteredClientOAuth2ClientRegistrationConverter();

    /**
     * The client information of a client: its metadata, its secret only when given (a new one, in plain), and the
     * configuration endpoint's credentials.
     */
    OAuth2ClientRegistration information(
            RegisteredClient client,
            @Nullable String plainSecret,
            String registrationAccessToken,
            String registrationClientUri) {
        Map<String, Object> claims =
                new LinkedHashMap<>(information.convert(client).getClaims());
        claims.remove("client_secret");
        claims.remove("client_secret_expires_at");
        // OIDC Back-Channel Logout 1.0 §2.2, as registered.
        String backchannelLogoutUri = BackchannelLogoutUris.uri(client);
        if (backchannelLogoutUri != null) {
            claims.put("backchannel_logout_uri", backchannelLogoutUri);
            claims.put("backchannel_logout_session_required", BackchannelLogoutUris.sessionRequired(client));
        }
        if (plainSecret != null) {
            // Spring's writer adds client_secret_expires_at 0: the secret does not expire (RFC 7591 §3.2.1).
            claims.put("client_secret", plainSecret);
        }
        // OIDC Dynamic Client Registration 1.0 §2, as registered (ClientAssertions enforces it).
        if (client.getClientSettings().getSetting(ClientAssertions.SIGNING_ALG_SETTING) instanceof String alg) {
            claims.put("token_endpoint_auth_signing_alg", alg);
        }
        // RFC 7591 §2 jwks by value (Spring's converter writes jwks_uri only).
        ClientKeys.jwksObject(client).ifPresent(jwks -> claims.put("jwks", jwks));
        claims.put(REGISTRATION_ACCESS_TOKEN, registrationAccessToken);
        claims.put(REGISTRATION_CLIENT_URI, registrationClientUri);
        return OAuth2ClientRegistration.withClaims(claims).build();
    }

    @Override
    public void onAuthenticationSuccess(
            HttpServletRequest request, HttpServletResponse response, Authentication authentication)
            throws IOException {
        write(
                response,
                HttpStatus.CREATED,
                ((OAuth2ClientRegistrationAuthenticationToken) authentication).getClientRegistration());
    }

    void write(HttpServletResponse response, HttpStatus status, OAuth2ClientRegistration registration)
            throws IOException {
        noStore(response);
        ServletServerHttpResponse out = new ServletServerHttpResponse(response);
        out.setStatusCode(status);
        json.write(registration, null, out);
    }

    @Override
    public void onAuthenticationFailure(
            HttpServletRequest request, HttpServletResponse response, AuthenticationException exception)
            throws IOException {
        OAuth2Error error = exception instanceof OAuth2AuthenticationException e
                ? e.getError()
                : new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST);
        writeError(response, error);
    }

    void writeError(HttpServletResponse response, OAuth2Error error) throws IOException {
        noStore(response);
        HttpStatus status = HttpStatus.BAD_REQUEST;
        if (OAuth2ErrorCodes.INVALID_TOKEN.equals(error.getErrorCode())) {
            status = HttpStatus.UNAUTHORIZED;
            response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        } else if (OAuth2ErrorCodes.INSUFFICIENT_SCOPE.equals(error.getErrorCode())) {
            status = HttpStatus.FORBIDDEN;
        }
        ServletServerHttpResponse out = new ServletServerHttpResponse(response);
        out.setStatusCode(status);
        errors.write(
                new OAuth2Error(error.getErrorCode(), safeDescription(error.getDescription()), error.getUri()),
                null,
                out);
    }

    /** RFC 6749 §5.2: {@code error_description} is %x20-21 / %x23-5B / %x5D-7E; a section sign is spelled out, anything else becomes {@code ?}. */
    static @Nullable String safeDescription(@Nullable String description) {
        if (description == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(description.length());
        for (int i = 0; i < description.length(); i++) {
            char c = description.charAt(i);
            if (c == '§') {
                out.append("section ");
            } else {
                out.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : '?');
            }
        }
        return out.toString();
    }

    private static void noStore(HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Pragma", "no-cache");
    }
}
