package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.TotpService;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class GatehouseMfaAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GatehouseMfaAutoConfiguration.class));

    private static String key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    @Test
    void contextWhenNotEnabledThenNoMfaBeans() {
        runner.run(context -> assertThat(context).doesNotHaveBean(TotpService.class));
    }

    @Test
    void contextWhenEnabledWithKeysThenTotpAndRecoveryCodes() {
        runner.withPropertyValues(
                        "gatehouse.mfa.enabled=true",
                        "gatehouse.mfa.issuer=Example",
                        "gatehouse.master-key=" + key(),
                        "gatehouse.mfa.recovery-code-key=" + key())
                .run(context -> {
                    assertThat(context).hasSingleBean(TotpService.class).hasSingleBean(RecoveryCodes.class);
                    assertThat(context.getBean(RecoveryCodes.class).generate("user-1"))
                            .hasSize(10);
                });
    }

    @Test
    void contextWhenEnabledWithoutMasterKeyThenStartupFails() {
        runner.withPropertyValues("gatehouse.mfa.enabled=true", "gatehouse.mfa.recovery-code-key=" + key())
                .run(context ->
                        assertThat(context).hasFailed().getFailure().hasStackTraceContaining("GATEHOUSE_MASTER_KEY"));
    }

    @Test
    void contextWhenEnabledWithoutRecoveryKeyThenStartupFails() {
        runner.withPropertyValues("gatehouse.mfa.enabled=true", "gatehouse.master-key=" + key())
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("gatehouse.mfa.recovery-code-key is required"));
    }

    @Test
    void contextWhenDataSourcePresentThenJdbcStoresWithSchema() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration.class,
                        org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration.class,
                        GatehouseMfaAutoConfiguration.class))
                .withPropertyValues(
                        "spring.datasource.url=jdbc:h2:mem:mfa-autoconfig;DB_CLOSE_DELAY=-1",
                        "gatehouse.mfa.enabled=true",
                        "gatehouse.master-key=" + key(),
                        "gatehouse.mfa.recovery-code-key=" + key())
                .run(context -> {
                    assertThat(context.getBean(dev.gatehouse.core.mfa.TotpFactorStore.class))
                            .isInstanceOf(dev.gatehouse.spring.jdbc.JdbcTotpFactorStore.class);
                    assertThat(context.getBean(dev.gatehouse.core.mfa.RecoveryCodeStore.class))
                            .isInstanceOf(dev.gatehouse.spring.jdbc.JdbcRecoveryCodeStore.class);
                    assertThat(context.getBean(RecoveryCodes.class).generate("u"))
                            .hasSize(10);
                    assertThat(context.getBean(org.springframework.jdbc.core.JdbcTemplate.class)
                                    .queryForObject("SELECT COUNT(*) FROM gatehouse_recovery_code", Integer.class))
                            .isEqualTo(10);
                });
    }
}
