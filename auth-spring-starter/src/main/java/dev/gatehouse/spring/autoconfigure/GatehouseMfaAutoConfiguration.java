package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.TotpService;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * TOTP ({@link TotpService}) and {@link RecoveryCodes} when {@code gatehouse.mfa.enabled=true}. TOTP secrets
 * are sealed under the master key; recovery codes are hashed under {@code gatehouse.mfa.recovery-code-key}.
 * Both stores are in memory here: applications with a database define their own {@code TotpFactorStore} and
 * {@code RecoveryCodeStore} beans (the auth-server does), which this configuration then uses.
 */
@AutoConfiguration
@EnableConfigurationProperties(GatehouseProperties.class)
@ConditionalOnProperty(prefix = "gatehouse.mfa", name = "enabled", havingValue = "true")
@Import(GatehouseMfaAutoConfiguration.MfaConfiguration.class)
public final class GatehouseMfaAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    static class MfaConfiguration {

        private static final Logger log = LoggerFactory.getLogger(GatehouseMfaAutoConfiguration.class);

        @Bean
        @ConditionalOnMissingBean
        TotpService gatehouseTotpService(
                GatehouseProperties properties,
                Environment environment,
                org.springframework.beans.factory.ObjectProvider<dev.gatehouse.core.mfa.TotpFactorStore> store) {
            try {
                TotpService.Builder builder = TotpService.builder()
                        .issuer(properties.mfa().issuer())
                        .envelope(MasterKeys.envelope(properties, environment, "gatehouse.mfa"));
                store.ifAvailable(builder::store);
                return builder.build();
            } catch (GatehouseException e) {
                throw new GatehouseConfigurationException("gatehouse.mfa is invalid: " + e.getMessage(), e);
            }
        }

        @Bean
        @ConditionalOnMissingBean
        RecoveryCodes gatehouseRecoveryCodes(
                GatehouseProperties properties,
                org.springframework.beans.factory.ObjectProvider<dev.gatehouse.core.mfa.RecoveryCodeStore> store) {
            String key = properties.mfa().recoveryCodeKey();
            byte[] hashKey;
            if (key != null && !key.isBlank()) {
                hashKey = Base64.getDecoder().decode(key.strip());
            } else if (properties.devMode()) {
                log.warn(
                        "gatehouse.dev-mode=true: recovery codes are hashed under an ephemeral key and stop working on restart");
                hashKey = new byte[32];
                new SecureRandom().nextBytes(hashKey);
            } else {
                throw new GatehouseConfigurationException(
                        "gatehouse.mfa.recovery-code-key is required: 32 random bytes in Base64 (e.g. `openssl rand -base64 32`)");
            }
            try {
                RecoveryCodes.Builder builder = RecoveryCodes.builder().hashKey(hashKey);
                store.ifAvailable(builder::store);
                return builder.build();
            } catch (GatehouseException e) {
                throw new GatehouseConfigurationException(
                        "gatehouse.mfa.recovery-code-key is invalid: " + e.getMessage(), e);
            }
        }
    }
}
