package dev.gatehouse.server.signin;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationValidator;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Checks the OIDC parameters Spring Authorization Server leaves alone (OIDC Core 1.0 §3.1.2.1, §3.1.2.6), as its
 * authorization-request validator hook, always after its own redirect URI and scope checks (so an error is sent only
 * to a registered redirect URI):
 *
 * <ul>
 *   <li>{@code max_age} that is not a non-negative integer: {@code invalid_request};
 *   <li>{@code prompt=none} (with {@code openid}) and no signed-in user: {@code login_required} (Spring
 *       Authorization Server has this rule too, but its endpoint runs after the authorization filter, which sends an
 *       anonymous browser to the sign-in page first);
 *   <li>{@code prompt=none} and a sign-in older than {@code max_age}: {@code login_required}, since re-authenticating
 *       would need a page.
 * </ul>
 *
 * At the pushed authorization request endpoint the principal is the client, so only {@code max_age} is checked
 * there ({@link #forPushedRequests()}).
 */
public final class AuthenticationRequestValidator
        implements Consumer<OAuth2AuthorizationCodeRequestAuthenticationContext> {

    private static final String AUTH_REQUEST_URI = "https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest";
    private static final String AUTH_ERROR_URI = "https://openid.net/specs/openid-connect-core-1_0.html#AuthError";
    private static final String LOGIN_REQUIRED = "login_required";

    private final @Nullable Clock clock;

    private AuthenticationRequestValidator(@Nullable Clock clock) {
        this.clock = clock;
    }

    /**
     * The validator for the authorization endpoint: {@code max_age} and {@code prompt=none}.
     *
     * @param clock the current time, to compare with {@code max_age}
     * @return the validator
     */
    public static AuthenticationRequestValidator forAuthorizationEndpoint(Clock clock) {
        return new AuthenticationRequestValidator(Objects.requireNonNull(clock, "clock must not be null"));
    }

    /**
     * The validator for the pushed authorization request endpoint (RFC 9126): {@code max_age} only.
     *
     * @return the validator
     */
    public static AuthenticationRequestValidator forPushedRequests() {
        return new AuthenticationRequestValidator(null);
    }

    /**
     * Spring Authorization Server's default validator (redirect URI, scope) followed by this one.
     *
     * @return the composed validator, for {@code setAuthenticationValidator}
     */
    public Consumer<OAuth2AuthorizationCodeRequestAuthenticationContext> afterDefaults() {
        return new OAuth2AuthorizationCodeRequestAuthenticationValidator().andThen(this);
    }

    @Override
    public void accept(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
        OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
        Duration maxAge;
        try {
            maxAge = AuthenticationAge.maxAge(request.getAdditionalParameters().get(AuthenticationAge.MAX_AGE));
        } catch (IllegalArgumentException e) {
            throw error(
                    OAuth2ErrorCodes.INVALID_REQUEST, "OpenID Connect parameter: max_age", AUTH_REQUEST_URI, context);
        }
        if (clock == null || !request.getScopes().contains(OidcScopes.OPENID)) {
            return;
        }
        Object prompt = request.getAdditionalParameters().get(AuthenticationAge.PROMPT);
        Set<String> prompts = AuthenticationAge.prompts(prompt instanceof String s ? s : null);
        // "none" with other values is Spring Authorization Server's invalid_request; leave it to its prompt check.
        if (!prompts.equals(Set.of(AuthenticationAge.PROMPT_NONE))) {
            return;
        }
        Authentication principal = request.getPrincipal() instanceof Authentication a ? a : null;
        if (!AuthenticationAge.signedIn(principal)) {
            throw error(LOGIN_REQUIRED, "No signed-in session (prompt=none)", AUTH_ERROR_URI, context);
        }
        if (maxAge != null && AuthenticationAge.olderThan(principal, maxAge, clock.instant())) {
            throw error(LOGIN_REQUIRED, "The sign-in is older than max_age (prompt=none)", AUTH_ERROR_URI, context);
        }
    }

    private static OAuth2AuthorizationCodeRequestAuthenticationException error(
            String code, String description, String uri, OAuth2AuthorizationCodeRequestAuthenticationContext context) {
        OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
        RegisteredClient client = context.getRegisteredClient();
        // As Spring Authorization Server's own validator does: the redirect URI was validated before this runs, and
        // a request without one uses the client's only registered URI.
        String redirectUri =
                request.getRedirectUri() != null && !request.getRedirectUri().isEmpty()
                        ? request.getRedirectUri()
                        : client.getRedirectUris().iterator().next();
        OAuth2AuthorizationCodeRequestAuthenticationToken result =
                new OAuth2AuthorizationCodeRequestAuthenticationToken(
                        request.getAuthorizationUri(),
                        request.getClientId(),
                        (Authentication) request.getPrincipal(),
                        redirectUri,
                        request.getState(),
                        request.getScopes(),
                        request.getAdditionalParameters());
        result.setAuthenticated(true);
        return new OAuth2AuthorizationCodeRequestAuthenticationException(
                new OAuth2Error(code, description, uri), result);
    }
}
