package dev.gatehouse.server.clients;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.server.secrets.ServerSecrets;
import dev.gatehouse.server.settings.GatehouseProperties;
import java.security.SecureRandom;
import java.time.Clock;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContext;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;

/** Registered clients: their JDBC store behind the cache and rotation enforcer, and how their secrets are hashed. */
@Configuration(proxyBeanMethods = false)
class ClientsConfiguration {

    /** Name of the client-secret HMAC key in {@code gh_server_secret}. */
    static final String CLIENT_SECRET_HMAC_KEY = "client-secret-hmac-sha256";

    @Bean
    ClientSecrets clientSecrets(ServerSecrets secrets, SecureRandom random) {
        return new ClientSecrets(secrets.getOrCreate(CLIENT_SECRET_HMAC_KEY, 32), random);
    }

    /** The sealed copies of {@code client_secret_jwt} clients' secrets (RFC 7523 §2.2), under the master key. */
    @Bean
    SealedClientSecrets sealedClientSecrets(
            Envelope envelope,
            ClientSecrets secrets,
            SecureRandom random,
            ObjectProvider<io.micrometer.core.instrument.MeterRegistry> meters) {
        SealedClientSecrets sealed = new SealedClientSecrets(envelope, secrets, random);
        meters.ifAvailable(registry -> io.micrometer.core.instrument.FunctionCounter.builder(
                        "gatehouse.client.sealed_secret.unusable", sealed, SealedClientSecrets::unusableCount)
                .description("client_secret_jwt sealed secrets the server could not open or that no longer match"
                        + " the client's secret hash (its assertions are refused until the secret is rotated)")
                .register(registry));
        return sealed;
    }

    /** Picked up by Spring Authorization Server's client authentication (client secrets only; users use the hasher). */
    @Bean
    PasswordEncoder clientSecretEncoder(ClientSecrets secrets) {
        return secrets.encoder();
    }

    /** PostgreSQL bumps the client change epoch by trigger (migration V16); on H2 this package bumps it. */
    @Bean
    ClientChangeEpoch clientChangeEpoch(JdbcTemplate jdbc) {
        String product = jdbc.execute((ConnectionCallback<String>)
                connection -> connection.getMetaData().getDatabaseProductName());
        return new ClientChangeEpoch(jdbc, "PostgreSQL".equals(product));
    }

    /** Absent when {@code gatehouse.server.client-cache-ttl} is {@code 0}: every lookup then reads the database. */
    @Bean
    @Nullable
    ClientCache clientCache(JdbcTemplate jdbc, ClientChangeEpoch epoch, GatehouseProperties properties) {
        GatehouseProperties.Server server = properties.server();
        if (server.clientCacheTtl().isZero()) {
            return null;
        }
        return new ClientCache(
                ClientSettingsLimit.repository(jdbc),
                epoch::current,
                epoch::changed,
                server.clientCacheTtl(),
                server.clientCachePollInterval(),
                server.clientCacheMaxStaleness(),
                System::nanoTime);
    }

    /**
     * {@code private_key_jwt} and {@code client_secret_jwt} assertions (RFC 7523): the audience is the configured issuer, else the one Spring
     * Authorization Server resolved for the request; {@code jti} values are recorded by {@code usedIds} (the {@code
     * tokens} package's shared table, wired in {@code config}).
     */
    @Bean
    ClientAssertions clientAssertions(
            GatehouseProperties properties,
            Clock clock,
            ClientAssertions.UsedIds usedIds,
            ClientKeyVerifiers keys,
            SealedClientSecrets sealed) {
        return new ClientAssertions(() -> issuer(properties), clock, usedIds, keys, sealed);
    }

    /** Signed request objects (RFC 9101), verified with the same keys and issuer as client assertions. */
    @Bean
    RequestObjects requestObjects(GatehouseProperties properties, Clock clock, ClientKeyVerifiers keys) {
        return new RequestObjects(properties::configuredIssuer, clock, keys, properties.devMode());
    }

    /**
     * Verifiers built from clients' keys, shared by client assertions and request objects: one cached key source per
     * client (a client's change replaces only its own entry, found by comparing its key source at each use).
     */
    @Bean
    ClientKeyVerifiers clientKeyVerifiers(Clock clock) {
        return new ClientKeyVerifiers(clock);
    }

    /**
     * The issuer a client assertion or request object must name as {@code aud}: the configured one; without one, the
     * one Spring Authorization Server resolved for the request (from the {@code Host} header) only in development
     * ({@code gatehouse.dev-mode}). Otherwise none, and every assertion and request object is refused: a derived
     * audience lets an assertion or object made for another server be replayed here by sending its {@code Host}
     * (draft-ietf-oauth-rfc7523bis).
     */
    static @Nullable String issuer(GatehouseProperties properties) {
        String configured = properties.configuredIssuer();
        if (configured != null || !properties.devMode()) {
            return configured;
        }
        AuthorizationServerContext context = AuthorizationServerContextHolder.getContext();
        return context == null ? null : context.getIssuer();
    }

    @Bean
    RegisteredClientRepository registeredClientRepository(JdbcTemplate jdbc, ObjectProvider<ClientCache> cache) {
        ClientCache c = cache.getIfAvailable();
        return new RefreshTokenRotationEnforcer(c != null ? c.repository() : ClientSettingsLimit.repository(jdbc));
    }

    @Bean
    ClientRegistrations clientRegistrations(JdbcTemplate jdbc, ObjectProvider<ClientCache> cache) {
        ClientCache c = cache.getIfAvailable();
        return c != null ? new ClientRegistrations(jdbc, c::removed) : new ClientRegistrations(jdbc);
    }
}
