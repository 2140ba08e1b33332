package dev.gatehouse.server.clients;

import dev.gatehouse.server.secrets.ServerSecrets;
import dev.gatehouse.server.settings.GatehouseProperties;
import java.security.SecureRandom;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/** Registered clients: their JDBC store behind the cache and rotation enforcer, and how their secrets are hashed. */
@Configuration(proxyBeanMethods = false)
class ClientsConfiguration {

    /** Name of the client-secret HMAC key in {@code gh_server_secret}. */
    static final String CLIENT_SECRET_HMAC_KEY = "client-secret-hmac-sha256";

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
        Duration ttl = properties.server().clientCacheTtl();
        RegisteredClientRepository cached =
                ttl.isZero() ? store : new CachingRegisteredClientRepository(store, ttl, System::nanoTime);
        return new RefreshTokenRotationEnforcer(cached);
    }
}
