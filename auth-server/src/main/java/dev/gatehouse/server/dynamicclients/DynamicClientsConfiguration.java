package dev.gatehouse.server.dynamicclients;

import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.clients.ClientRegistrations;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.clients.SealedClientSecrets;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.tokens.StoredAuthorizations;
import java.security.SecureRandom;
import java.time.Clock;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Dynamic client registration ({@code gatehouse.server.registration.*}): the initial and registration access token
 * stores ({@code gh_initial_access_token}, {@code gh_registration_access_token}, migration V22) and the {@link
 * DynamicRegistration} the authorization server chain applies. The beans exist when registration is off too (the
 * admin API lists initial access tokens either way; the endpoints answer 404).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DynamicRegistrationProperties.class)
class DynamicClientsConfiguration {

    @Bean
    InitialAccessTokens initialAccessTokens(JdbcTemplate jdbc, Clock clock, SecureRandom random) {
        return new InitialAccessTokens(jdbc, clock, random);
    }

    @Bean
    DynamicRegistration dynamicRegistration(
            DynamicRegistrationProperties properties,
            GatehouseProperties server,
            InitialAccessTokens initialTokens,
            JdbcTemplate jdbc,
            ClientSecrets secrets,
            RegisteredClientRepository clients,
            ClientRegistrations registrations,
            StoredAuthorizations authorizations,
            TransactionTemplate tx,
            AuditLog audit,
            Clock clock,
            SecureRandom random,
            SealedClientSecrets sealed) {
        RegistrationPolicy policy = new RegistrationPolicy(
                properties, server.token().accessTokenLifetime(), server.token().refreshTokenLifetime());
        @Nullable String configured = server.configuredIssuer();
        ClientConfigurationEndpoint.Store store = new ClientConfigurationEndpoint.Store() {
            @Override
            public @Nullable RegisteredClient findByClientId(String clientId) {
                return clients.findByClientId(clientId);
            }

            @Override
            public void save(RegisteredClient client) {
                clients.save(client);
            }

            @Override
            public void delete(RegisteredClient client) {
                // As the admin API deletes: tokens and consents first, then the client (its registration access
                // token goes with it); the client cache forgets it on every node (ClientRegistrations).
                authorizations.removeAllOf(client.getId());
                registrations.remove(client.getId());
            }

            @Override
            public void forgetConsents(RegisteredClient client) {
                authorizations.removeConsentsOf(client.getId());
            }

            @Override
            public void removeClientCredentials(RegisteredClient client) {
                authorizations.removeClientCredentialsOf(client.getId());
            }
        };
        return new DynamicRegistration(
                properties,
                policy,
                initialTokens,
                new RegistrationAccessTokens(jdbc, clock, random),
                secrets,
                tx,
                audit,
                clock,
                random,
                // Absolute URLs on the configured issuer; without one (development), the issuer Spring Authorization
                // Server resolved for this request, as for its own endpoints.
                () -> configured != null
                        ? configured
                        : AuthorizationServerContextHolder.getContext().getIssuer(),
                store,
                sealed);
    }
}
