package dev.gatehouse.server.tokens;

import dev.gatehouse.server.mfa.MfaPolicy;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenExchangeAuthenticationToken;

/**
 * Policy in front of Spring Authorization Server's token exchange (RFC 8693), which on its own checks the
 * requested scopes only against the <em>requesting</em> client's registration: any client allowed to exchange
 * could turn another client's user token into a broader token for itself. Here an exchange is accepted only
 * when the subject token was issued to the requesting client or names it in {@code aud}, and the requested
 * scopes are a subset of the subject token's (an exchange may narrow, never widen). Refusals are {@code
 * invalid_request} (RFC 8693 §2.2.2: "if either the subject_token or actor_token are invalid for any reason, or
 * are unacceptable based on policy") or {@code invalid_scope} (RFC 6749 §5.2). Everything else — validating the
 * subject token, issuing — stays with Spring Authorization Server's own provider, which this one wraps (so the
 * checks cannot be skipped by provider ordering).
 *
 * <p>The exchanged token stands for the subject token's user towards the requesting client, so that client's factor
 * requirements hold as at its own authorization endpoint ({@link MfaPolicy#missingFactor}, with the user's own
 * requirements: a second factor, or a phishing-resistant one, OIDC Core §2 {@code acr}): a subject token whose
 * authorization's principal lacks a factor the requesting client (or the user) requires is "unacceptable based on
 * policy", {@code invalid_request} (RFC 8693 §2.2.2). A subject token without a signed-in user behind it is refused
 * the same way when the requesting client requires any factor.
 *
 * <p>Spring Authorization Server 7.0.6 answers an unknown, expired or revoked subject or actor token with {@code
 * invalid_grant} (RFC 6749 §5.2's code for grants); RFC 8693 §2.2.2 overrides that for token exchange, so an
 * unknown or inactive subject token is refused here first, and any {@code invalid_grant} from the wrapped provider
 * (actor token unknown or inactive, subject token without a user, {@code may_act} not satisfied) is answered as
 * {@code invalid_request}.
 *
 * <p>Requested {@code resource} values (RFC 8707) must be in the requesting client's allow-list and, when the subject
 * token was itself issued for resources, among its audience: {@code invalid_target} otherwise (RFC 8707 §2); the
 * exchanged token's {@code aud} is then exactly them ({@link ResourceIndicators#audience}).
 */
public final class TokenExchangeConstraints implements AuthenticationProvider {

    private static final String RFC8693 = "https://datatracker.ietf.org/doc/html/rfc8693#section-2.2.2";

    private final OAuth2AuthorizationService authorizations;
    private final AuthenticationProvider delegate;
    private final MfaPolicy policy;

    /**
     * Constraints in front of Spring Authorization Server's token exchange provider.
     *
     * @param authorizations where issued tokens are stored
     * @param delegate Spring Authorization Server's {@code OAuth2TokenExchangeAuthenticationProvider}
     * @param policy the factor policy: what the requesting client and the user require
     */
    public TokenExchangeConstraints(
            OAuth2AuthorizationService authorizations, AuthenticationProvider delegate, MfaPolicy policy) {
        this.authorizations = Objects.requireNonNull(authorizations, "authorizations must not be null");
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) {
        OAuth2TokenExchangeAuthenticationToken exchange = (OAuth2TokenExchangeAuthenticationToken) authentication;
        if (!(exchange.getPrincipal() instanceof OAuth2ClientAuthenticationToken client)
                || client.getRegisteredClient() == null) {
            return delegate.authenticate(authentication); // it answers invalid_client
        }
        String clientId = client.getRegisteredClient().getClientId();
        OAuth2Authorization subject =
                authorizations.findByToken(exchange.getSubjectToken(), OAuth2TokenType.ACCESS_TOKEN);
        if (subject == null
                || subject.getAccessToken() == null
                || !subject.getAccessToken().isActive()) {
            throw invalidRequest("The subject token is invalid."); // unknown, forged, expired or revoked
        }
        OAuth2Authorization.Token<OAuth2AccessToken> token = subject.getAccessToken();
        Object issuedTo = token.getClaims() == null ? null : token.getClaims().get("client_id");
        Object audience = token.getClaims() == null ? null : token.getClaims().get("aud");
        if (!clientId.equals(issuedTo) && !contains(audience, clientId)) {
            throw invalidRequest("The subject token was not issued to this client, nor for it.");
        }
        if (FactorRequirement.missing(policy, subject, clientId)) {
            throw invalidRequest("The subject token's sign-in lacks a factor this client requires.");
        }
        Set<String> held = token.getToken().getScopes();
        Set<String> requested = exchange.getScopes();
        if (requested.isEmpty() || !held.containsAll(requested)) {
            // Requiring an explicit subset stops the default ("all of the client's scopes") from widening.
            throw new OAuth2AuthenticationException(new OAuth2Error(
                    OAuth2ErrorCodes.INVALID_SCOPE,
                    "Request a scope, and only scopes the subject token already holds.",
                    "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2"));
        }
        // RFC 8707 §2.2 for exchanges: resources from the requesting client's allow-list (checked again where the
        // token's aud is set, ResourceIndicators.audience), and, when the subject token was issued for resources
        // (its aud does not name its client), only among those: an exchange cannot widen the audience either.
        List<String> resources = ResourceIndicators.values(exchange.getResources());
        if (!resources.isEmpty()) {
            Collection<String> permitted = ResourceIndicators.allowed(client.getRegisteredClient());
            List<String> subjectAudience = ResourceIndicators.values(audience);
            if (issuedTo instanceof String subjectClient
                    && !subjectAudience.isEmpty()
                    && !subjectAudience.contains(subjectClient)) {
                permitted = permitted.stream().filter(subjectAudience::contains).toList();
            }
            Optional<String> refusal = ResourceIndicators.refusal(resources, permitted);
            if (refusal.isPresent()) {
                throw ResourceIndicators.invalidTarget(refusal.get());
            }
        }
        try {
            return delegate.authenticate(authentication);
        } catch (OAuth2AuthenticationException e) {
            if (OAuth2ErrorCodes.INVALID_GRANT.equals(e.getError().getErrorCode())) {
                // RFC 8693 §2.2.2: an invalid or unacceptable subject or actor token is invalid_request.
                throw invalidRequest("The subject or actor token is invalid or not acceptable.");
            }
            throw e;
        }
    }

    private static OAuth2AuthenticationException invalidRequest(String description) {
        return new OAuth2AuthenticationException(
                new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST, description, RFC8693));
    }

    private static boolean contains(@Nullable Object audience, String clientId) {
        if (audience instanceof Collection<?> list) {
            return list.contains(clientId);
        }
        return clientId.equals(audience);
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return OAuth2TokenExchangeAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
