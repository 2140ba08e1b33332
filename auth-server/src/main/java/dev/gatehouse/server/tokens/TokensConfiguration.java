package dev.gatehouse.server.tokens;

import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.audit.AuditingAuthorizationService;
import dev.gatehouse.server.users.JdbcUserStore;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
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
        return new AuditingAuthorizationService(
                new RefreshTokenReuseDetection(new JdbcAuthorizationStore(jdbc, clients), jdbc, clock, audit));
    }

    @Bean
    OAuth2AuthorizationConsentService authorizationConsentService(
            JdbcTemplate jdbc, RegisteredClientRepository clients) {
        return new JdbcOAuth2AuthorizationConsentService(jdbc, clients);
    }

    /**
     * Picked up by Spring Authorization Server, which chains it after its own defaults (DPoP and mTLS {@code cnf}
     * binding) in the {@code JwtGenerator} it builds over the server's {@code JwtEncoder} bean.
     */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> rolesTokenCustomizer(JdbcUserStore users) {
        RolesTokenCustomizer roles = new RolesTokenCustomizer(users);
        AuthenticationContextTokenCustomizer authenticationContext = new AuthenticationContextTokenCustomizer();
        return context -> {
            roles.customize(context);
            authenticationContext.customize(context);
        };
    }
}
