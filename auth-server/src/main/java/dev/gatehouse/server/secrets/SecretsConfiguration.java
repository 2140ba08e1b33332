package dev.gatehouse.server.secrets;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.server.settings.GatehouseProperties;
import java.security.SecureRandom;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The master key's envelope, which seals everything at rest, and the server-wide secrets sealed under it. */
@Configuration(proxyBeanMethods = false)
class SecretsConfiguration {

    @Bean
    Envelope envelope(GatehouseProperties properties, SecureRandom random) {
        return Envelope.of(
                MasterKeys.resolve(System::getenv, properties.server().dataDir(), properties.devMode(), random));
    }

    @Bean
    ServerSecrets serverSecrets(JdbcTemplate jdbc, Envelope envelope, SecureRandom random) {
        return new ServerSecrets(jdbc, envelope, random);
    }
}
