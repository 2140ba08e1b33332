package dev.gatehouse.server.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/** Settings beyond V24's column length: refused with invalid_client_metadata before the row is written. */
class ClientSettingsLimitTests {

    JdbcTemplate jdbc;
    JdbcRegisteredClientRepository repository;

    @BeforeEach
    void setUp() {
        jdbc = new JdbcTemplate(new DriverManagerDataSource(
                "jdbc:h2:mem:settings-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", ""));
        org.flywaydb.core.Flyway.configure()
                .dataSource(jdbc.getDataSource())
                .locations(dev.gatehouse.server.Migrations.locations("h2"))
                .load()
                .migrate();
        repository = ClientSettingsLimit.repository(jdbc);
    }

    @AfterEach
    void tearDown() {
        jdbc.execute("SHUTDOWN");
    }

    static RegisteredClient client(int settingChars) {
        return RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId("c-" + settingChars)
                .clientSecret("{noop}x")
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .clientSettings(ClientSettings.builder()
                        .setting("settings.client.gatehouse.padding", "p".repeat(settingChars))
                        .build())
                .build();
    }

    @Test
    void saveWhenSettingsFitTheWidenedColumnThenStored() {
        repository.save(client(60_000));

        assertThat(repository.findByClientId("c-60000")).isNotNull();
    }

    @Test
    void saveWhenSettingsBeyondTheLimitThenInvalidClientMetadataAndNothingStored() {
        assertThatThrownBy(() -> repository.save(client(ClientSettingsLimit.MAX_CHARS)))
                .isInstanceOf(OAuth2AuthenticationException.class)
                .satisfies(e -> assertThat(
                                ((OAuth2AuthenticationException) e).getError().getErrorCode())
                        .isEqualTo("invalid_client_metadata"));

        assertThat(repository.findByClientId("c-" + ClientSettingsLimit.MAX_CHARS))
                .isNull();
    }
}
