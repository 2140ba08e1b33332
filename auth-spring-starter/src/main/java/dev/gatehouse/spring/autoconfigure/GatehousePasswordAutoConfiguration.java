package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.password.Argon2Parameters;
import dev.gatehouse.core.password.BcryptParameters;
import dev.gatehouse.core.password.HashParameters;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.PasswordPolicy;
import dev.gatehouse.core.password.Peppers;
import dev.gatehouse.core.password.ScryptParameters;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.crypto.password.Pbkdf2PasswordEncoder;

/**
 * {@link PasswordHasher} and {@link PasswordPolicy} from {@code gatehouse.password.*}, and, when Spring
 * Security is present, a {@link PasswordEncoder}: a {@link DelegatingPasswordEncoder} whose default id is
 * {@code gatehouse} (Argon2id through the hasher), which still verifies {@code {bcrypt}}, {@code {argon2}},
 * {@code {scrypt}} and {@code {pbkdf2}} hashes and reports them for upgrade, so existing users migrate to
 * Argon2id on their next sign-in. {@code {noop}} (plain text) is deliberately not accepted.
 */
@AutoConfiguration
@EnableConfigurationProperties(GatehouseProperties.class)
@Import({
    GatehousePasswordAutoConfiguration.HasherConfiguration.class,
    GatehousePasswordAutoConfiguration.EncoderConfiguration.class
})
public final class GatehousePasswordAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    static class HasherConfiguration {

        @Bean
        @ConditionalOnMissingBean
        PasswordHasher gatehousePasswordHasher(GatehouseProperties properties) {
            GatehouseProperties.Password p = properties.password();
            try {
                PasswordHasher.Builder builder =
                        PasswordHasher.builder().parameters(parameters(p)).maxWait(p.maxWait());
                if (p.maxConcurrentHashes() != null) {
                    builder.maxConcurrentHashes(p.maxConcurrentHashes());
                }
                if (p.pepper() != null && !p.pepper().isBlank()) {
                    builder.peppers(Peppers.of(
                            p.pepperKeyId(), GatehouseSecrets.base64(p.pepper(), "gatehouse.password.pepper")));
                }
                return builder.build();
            } catch (GatehouseException | IllegalArgumentException e) {
                throw new GatehouseConfigurationException("gatehouse.password is invalid: " + e.getMessage(), e);
            }
        }

        @Bean
        @ConditionalOnMissingBean
        PasswordPolicy gatehousePasswordPolicy(GatehouseProperties properties) {
            try {
                return PasswordPolicy.builder()
                        .minLength(properties.password().minLength())
                        .maxLength(properties.password().maxLength())
                        .build();
            } catch (GatehouseException e) {
                throw new GatehouseConfigurationException("gatehouse.password policy is invalid: " + e.getMessage(), e);
            }
        }

        private static HashParameters parameters(GatehouseProperties.Password p) {
            return switch (p.algorithm().toLowerCase(Locale.ROOT)) {
                case "argon2id" ->
                    Argon2Parameters.of(p.argon2MemoryKib(), p.argon2Iterations(), p.argon2Parallelism());
                case "bcrypt" -> BcryptParameters.of(p.bcryptCost());
                case "scrypt" -> ScryptParameters.owasp();
                default ->
                    throw new GatehouseConfigurationException(
                            "gatehouse.password.algorithm must be argon2id, bcrypt or scrypt, was '" + p.algorithm()
                                    + "'");
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(PasswordEncoder.class)
    static class EncoderConfiguration {

        @Bean
        @ConditionalOnMissingBean(PasswordEncoder.class)
        PasswordEncoder gatehousePasswordEncoder(PasswordHasher hasher) {
            GatehousePasswordEncoder gatehouse = new GatehousePasswordEncoder(hasher);
            Map<String, PasswordEncoder> encoders = new HashMap<>();
            encoders.put(GatehousePasswordEncoder.ID, gatehouse);
            // The hasher reads bcrypt, Argon2 and scrypt hashes in the formats Spring Security writes them.
            encoders.put("bcrypt", gatehouse);
            encoders.put("argon2", gatehouse);
            encoders.put("scrypt", gatehouse);
            encoders.put("pbkdf2", Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_8());
            return new DelegatingPasswordEncoder(GatehousePasswordEncoder.ID, encoders);
        }
    }
}
