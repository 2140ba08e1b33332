package dev.gatehouse.server.signin;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2DeviceCode;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2UserCode;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2DeviceAuthorizationConsentAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.util.StringUtils;

/**
 * Makes a consent post that approves no scope a refusal, whatever the user granted the client before. Given to
 * Spring Authorization Server's consent providers ({@code setAuthorizationConsentCustomizer} of {@code
 * OAuth2AuthorizationConsentAuthenticationProvider} and of {@code
 * OAuth2DeviceAuthorizationConsentAuthenticationProvider}), which call it after they have checked the post (the {@code state} names a pending authorization of the signed-in
 * user and of the posted client; every posted scope was requested) and before anything is saved or issued.
 *
 * <p>Why: those providers merge the consent given earlier into the new one. When the user presses Cancel (the post
 * carries no {@code scope}) for a request whose scopes were all new, the merged consent still holds the earlier
 * scopes, so they went on to issue a code (or approve the device) with no authorized scope at all, and the tokens
 * carried the user's roles. Here the rule is what the user ticked on this page: a post with no scope other than
 * {@code openid} (which the page never shows, it needs no consent) is a refusal:
 *
 * <ul>
 *   <li>authorization code flow: the pending authorization is removed and the client gets {@code access_denied} at its
 *       redirect URI with its {@code state} (RFC 6749 §4.1.2.1);
 *   <li>device flow: the device and user codes are invalidated and the device's next poll gets {@code access_denied}
 *       (RFC 8628 §3.5); the user sees the "denied" outcome.
 * </ul>
 *
 * The earlier consent is kept: Cancel declines this request, it does not revoke what was allowed before (that is done
 * by revoking the client's access). A post that approves some scopes is left to Spring Authorization Server, which
 * authorizes exactly the ticked scopes plus those granted before that this request asks for again (plus {@code
 * openid} when requested).
 */
public final class ConsentRefusal implements Consumer<OAuth2AuthorizationConsentAuthenticationContext> {

    private static final String CODE_ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc6749#section-4.1.2.1";
    private static final String DEVICE_ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc8628#section-3.5";

    private final OAuth2AuthorizationService authorizations;

    /**
     * Creates the hook.
     *
     * @param authorizations where the pending authorization is removed or invalidated on a refusal
     */
    public ConsentRefusal(OAuth2AuthorizationService authorizations) {
        this.authorizations = Objects.requireNonNull(authorizations, "authorizations must not be null");
    }

    @Override
    public void accept(OAuth2AuthorizationConsentAuthenticationContext context) {
        OAuth2AuthorizationConsentAuthenticationToken post = context.getAuthentication();
        if (!ticked(post.getScopes()).isEmpty()) {
            return;
        }
        OAuth2Authorization pending = context.getAuthorization();
        if (post instanceof OAuth2DeviceAuthorizationConsentAuthenticationToken) {
            throw refuseDevice(pending);
        }
        throw refuseCode(post, pending, context.getRegisteredClient(), context.getAuthorizationRequest());
    }

    /** The scopes the user actually approved on the page: everything posted except {@code openid}. */
    static Set<String> ticked(@Nullable Set<String> posted) {
        Set<String> ticked = posted == null ? new HashSet<>() : new HashSet<>(posted);
        ticked.remove(OidcScopes.OPENID);
        return ticked;
    }

    private OAuth2AuthenticationException refuseDevice(OAuth2Authorization pending) {
        OAuth2Authorization.Builder refused = OAuth2Authorization.from(pending)
                .attributes(attributes -> attributes.remove(OAuth2ParameterNames.STATE));
        OAuth2Authorization.@Nullable Token<OAuth2DeviceCode> deviceCode = pending.getToken(OAuth2DeviceCode.class);
        OAuth2Authorization.@Nullable Token<OAuth2UserCode> userCode = pending.getToken(OAuth2UserCode.class);
        if (deviceCode != null) {
            refused.invalidate(deviceCode.getToken());
        }
        if (userCode != null) {
            refused.invalidate(userCode.getToken());
        }
        authorizations.save(refused.build());
        return new OAuth2AuthenticationException(
                new OAuth2Error(OAuth2ErrorCodes.ACCESS_DENIED, "The user denied the request.", DEVICE_ERROR_URI));
    }

    private OAuth2AuthorizationCodeRequestAuthenticationException refuseCode(
            OAuth2AuthorizationConsentAuthenticationToken post,
            OAuth2Authorization pending,
            RegisteredClient client,
            @Nullable OAuth2AuthorizationRequest request) {
        authorizations.remove(pending);
        OAuth2Error error =
                new OAuth2Error(OAuth2ErrorCodes.ACCESS_DENIED, "The user denied the request.", CODE_ERROR_URI);
        if (request == null) {
            return new OAuth2AuthorizationCodeRequestAuthenticationException(error, null);
        }
        // The redirect URI of the stored request (already checked against the client's registration when the request
        // arrived), else the client's only registered one, as Spring Authorization Server answers (§4.1.2.1).
        String redirectUri = StringUtils.hasText(request.getRedirectUri())
                ? request.getRedirectUri()
                : client.getRedirectUris().iterator().next();
        return new OAuth2AuthorizationCodeRequestAuthenticationException(
                error,
                new OAuth2AuthorizationCodeRequestAuthenticationToken(
                        post.getAuthorizationUri(),
                        client.getClientId(),
                        (Authentication) post.getPrincipal(),
                        redirectUri,
                        request.getState(),
                        request.getScopes(),
                        null));
    }
}
