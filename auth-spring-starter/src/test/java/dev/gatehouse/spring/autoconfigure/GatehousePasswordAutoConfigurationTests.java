package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.password.Argon2Parameters;
import dev.gatehouse.core.password.BcryptParameters;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.PasswordPolicy;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

class GatehousePasswordAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GatehousePasswordAutoConfiguration.class));

    @Test
    void contextWhenDefaultsThenArgon2idHasherPolicyAndDelegatingEncoder() {
        runner.run(context -> {
            assertThat(context.getBean(PasswordHasher.class).parameters()).isEqualTo(Argon2Parameters.owasp());
            assertThat(context).hasSingleBean(PasswordPolicy.class);
            PasswordEncoder encoder = context.getBean(PasswordEncoder.class);
            assertThat(encoder).isInstanceOf(DelegatingPasswordEncoder.class);
            String hash = encoder.encode("lantern quarry velvet orbit");
            assertThat(hash).startsWith("{gatehouse}$argon2id$v=19$m=19456,t=2,p=1$");
            assertThat(encoder.matches("lantern quarry velvet orbit", hash)).isTrue();
            assertThat(encoder.matches("wrong", hash)).isFalse();
            assertThat(encoder.upgradeEncoding(hash)).isFalse();
        });
    }

    @Test
    void encoderWhenLegacyBcryptHashThenMatchesAndAsksForUpgradeToArgon2id() {
        runner.run(context -> {
            PasswordEncoder encoder = context.getBean(PasswordEncoder.class);
            String legacy = "{bcrypt}" + new BCryptPasswordEncoder(10).encode("lantern quarry velvet orbit");

            assertThat(encoder.matches("lantern quarry velvet orbit", legacy)).isTrue();
            assertThat(encoder.upgradeEncoding(legacy)).isTrue();
            assertThat(encoder.encode("lantern quarry velvet orbit")).startsWith("{gatehouse}$argon2id$");
        });
    }

    @Test
    void encoderWhenPlainTextNoopHashThenNeverMatches() {
        runner.run(context -> {
            PasswordEncoder encoder = context.getBean(PasswordEncoder.class);

            assertThatThrownBy(() -> encoder.matches("secret", "{noop}secret"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(encoder.matches("secret", "{gatehouse}not-a-hash")).isFalse();
        });
    }

    @Test
    void contextWhenApplicationDefinesItsOwnBeansThenBacksOff() {
        runner.withUserConfiguration(OwnBeans.class).run(context -> {
            assertThat(context.getBean(PasswordHasher.class)).isSameAs(OwnBeans.HASHER);
            assertThat(context.getBean(PasswordEncoder.class)).isInstanceOf(BCryptPasswordEncoder.class);
        });
    }

    @Test
    void contextWhenSpringSecurityAbsentThenHasherWithoutEncoder() {
        runner.withClassLoader(new FilteredClassLoader(PasswordEncoder.class)).run(context -> {
            assertThat(context).hasSingleBean(PasswordHasher.class);
            assertThat(context).doesNotHaveBean("gatehousePasswordEncoder");
        });
    }

    @Test
    void propertiesWhenBcryptChosenThenBound() {
        runner.withPropertyValues("gatehouse.password.algorithm=bcrypt", "gatehouse.password.bcrypt-cost=11")
                .run(context -> assertThat(context.getBean(PasswordHasher.class).parameters())
                        .isEqualTo(BcryptParameters.of(11)));
    }

    @Test
    void propertiesWhenUnsafeThenStartupFailsWithClearMessage() {
        runner.withPropertyValues("gatehouse.password.algorithm=bcrypt", "gatehouse.password.bcrypt-cost=8")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("bcrypt cost must be at least 10"));
        runner.withPropertyValues("gatehouse.password.algorithm=md5")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("argon2id, bcrypt or scrypt"));
        runner.withPropertyValues("gatehouse.password.pepper=c2hvcnQ=")
                .run(context ->
                        assertThat(context).hasFailed().getFailure().hasStackTraceContaining("at least 32 bytes"));
        runner.withPropertyValues("gatehouse.password.min-length=4")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("NIST"));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {
        static final PasswordHasher HASHER = PasswordHasher.builder().build();

        @Bean
        PasswordHasher myHasher() {
            return HASHER;
        }

        @Bean
        PasswordEncoder myEncoder() {
            return new BCryptPasswordEncoder();
        }
    }
}
