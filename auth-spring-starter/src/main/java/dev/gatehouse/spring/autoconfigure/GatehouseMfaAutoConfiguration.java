package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.mfa.RecoveryCodeStore;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.TotpFactorStore;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.spring.jdbc.JdbcRecoveryCodeStore;
import dev.gatehouse.spring.jdbc.JdbcTotpFactorStore;
import java.security.SecureRandom;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * TOTP ({@link TotpService}) and {@link RecoveryCodes} when {@code gatehouse.mfa.enabled=true}. TOTP secrets
 * are sealed under the master key; recovery codes are hashed under {@code gatehouse.mfa.recovery-code-key}.
 * With a {@code DataSource} (and spring-jdbc) the stores are JDBC ({@link JdbcTotpFactorStore}, {@link
 * JdbcRecoveryCodeStore}; tables created if missing unless {@code gatehouse.mfa.initialize-schema=false}), so
 * replay protection and single use hold across nodes; otherwise in memory. Your own store beans win.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
            "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration"
        })
@EnableConfigurationProperties(GatehouseProperties.class)
@ConditionalOnProperty(prefix = "gatehouse.mfa", name = "enabled", havingValue = "true")
@Import({
    GatehouseMfaAutoConfiguration.JdbcStoreConfiguration.class,
    GatehouseMfaAutoConfiguration.MfaConfiguration.class,
    GatehouseMfaAutoConfiguration.MissingLibraryConfiguration.class
})
public final class GatehouseMfaAutoConfiguration {

    /** googleauth (TOTP codes), named as a string so that nothing here loads it. */
    static final String GOOGLEAUTH = "com.warrenstrange.googleauth.GoogleAuthenticator";

    /** ZXing core and javase (enrolment QR codes). */
    static final String ZXING = "com.google.zxing.qrcode.QRCodeWriter";

    static final String ZXING_JAVASE = "com.google.zxing.client.j2se.MatrixToImageWriter";

    /** gatehouse.mfa.enabled=true without its libraries (auth-core declares them optional): refuse to start. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(MfaLibrariesMissing.class)
    static class MissingLibraryConfiguration {

        MissingLibraryConfiguration() {
            throw new GatehouseConfigurationException(
                    "gatehouse.mfa.enabled is true but googleauth or ZXing is not on the classpath.",
                    "Add the dependencies com.warrenstrange:googleauth, com.google.zxing:core and"
                            + " com.google.zxing:javase; the Gatehouse starter declares them optional.",
                    null);
        }
    }

    static final class MfaLibrariesMissing extends NoneNestedConditions {

        MfaLibrariesMissing() {
            super(ConfigurationPhase.PARSE_CONFIGURATION);
        }

        @ConditionalOnClass(name = {GOOGLEAUTH, ZXING, ZXING_JAVASE})
        static final class LibrariesPresent {}
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({JdbcTemplate.class, TransactionOperations.class})
    @ConditionalOnBean({DataSource.class, JdbcTemplate.class})
    static class JdbcStoreConfiguration {

        @Bean
        @ConditionalOnMissingBean
        TotpFactorStore gatehouseTotpFactorStore(
                JdbcTemplate jdbc, DataSource dataSource, GatehouseProperties properties) {
            initializeSchema(dataSource, properties);
            return new JdbcTotpFactorStore(jdbc);
        }

        @Bean
        @ConditionalOnMissingBean
        RecoveryCodeStore gatehouseRecoveryCodeStore(
                JdbcTemplate jdbc,
                DataSource dataSource,
                GatehouseProperties properties,
                ObjectProvider<TransactionOperations> tx) {
            initializeSchema(dataSource, properties);
            TransactionOperations transactions =
                    tx.getIfAvailable(() -> new TransactionTemplate(new DataSourceTransactionManager(dataSource)));
            return new JdbcRecoveryCodeStore(jdbc, transactions);
        }

        private static void initializeSchema(DataSource dataSource, GatehouseProperties properties) {
            if (properties.mfa().initializeSchema()) {
                new ResourceDatabasePopulator(new ClassPathResource("dev/gatehouse/spring/jdbc/schema.sql"))
                        .execute(dataSource);
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {GOOGLEAUTH, ZXING, ZXING_JAVASE})
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
                hashKey = GatehouseSecrets.base64(key, "gatehouse.mfa.recovery-code-key");
            } else if (properties.devMode()) {
                log.warn(
                        "gatehouse.dev-mode=true: recovery codes are hashed under an ephemeral key and stop working on restart");
                hashKey = new byte[32];
                new SecureRandom().nextBytes(hashKey);
            } else {
                throw new GatehouseConfigurationException(
                        "gatehouse.mfa.recovery-code-key is required: recovery codes are hashed under it, and"
                                + " gatehouse.mfa.enabled=true outside dev mode.",
                        "Set it to 32 random bytes in Base64 (e.g. `openssl rand -base64 32`), the same on every node.",
                        null);
            }
            try {
                RecoveryCodes.Builder builder = RecoveryCodes.builder().hashKey(hashKey);
                store.ifAvailable(builder::store);
                return builder.build();
            } catch (GatehouseException e) {
                throw new GatehouseConfigurationException(
                        "gatehouse.mfa.recovery-code-key is invalid: " + e.getMessage(), GatehouseSecrets.GENERATE, e);
            }
        }
    }
}
