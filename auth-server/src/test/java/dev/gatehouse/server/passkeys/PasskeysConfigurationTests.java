package dev.gatehouse.server.passkeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.pages.UiProperties;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.testsupport.H2Database;
import dev.gatehouse.server.testsupport.TestAuthenticator;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialCreationOptions;
import org.springframework.security.web.webauthn.jackson.WebauthnJacksonModule;
import org.springframework.security.web.webauthn.management.ImmutablePublicKeyCredentialCreationOptionsRequest;
import org.springframework.security.web.webauthn.management.ImmutableRelyingPartyRegistrationRequest;
import org.springframework.security.web.webauthn.management.PublicKeyCredentialUserEntityRepository;
import org.springframework.security.web.webauthn.management.UserCredentialRepository;
import org.springframework.security.web.webauthn.management.WebAuthnRelyingPartyOperations;
import org.springframework.security.web.webauthn.registration.PublicKeyCredentialCreationOptionsRepository;
import tools.jackson.databind.json.JsonMapper;

/** {@link PasskeysConfiguration}: the beans it defines, enabled or not, and the start-up checks. */
class PasskeysConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Support.class, PasskeysConfiguration.class)
            .withPropertyValues("gatehouse.token.issuer=https://login.example.test");

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({GatehouseProperties.class, UiProperties.class})
    static class Support {

        @Bean
        JdbcTemplate jdbcTemplate() {
            JdbcTemplate jdbc = H2Database.migrated("passkey-config").jdbc();
            jdbc.update("INSERT INTO gh_user (username, password_hash) VALUES ('ada', 'x')");
            return jdbc;
        }

        @Bean
        Clock clock() {
            return Clock.systemUTC();
        }
    }

    @Test
    void contextWhenEnabledThenOneStoreBehindEveryRepositoryAndTheRelyingParty() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            Object store = context.getBean(Passkeys.class);
            assertThat(context.getBean(UserCredentialRepository.class)).isSameAs(store);
            assertThat(context.getBean(PublicKeyCredentialUserEntityRepository.class))
                    .isSameAs(store);
            assertThat(context).hasSingleBean(WebAuthnRelyingPartyOperations.class);
            assertThat(context.getBean(PublicKeyCredentialCreationOptionsRepository.class))
                    .isInstanceOf(SessionCreationOptionsRepository.class);
            PasskeyRelyingPartySettings settings = context.getBean(PasskeyRelyingPartySettings.class);
            assertThat(settings.rpId()).isEqualTo("login.example.test");
            assertThat(settings.rpName()).isEqualTo("Gatehouse");
            assertThat(settings.allowedOrigins()).containsExactly("https://login.example.test");
        });
    }

    @Test
    void contextWhenDisabledThenReadApiOnlyAndNoneOfSpringsTypes() {
        runner.withPropertyValues("gatehouse.server.passkeys.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(Passkeys.class);
            assertThat(context.getBean(Passkeys.class).list("ada")).isEmpty();
            assertThat(context).doesNotHaveBean(UserCredentialRepository.class);
            assertThat(context).doesNotHaveBean(PublicKeyCredentialUserEntityRepository.class);
            assertThat(context).doesNotHaveBean(WebAuthnRelyingPartyOperations.class);
            assertThat(context).doesNotHaveBean(PublicKeyCredentialCreationOptionsRepository.class);
        });
    }

    @Test
    void contextWhenRpIdDoesNotCoverIssuerThenStartupFailsNamingProperty() {
        runner.withPropertyValues("gatehouse.server.passkeys.rp-id=other.example")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining(
                                "gatehouse.server.passkeys.rp-id=other.example does not cover the issuer's host"
                                        + " login.example.test"));
    }

    @Test
    void contextWhenAaguidNotUuidThenStartupFailsNamingProperty() {
        runner.withPropertyValues("gatehouse.server.passkeys.allowed-aaguids=yubikey")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("gatehouse.server.passkeys.allowed-aaguids=yubikey"));
    }

    @Test
    void contextWhenRpNameUnsetThenProductName() {
        runner.withPropertyValues("gatehouse.server.ui.product-name=Acme ID")
                .run(context -> assertThat(context.getBean(PasskeyRelyingPartySettings.class)
                                .rpName())
                        .isEqualTo("Acme ID"));
    }

    @Test
    void registerWhenNoIssuerThenLocalhostOnTheListeningPortIsTheOrigin() {
        runner.withPropertyValues("gatehouse.token.issuer=", "local.server.port=51234")
                .run(context -> {
                    WebAuthnRelyingPartyOperations rp = context.getBean(WebAuthnRelyingPartyOperations.class);
                    JsonMapper json = JsonMapper.builder()
                            .addModule(new WebauthnJacksonModule())
                            .build();
                    PublicKeyCredentialCreationOptions options = rp.createPublicKeyCredentialCreationOptions(
                            new ImmutablePublicKeyCredentialCreationOptionsRequest(
                                    UsernamePasswordAuthenticationToken.authenticated("ada", null, List.of())));
                    assertThat(options.getRp().getId()).isEqualTo("localhost");
                    String optionsJson = json.writeValueAsString(options);

                    TestAuthenticator elsewhere = TestAuthenticator.create();
                    assertThatThrownBy(() -> rp.registerCredential(new ImmutableRelyingPartyRegistrationRequest(
                                    options,
                                    PasskeyRelyingPartyTests.publicKey(
                                            elsewhere.register(optionsJson, "http://localhost:8080")))))
                            .isInstanceOf(PasskeyCeremonyException.class);
                    TestAuthenticator key = TestAuthenticator.create();
                    rp.registerCredential(new ImmutableRelyingPartyRegistrationRequest(
                            options,
                            PasskeyRelyingPartyTests.publicKey(key.register(optionsJson, "http://localhost:51234"))));
                    assertThat(context.getBean(Passkeys.class).list("ada")).hasSize(1);
                });
    }
}
