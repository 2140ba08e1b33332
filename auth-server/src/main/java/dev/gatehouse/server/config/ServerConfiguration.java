package dev.gatehouse.server.config;

import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.settings.ThrottleProperties;
import java.security.SecureRandom;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;

/**
 * The beans every package shares (clock, randomness, the server's settings) and Spring Authorization Server's
 * settings. Everything else wires itself in its own package ({@code keys}, {@code secrets}, {@code clients}, {@code
 * users}, {@code tokens}, {@code mfa}, {@code audit}, {@code maintenance}, ...); the security filter chains are in
 * {@link SecurityConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({GatehouseProperties.class, ThrottleProperties.class})
class ServerConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    SecureRandom secureRandom() {
        return new SecureRandom();
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
}
