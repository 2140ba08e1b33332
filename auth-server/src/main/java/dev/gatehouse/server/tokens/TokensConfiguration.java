package dev.gatehouse.server.tokens;

import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.audit.AuditingAuthorizationService;
import dev.gatehouse.server.logout.BackchannelLogout;
import dev.gatehouse.server.logout.SessionIdAuthorizations;
import dev.gatehouse.server.logout.SessionIdClaim;
import dev.gatehouse.server.users.JdbcUserStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenClaimsContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * The tokens package wires itself: Spring Authorization Server's authorization and consent stores (the tables this
 * package owns) and the claims Gatehouse adds to the tokens it issues.
 */
@Configuration(proxyBeanMethods = false)
class TokensConfiguration {

    @Bean
    OAuth2AuthorizationService authorizationService(
            JdbcTemplate jdbc, RegisteredClientRepository clients, Clock clock, AuditLog audit) {
        // Outermost: remembers what was saved in this request, so token and revocation events name the jti.
        return new AuditingAuthorizationService(new RefreshTokenReuseDetection(
                // The browser session's sid on code authorizations, for ID tokens (back-channel logout).
                new SessionIdAuthorizations(new JdbcAuthorizationStore(jdbc, clients)), jdbc, clock, audit));
    }

    @Bean
    OAuth2AuthorizationConsentService authorizationConsentService(
            JdbcTemplate jdbc, RegisteredClientRepository clients) {
        return new JdbcOAuth2AuthorizationConsentService(jdbc, clients);
    }

    /**
     * The claims are stored with the authorization as JSON with types, which reads back an {@code ArrayList} but
     * refuses {@code List.of}'s classes.
     */
    private static List<String> storable(List<String> audience) {
        return new ArrayList<>(audience);
    }

    /** The DPoP proof {@code jti} values used on any node (RFC 9449 §11.1), purged by the maintenance jobs. */
    @Bean
    UsedProofIds usedProofIds(JdbcTemplate jdbc, Clock clock) {
        return new UsedProofIds(jdbc, clock);
    }

    /**
     * Picked up by Spring Authorization Server, which chains it after its own defaults (DPoP and mTLS {@code cnf}
     * binding) in the {@code JwtGenerator} it builds over the server's {@code JwtEncoder} bean. A refused {@code
     * resource} ({@link ResourceIndicators}) and a replayed DPoP proof are refused first, before any other work for
     * the token; an access token for requested resources names exactly them in {@code aud} (RFC 8707 §2.2).
     */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> rolesTokenCustomizer(
            JdbcUserStore users, UsedProofIds usedProofs, BackchannelLogout backchannelLogout) {
        TokenEndpointProofReplayCheck proofReplay = new TokenEndpointProofReplayCheck(usedProofs);
        RolesTokenCustomizer roles = new RolesTokenCustomizer(users);
        AuthenticationContextTokenCustomizer authenticationContext = new AuthenticationContextTokenCustomizer();
        SessionIdClaim sessionId = new SessionIdClaim(backchannelLogout);
        return context -> {
            // RFC 8707 §2.2: refused (invalid_target) before anything else is done or saved; aud = the resources.
            List<String> audience = ResourceIndicators.audience(context);
            proofReplay.check(context);
            if (!audience.isEmpty()) {
                context.getClaims().audience(storable(audience));
            }
            roles.customize(context);
            authenticationContext.customize(context);
            sessionId.customize(context);
        };
    }

    /**
     * The same resource indicators (RFC 8707) and DPoP replay check for reference (opaque) access tokens, which Spring Authorization Server generates
     * with its {@code OAuth2AccessTokenGenerator} and this customizer. Gatehouse registers every client with
     * self-contained tokens (admin API, demo clients); a client stored with reference tokens by other means must not
     * escape the check.
     */
    @Bean
    OAuth2TokenCustomizer<OAuth2TokenClaimsContext> referenceTokenProofReplayCheck(UsedProofIds usedProofs) {
        TokenEndpointProofReplayCheck proofReplay = new TokenEndpointProofReplayCheck(usedProofs);
        return context -> {
            List<String> audience = ResourceIndicators.audience(context); // RFC 8707, as for JWTs
            proofReplay.check(context);
            if (!audience.isEmpty()) {
                context.getClaims().audience(storable(audience));
            }
        };
    }
}
