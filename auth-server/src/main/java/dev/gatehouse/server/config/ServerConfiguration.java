package dev.gatehouse.server.config;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.TokenVerifier;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.server.audit.AuditChain;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.audit.AuditProperties;
import dev.gatehouse.server.audit.AuditingAuthorizationService;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.clients.CachingRegisteredClientRepository;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.keys.JdbcKeyRepository;
import dev.gatehouse.server.keys.KeyRingJwkSource;
import dev.gatehouse.server.keys.KeyRingJwtDecoder;
import dev.gatehouse.server.keys.KeyRingJwtEncoder;
import dev.gatehouse.server.maintenance.ExpiredStatePurger;
import dev.gatehouse.server.maintenance.KeyRotation;
import dev.gatehouse.server.tokens.AuthenticationContextTokenCustomizer;
import dev.gatehouse.server.tokens.RefreshTokenReuseDetection;
import dev.gatehouse.server.tokens.RolesTokenCustomizer;
import dev.gatehouse.server.users.JdbcAttemptStore;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.server.users.PasswordAuthenticationProvider;
import dev.gatehouse.server.users.SignInSessions;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The server's beans: auth-core services (hasher, key ring, envelope) and their adapters into Spring Authorization
 * Server's hooks (JDBC stores, token generator, JWK source, JWT encoder/decoder, client-secret encoder).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({GatehouseProperties.class, ThrottleProperties.class})
@EnableScheduling
class ServerConfiguration {

    /** Name of the client-secret HMAC key in {@code gh_server_secret}. */
    static final String CLIENT_SECRET_HMAC_KEY = "client-secret-hmac-sha256";

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

    @Bean
    Envelope envelope(GatehouseProperties properties, SecureRandom random) {
        return Envelope.of(MasterKeys.resolve(System::getenv, properties.dataDir(), properties.devMode(), random));
    }

    @Bean
    KeyRing keyRing(JdbcTemplate jdbc, TransactionTemplate tx, Envelope envelope, Clock clock, SecureRandom random) {
        KeyRing ring = KeyRing.builder()
                .repository(new JdbcKeyRepository(jdbc, tx))
                .envelope(envelope)
                .clock(clock)
                .secureRandom(random)
                .build();
        ring.activeKey(); // creates the first ACTIVE and NEXT keys on first start
        return ring;
    }

    @Bean
    JWKSource<SecurityContext> jwkSource(KeyRing ring) {
        return new KeyRingJwkSource(ring);
    }

    @Bean
    JwtEncoder jwtEncoder(KeyRing ring, GatehouseProperties properties) {
        return new KeyRingJwtEncoder(ring, properties.configuredIssuer());
    }

    @Bean
    JwtDecoder jwtDecoder(KeyRing ring, GatehouseProperties properties, Clock clock) {
        TokenVerifier.Builder verifier = TokenVerifier.builder()
                .keys(ring)
                .algorithms(JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256, JwsAlgorithm.EdDSA)
                .accessTokens()
                .clock(clock);
        String issuer = properties.configuredIssuer();
        if (issuer != null) {
            verifier.issuer(issuer);
        }
        return new KeyRingJwtDecoder(verifier.build());
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
    PasswordHasher passwordHasher() {
        return PasswordHasher.defaults();
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
    ServerSecrets serverSecrets(JdbcTemplate jdbc, Envelope envelope, SecureRandom random) {
        return new ServerSecrets(jdbc, envelope, random);
    }

    @Bean
    ClientSecrets clientSecrets(ServerSecrets secrets, SecureRandom random) {
        return new ClientSecrets(secrets.getOrCreate(CLIENT_SECRET_HMAC_KEY, 32), random);
    }

    /** Picked up by Spring Authorization Server's client authentication (client secrets only; users use the hasher). */
    @Bean
    PasswordEncoder clientSecretEncoder(ClientSecrets secrets) {
        return secrets.encoder();
    }

    @Bean
    RegisteredClientRepository registeredClientRepository(JdbcTemplate jdbc, GatehouseProperties properties) {
        JdbcRegisteredClientRepository store = new JdbcRegisteredClientRepository(jdbc);
        Duration ttl = properties.clientCacheTtl();
        RegisteredClientRepository cached =
                ttl.isZero() ? store : new CachingRegisteredClientRepository(store, ttl, System::nanoTime);
        return new dev.gatehouse.server.clients.RefreshTokenRotationEnforcer(cached);
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
    ExpiredStatePurger expiredStatePurger(JdbcTemplate jdbc, Clock clock, GatehouseProperties properties) {
        return new ExpiredStatePurger(jdbc, clock, properties.purgeGrace());
    }

    @Bean
    KeyRotation keyRotation(KeyRing ring) {
        return new KeyRotation(ring);
    }
}
