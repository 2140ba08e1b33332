package dev.gatehouse.server.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * V7 ({@code V7__token_lookup.sql}): on H2 the token columns move from BLOB to CHARACTER VARYING without losing a
 * stored authorization, and on both databases a lookup by token value uses an index instead of a table scan.
 */
class TokenLookupMigrationTests {

    private static final RegisteredClient CLIENT = RegisteredClient.withId("client-1")
            .clientId("service")
            .clientSecret("{noop}unused")
            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
            .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
            .scope("api.read")
            .build();

    private static OAuth2Authorization authorization(String tokenValue) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return OAuth2Authorization.withRegisteredClient(CLIENT)
                .id(UUID.randomUUID().toString())
                .principalName("service")
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .authorizedScopes(Set.of("api.read"))
                .token(new OAuth2AccessToken(
                        OAuth2AccessToken.TokenType.BEARER, tokenValue, now, now.plusSeconds(300), Set.of("api.read")))
                .build();
    }

    private static JdbcOAuth2AuthorizationService service(DataSource dataSource) {
        return new JdbcOAuth2AuthorizationService(
                new JdbcTemplate(dataSource), new InMemoryRegisteredClientRepository(CLIENT));
    }

    @Test
    void h2WhenMigratedFromBlobColumnsThenStoredAuthorizationsSurviveAndLookupsUseAnIndex() throws Exception {
        Path dir = Files.createTempDirectory("gatehouse-v7-");
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:file:" + dir.resolve("db") + ";DB_CLOSE_ON_EXIT=FALSE");
        dataSource.setUser("sa");
        Flyway.configure()
                .dataSource(dataSource)
                .locations(Migrations.locations("h2"))
                .target("2")
                .load()
                .migrate();
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        assertThat(columnType(jdbc, "ACCESS_TOKEN_VALUE")).isEqualTo("BINARY LARGE OBJECT");
        String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZXJ2aWNlIiwibmFtZSI6IkrDvHJnZW4ifQ.c2lnbmF0dXJl";
        OAuth2Authorization before = authorization(token);
        service(dataSource).save(before); // written as BLOBs by Spring Authorization Server

        Flyway.configure()
                .dataSource(dataSource)
                .locations(Migrations.locations("h2"))
                .load()
                .migrate();

        assertThat(columnType(jdbc, "ACCESS_TOKEN_VALUE")).isEqualTo("CHARACTER VARYING");
        assertThat(columnType(jdbc, "ATTRIBUTES")).isEqualTo("CHARACTER VARYING");
        OAuth2Authorization after = service(dataSource).findByToken(token, OAuth2TokenType.ACCESS_TOKEN);
        assertThat(after).isNotNull();
        assertThat(after.getId()).isEqualTo(before.getId());
        assertThat(after.getAccessToken().getToken().getTokenValue()).isEqualTo(token);
        assertThat(after.getAuthorizedScopes()).containsExactly("api.read");
        // New rows go in as text and are found the same way.
        OAuth2Authorization fresh = authorization(token + "x");
        service(dataSource).save(fresh);
        assertThat(service(dataSource).findByToken(token + "x", null).getId()).isEqualTo(fresh.getId());

        String plan = jdbc.queryForObject(
                "EXPLAIN SELECT id FROM oauth2_authorization WHERE access_token_value = 'x'", String.class);
        assertThat(plan).contains("OAUTH2_AUTHORIZATION_ACCESS_TOKEN_VALUE");
    }

    @Test
    void postgresWhenMigratedThenLookupsByEveryTokenColumnUseAHashIndex() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            DataSource dataSource = postgres.getPostgresDatabase();
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations(Migrations.locations("postgresql"))
                    .load()
                    .migrate();
            String token = "opaque-" + UUID.randomUUID();
            OAuth2Authorization saved = authorization(token);
            service(dataSource).save(saved);
            assertThat(service(dataSource).findByToken(token, null).getId()).isEqualTo(saved.getId());

            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            for (String column : List.of(
                    "state",
                    "authorization_code_value",
                    "access_token_value",
                    "oidc_id_token_value",
                    "refresh_token_value",
                    "user_code_value",
                    "device_code_value")) {
                // With a handful of rows the planner would rightly scan; forbid that to see the index it has.
                List<String> plan = jdbc.execute((java.sql.Connection c) -> {
                    try (var st = c.createStatement()) {
                        st.execute("SET enable_seqscan = off");
                        try (var rs = st.executeQuery(
                                "EXPLAIN SELECT id FROM oauth2_authorization WHERE " + column + " = 'x'")) {
                            List<String> lines = new java.util.ArrayList<>();
                            while (rs.next()) {
                                lines.add(rs.getString(1));
                            }
                            return lines;
                        }
                    }
                });
                assertThat(String.join("\n", plan)).as(column).contains("oauth2_authorization_" + column);
            }
        }
    }

    private static String columnType(JdbcTemplate jdbc, String column) {
        return jdbc.queryForObject(
                "SELECT data_type FROM information_schema.columns WHERE table_name = 'OAUTH2_AUTHORIZATION'"
                        + " AND column_name = ?",
                String.class,
                column);
    }
}
