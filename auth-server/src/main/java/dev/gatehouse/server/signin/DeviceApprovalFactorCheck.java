package dev.gatehouse.server.signin;

import java.security.Principal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2DeviceCode;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2UserCode;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2DeviceAuthorizationConsentAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2DeviceCodeAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2DeviceVerificationAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * The factor check inside Spring Authorization Server for the device grant (RFC 8628 §3.3), the counterpart of
 * {@link AuthenticationRequestValidator}'s at the authorization endpoint: wraps its device verification and device
 * consent providers, the only two that approve a device authorization, and refuses ({@code interaction_required},
 * OIDC Core 1.0 §3.1.2.6) before they run when the signed-in user still lacks a factor that the user or the client
 * requires. Wrapping the token endpoint's device code provider as well, it gives no tokens (RFC 8628 §3.5, {@code
 * invalid_grant}) for an approval whose user lacked such a factor. The client is the one Spring Authorization Server resolves: the device authorization of the (already
 * normalised) user code, or of the consent {@code state}. {@link dev.gatehouse.server.signin.MfaStepUpFilter} sends a
 * browser to the factor's page before this point; this check holds whatever a filter in front decided (#13 item 2).
 *
 * <p>When the device authorization cannot be found the wrapped provider refuses the request itself ({@code
 * invalid_grant} or {@code invalid_request}); a device authorization whose client is gone is refused here.
 */
public final class DeviceApprovalFactorCheck implements AuthenticationProvider {

    private static final OAuth2TokenType USER_CODE = new OAuth2TokenType(OAuth2ParameterNames.USER_CODE);
    private static final OAuth2TokenType STATE = new OAuth2TokenType(OAuth2ParameterNames.STATE);
    private static final OAuth2TokenType DEVICE_CODE = new OAuth2TokenType(OAuth2ParameterNames.DEVICE_CODE);
    private static final String INTERACTION_REQUIRED = "interaction_required";
    private static final String ERROR_URI = "https://openid.net/specs/openid-connect-core-1_0.html#AuthError";

    private final AuthenticationProvider delegate;
    private final OAuth2AuthorizationService authorizations;
    private final RegisteredClientRepository clients;
    private final AuthenticationRequestValidator.MissingFactor missingFactor;

    private DeviceApprovalFactorCheck(
            AuthenticationProvider delegate,
            OAuth2AuthorizationService authorizations,
            RegisteredClientRepository clients,
            AuthenticationRequestValidator.MissingFactor missingFactor) {
        this.delegate = delegate;
        this.authorizations = authorizations;
        this.clients = clients;
        this.missingFactor = missingFactor;
    }

    /**
     * Wraps a provider of the device verification endpoint; any other provider is returned as it is.
     *
     * @param provider one of the endpoint's providers
     * @param authorizations where Spring Authorization Server keeps device authorizations
     * @param clients the registered clients
     * @param missingFactor whether a signed-in user still lacks a factor required for a client
     * @return the provider, checked
     */
    public static AuthenticationProvider wrap(
            AuthenticationProvider provider,
            OAuth2AuthorizationService authorizations,
            RegisteredClientRepository clients,
            AuthenticationRequestValidator.MissingFactor missingFactor) {
        Objects.requireNonNull(provider, "provider must not be null");
        Objects.requireNonNull(authorizations, "authorizations must not be null");
        Objects.requireNonNull(clients, "clients must not be null");
        Objects.requireNonNull(missingFactor, "missingFactor must not be null");
        if (provider.supports(OAuth2DeviceVerificationAuthenticationToken.class)
                || provider.supports(OAuth2DeviceAuthorizationConsentAuthenticationToken.class)
                || provider.supports(OAuth2DeviceCodeAuthenticationToken.class)) {
            return new DeviceApprovalFactorCheck(provider, authorizations, clients, missingFactor);
        }
        return provider;
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) throws AuthenticationException {
        @Nullable OAuth2Authorization device = null;
        if (authentication instanceof OAuth2DeviceVerificationAuthenticationToken verification) {
            // As OAuth2DeviceVerificationAuthenticationProvider looks it up: the converter normalised the code.
            device = authorizations.findByToken(verification.getUserCode(), USER_CODE);
        } else if (authentication instanceof OAuth2DeviceAuthorizationConsentAuthenticationToken consent) {
            device = authorizations.findByToken(consent.getState(), STATE);
        } else if (authentication instanceof OAuth2DeviceCodeAuthenticationToken grant) {
            checkApproval(authorizations.findByToken(grant.getDeviceCode(), DEVICE_CODE));
            return delegate.authenticate(authentication);
        }
        if (device != null
                && authentication.getPrincipal() instanceof Authentication user
                && AuthenticationAge.signedIn(user)) {
            @Nullable RegisteredClient client = clients.findById(device.getRegisteredClientId());
            if (client == null || missingFactor.test(user, client.getClientId(), null)) {
                throw new OAuth2AuthenticationException(
                        new OAuth2Error(INTERACTION_REQUIRED, "A further sign-in step is required", ERROR_URI));
            }
        }
        return delegate.authenticate(authentication);
    }

    /**
     * At the token endpoint (RFC 8628 §3.4): an approved device authorization gives tokens only if the user who
     * approved it had every factor the user and the client require now. Both approval paths are checked above; this
     * holds even if a requirement was switched on between approval and polling. Spring Authorization Server refuses
     * unknown, pending, denied and expired device codes itself.
     */
    private void checkApproval(@Nullable OAuth2Authorization device) {
        if (device == null) {
            return;
        }
        OAuth2Authorization.@Nullable Token<OAuth2UserCode> userCode = device.getToken(OAuth2UserCode.class);
        OAuth2Authorization.@Nullable Token<OAuth2DeviceCode> deviceCode = device.getToken(OAuth2DeviceCode.class);
        boolean approved = userCode != null
                && userCode.isInvalidated()
                && deviceCode != null
                && !deviceCode.isInvalidated()
                && !deviceCode.isExpired();
        if (!approved) {
            return;
        }
        @Nullable Object principal = device.getAttribute(Principal.class.getName());
        @Nullable RegisteredClient client = clients.findById(device.getRegisteredClientId());
        if (!(principal instanceof Authentication user)
                || client == null
                || missingFactor.test(user, client.getClientId(), null)) {
            // RFC 6749 §5.2: the grant is not one this server can honour; the device stops polling.
            throw new OAuth2AuthenticationException(new OAuth2Error(
                    OAuth2ErrorCodes.INVALID_GRANT,
                    "The device was approved without a required sign-in step",
                    "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2"));
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }
}
