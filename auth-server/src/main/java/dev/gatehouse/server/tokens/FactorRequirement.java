package dev.gatehouse.server.tokens;

import dev.gatehouse.server.mfa.MfaPolicy;
import java.security.Principal;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;

/**
 * Whether an authorization's sign-in (the {@link Authentication} Spring Authorization Server stored with it, factor
 * authorities included) lacks a factor that a client, or the user, requires now: the token endpoint's side of {@link
 * MfaPolicy#missingFactor}, for grants that mint tokens from an earlier sign-in (refresh, token exchange).
 */
final class FactorRequirement {

    private FactorRequirement() {}

    /**
     * Whether tokens for {@code clientId} may not be minted from this authorization's sign-in. Fails closed: an
     * authorization without a user behind it (a client's own token) lacks every factor, so it is refused whenever the
     * client requires one.
     *
     * @param policy the factor policy
     * @param authorization the authorization tokens would be minted from
     * @param clientId the client they would be minted for
     * @return {@code true} when a required factor is missing
     */
    static boolean missing(MfaPolicy policy, OAuth2Authorization authorization, String clientId) {
        @Nullable Object principal = authorization.getAttribute(Principal.class.getName());
        if (principal instanceof Authentication user && !(principal instanceof OAuth2ClientAuthenticationToken)) {
            return policy.missingFactor(user, clientId, null);
        }
        // No user: only the client's own requirements apply (an empty name is no user's).
        return policy.otpRequired("", clientId, null);
    }
}
