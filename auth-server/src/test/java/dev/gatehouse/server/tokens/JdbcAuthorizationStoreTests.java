package dev.gatehouse.server.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Migrations;
import java.nio.file.Files;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/** The insert-first and update-first shortcuts store exactly what Spring Authorization Server's own save would, and only skip a read. */
class JdbcAuthorizationStoreTests {

    private static final RegisteredClient CLIENT = RegisteredClient.withId("client-1")
            .clientId("service")
            .clientSecret("{noop}unused")
            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
            .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
            .scope("api.read")
            .build();

    private JdbcTemplate jdbc;
    private JdbcAuthorizationStore store;

    @BeforeEach
    void database() throws Exception {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(
                "jdbc:h2:file:" + Files.createTempDirectory("gatehouse-store-").resolve("db") + ";DB_CLOSE_DELAY=-1");
        dataSource.setUser("sa");
        Flyway.configure()
                .dataSource(dataSource)
                .locations(Migrations.locations("h2"))
                .load()
                .migrate();
        jdbc = new JdbcTemplate(dataSource);
        store = new JdbcAuthorizationStore(jdbc, new InMemoryRegisteredClientRepository(CLIENT));
    }

    private static OAuth2Authorization clientCredentials(String token) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return OAuth2Authorization.withRegisteredClient(CLIENT)
                .id(UUID.randomUUID().toString())
                .principalName("service")
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .authorizedScopes(Set.of("api.read"))
                .token(
                        new OAuth2AccessToken(
                                OAuth2AccessToken.TokenType.BEARER,
                                token,
                                now,
                                now.plusSeconds(300),
                                Set.of("api.read")),
                        metadata -> metadata.put(
                                OAuth2Authorization.Token.CLAIMS_METADATA_NAME,
                                new HashMap<>(Map.of("sub", "service", "jti", token))))
                .build();
    }

    private long selectsById() {
        return jdbc.queryForObject(
                "SELECT COALESCE(SUM(EXECUTION_COUNT), 0) FROM INFORMATION_SCHEMA.QUERY_STATISTICS"
                        + " WHERE SQL_STATEMENT LIKE 'SELECT %FROM oauth2_authorization WHERE id = %'",
                Long.class);
    }

    @Test
    void saveWhenFreshClientCredentialsThenInsertedWithoutReadingFirstAndReadsBackIdentically() {
        jdbc.execute("SET QUERY_STATISTICS TRUE");
        OAuth2Authorization fresh = clientCredentials("token-1");

        store.save(fresh);

        assertThat(selectsById()).isZero();
        OAuth2Authorization found = store.findByToken("token-1", OAuth2TokenType.ACCESS_TOKEN);
        assertThat(found).isNotNull();
        assertThat(found.getId()).isEqualTo(fresh.getId());
        assertThat(found.getAccessToken().getToken().getExpiresAt())
                .isEqualTo(fresh.getAccessToken().getToken().getExpiresAt());
        assertThat(found.getAccessToken().getClaims()).containsEntry("jti", "token-1");
        assertThat(found.getAuthorizedScopes()).containsExactly("api.read");
    }

    @Test
    void findByTokenWhenNoTypeThenFoundThroughOneIndexedColumnAtATimeNeverTheOrQuery() {
        OAuth2Authorization first = clientCredentials("token-untyped-1");
        OAuth2Authorization second = clientCredentials("token-untyped-2");
        store.save(first);
        store.save(second);
        jdbc.execute("SET QUERY_STATISTICS TRUE");

        assertThat(store.findByToken("token-untyped-2", null).getId()).isEqualTo(second.getId());
        assertThat(store.findByToken("token-untyped-1", null).getId()).isEqualTo(first.getId());
        assertThat(store.findByToken("no-such-token", null)).isNull();
        assertThat(store.findByToken(second.getId(), null)).isNull();

        // Spring Authorization Server's untyped query ORs the columns, which H2 answers with a table scan.
        assertThat(jdbc.queryForObject(
                        "SELECT COALESCE(SUM(EXECUTION_COUNT), 0) FROM INFORMATION_SCHEMA.QUERY_STATISTICS"
                                + " WHERE SQL_STATEMENT LIKE 'SELECT %FROM oauth2_authorization WHERE % OR %'",
                        Long.class))
                .isZero();
    }

    @Test
    void saveWhenRevokedThenUpdatedInPlaceTheUsualWay() {
        OAuth2Authorization fresh = clientCredentials("token-2");
        store.save(fresh);
        OAuth2Authorization revoked = OAuth2Authorization.from(fresh)
                .invalidate(fresh.getAccessToken().getToken())
                .build();

        store.save(revoked);

        assertThat(store.findById(fresh.getId()).getAccessToken().isInvalidated())
                .isTrue();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM oauth2_authorization", Integer.class))
                .isEqualTo(1);
    }

    @Test
    void saveWhenTheRowExistsThenUpdatedInPlaceWithoutReadingItFirst() {
        OAuth2Authorization fresh = clientCredentials("token-5");
        store.save(fresh);
        OAuth2Authorization revoked = OAuth2Authorization.from(fresh)
                .invalidate(fresh.getAccessToken().getToken())
                .build();
        jdbc.execute("SET QUERY_STATISTICS TRUE");

        store.save(revoked);

        assertThat(selectsById()).isZero();
        OAuth2Authorization found = store.findById(fresh.getId());
        assertThat(found.getAccessToken().isInvalidated()).isTrue();
        assertThat(found.getAccessToken().getClaims()).containsEntry("jti", "token-5");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM oauth2_authorization", Integer.class))
                .isEqualTo(1);
    }

    @Test
    void saveWhenNoRowAndNotFreshClientCredentialsThenInserted() {
        OAuth2Authorization fresh = clientCredentials("token-6");
        OAuth2Authorization revoked = OAuth2Authorization.from(fresh)
                .invalidate(fresh.getAccessToken().getToken())
                .build();

        store.save(revoked);

        assertThat(store.findById(fresh.getId()).getAccessToken().isInvalidated())
                .isTrue();
    }

    @Test
    void saveWhenAFreshLookingAuthorizationIsSavedTwiceThenTheSecondUpdatesNotFails() {
        OAuth2Authorization fresh = clientCredentials("token-3");
        store.save(fresh);

        store.save(fresh);

        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM oauth2_authorization", Integer.class))
                .isEqualTo(1);
    }

    @Test
    void freshClientCredentialsWhenOtherGrantsOrInvalidatedThenNot() {
        OAuth2Authorization fresh = clientCredentials("token-4");
        assertThat(JdbcAuthorizationStore.freshClientCredentials(fresh)).isTrue();
        assertThat(JdbcAuthorizationStore.freshClientCredentials(OAuth2Authorization.from(fresh)
                        .invalidate(fresh.getAccessToken().getToken())
                        .build()))
                .isFalse();
        assertThat(JdbcAuthorizationStore.freshClientCredentials(OAuth2Authorization.from(fresh)
                        .authorizationGrantType(AuthorizationGrantType.TOKEN_EXCHANGE)
                        .build()))
                .isFalse();
    }
}
