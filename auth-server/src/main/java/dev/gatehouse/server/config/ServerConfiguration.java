package dev.gatehouse.server.config;

import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.server.audit.AuditChain;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.audit.AuditProperties;
import dev.gatehouse.server.audit.AuditingAuthorizationService;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.maintenance.ExpiredStatePurger;
import dev.gatehouse.server.maintenance.KeyRotation;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.settings.ThrottleProperties;
import dev.gatehouse.server.tokens.AuthenticationContextTokenCustomizer;
import dev.gatehouse.server.tokens.RefreshTokenReuseDetection;
import dev.gatehouse.server.tokens.RolesTokenCustomizer;
import dev.gatehouse.server.tokens.StoredAuthorizations;
import dev.gatehouse.server.users.JdbcAttemptStore;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.server.users.PasswordAuthenticationProvider;
import dev.gatehouse.server.users.SignInSessions;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * The server's remaining shared beans: clock, randomness, the user store, the audit log, and Spring Authorization
 * Server's authorization and consent stores. The {@link PasswordHasher} is the starter's ({@code
 * GatehousePasswordAutoConfiguration}, {@code gatehouse.password.*}: Argon2id m=19456 KiB, t=2, p=1 by default, as
 * {@code PasswordHasher.defaults()}). Keys, secrets and clients wire themselves in their
 * own packages ({@code keys}, {@code secrets}, {@code clients}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({GatehouseProperties.class, ThrottleProperties.class})
@EnableScheduling
class ServerConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Audit events to the {@code gatehouse.audit} log at once and, through a bounded queue and one writer thread, to
     * the hash-chained {@code gh_audit_event} table ({@code audit.AuditConfiguration} defines the chain). Closed
     * (queue drained) when the context closes, before the data source.
     */
    @Bean
    JdbcAuditLog auditLog(AuditChain chain, AuditProperties audit, Clock clock, MeterRegistry registry) {
        return JdbcAuditLog.builder()
                .chain(chain)
                .properties(audit)
                .clock(clock)
                .meterRegistry(registry)
                .build();
    }

    @Bean
    SecureRandom secureRandom() {
        return new SecureRandom();
    }

    /**
     * Picked up by Spring Authorization Server, which chains it after its own defaults (DPoP and mTLS {@code cnf}
     * binding) in the {@code JwtGenerator} it builds over our {@link JwtEncoder} bean.
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

    @Bean
    JdbcUserStore userStore(JdbcTemplate jdbc) {
        return new JdbcUserStore(jdbc);
    }

    @Bean
    SignInSessions signInSessions(JdbcTemplate jdbc, Clock clock) {
        return new SignInSessions(jdbc, clock);
    }

    @Bean
    PasswordAuthenticationProvider passwordAuthenticationProvider(
            JdbcUserStore users, PasswordHasher hasher, Clock clock, JdbcTemplate jdbc, ThrottleProperties throttle) {
        // Counters in the database, so the limits hold across nodes.
        AttemptLimiter limiter = AttemptLimiter.builder()
                .scope("password")
                .policy(throttle.policy())
                .store(new JdbcAttemptStore(jdbc))
                .clock(clock)
                .build();
        return new PasswordAuthenticationProvider(users, hasher, clock, limiter);
    }

    @Bean
    OAuth2AuthorizationService authorizationService(
            JdbcTemplate jdbc, RegisteredClientRepository clients, Clock clock, AuditLog audit) {
        // Outermost: remembers what was saved in this request, so token and revocation events name the jti.
        return new AuditingAuthorizationService(new RefreshTokenReuseDetection(
                new dev.gatehouse.server.tokens.JdbcAuthorizationStore(jdbc, clients), jdbc, clock, audit));
    }

    @Bean
    OAuth2AuthorizationConsentService authorizationConsentService(
            JdbcTemplate jdbc, RegisteredClientRepository clients) {
        return new JdbcOAuth2AuthorizationConsentService(jdbc, clients);
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings(GatehouseProperties properties) {
        AuthorizationServerSettings.Builder settings = AuthorizationServerSettings.builder();
        String issuer = properties.configuredIssuer();
        if (issuer != null) {
            settings.issuer(issuer);
        }
        return settings.build();
    }

    @Bean
    ExpiredStatePurger expiredStatePurger(
            StoredAuthorizations authorizations, JdbcTemplate jdbc, Clock clock, GatehouseProperties properties) {
        return new ExpiredStatePurger(
                authorizations,
                new JdbcAttemptStore(jdbc),
                clock,
                properties.server().purgeGrace());
    }

    @Bean
    KeyRotation keyRotation(KeyRing ring) {
        return new KeyRotation(ring);
    }
}
