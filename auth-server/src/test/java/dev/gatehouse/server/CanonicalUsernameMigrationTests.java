package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.users.JdbcUserStore;
import java.nio.file.Files;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Migration V12 (canonical usernames, issue #13 item 18) on both dialects: existing names are kept as they are (their
 * {@code sub} and sealed TOTP secrets depend on them) and found in any case; names that already differ only in case
 * stop the migration with a message naming them, and nothing is merged; afterwards no such pair can be created.
 */
class CanonicalUsernameMigrationTests {

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void migrateWhenMixedCaseNamesWithoutCollisionThenKeptFoundInAnyCaseAndNewCollisionRefused(String vendor)
            throws Exception {
        DataSource dataSource = dataSource(vendor, "canonicalok");
        migrateTo11(dataSource, vendor);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.update("INSERT INTO gh_user (username, password_hash) VALUES ('Alice', 'x')");
        jdbc.update("INSERT INTO gh_user_role (username, role) VALUES ('Alice', 'user')");
        jdbc.update("INSERT INTO gh_user (username, password_hash) VALUES ('bob', 'y')");

        Flyway.configure()
                .dataSource(dataSource)
                .locations(Migrations.locations(vendor))
                .load()
                .migrate();

        JdbcUserStore users = new JdbcUserStore(jdbc);
        // The stored name (the sub) is unchanged; sign-in finds it in any case.
        assertThat(users.find("alice")).map(JdbcUserStore.StoredUser::username).contains("Alice");
        assertThat(users.find("ALICE")).map(JdbcUserStore.StoredUser::username).contains("Alice");
        assertThat(users.roles("Alice")).containsExactly("user");
        assertThat(users.find("BOB")).map(JdbcUserStore.StoredUser::username).contains("bob");
        assertThatThrownBy(() -> users.create("aLiCe", "z", java.util.List.of()))
                .isInstanceOf(DuplicateKeyException.class);
        assertThatThrownBy(() -> jdbc.update("INSERT INTO gh_user (username, password_hash) VALUES ('BOB', 'z')"))
                .isInstanceOf(DuplicateKeyException.class);
        assertThat(users.create("Carol", "z", java.util.List.of())).isEqualTo("carol");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void migrateWhenNamesDifferOnlyInCaseThenFailsNamingThemAndMergesNothing(String vendor) throws Exception {
        DataSource dataSource = dataSource(vendor, "canonicalclash");
        migrateTo11(dataSource, vendor);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.update("INSERT INTO gh_user (username, password_hash) VALUES ('Alice', 'x')");
        jdbc.update("INSERT INTO gh_user (username, password_hash) VALUES ('alice', 'y')");
        jdbc.update("INSERT INTO gh_user (username, password_hash) VALUES ('dave', 'z')");

        assertThatThrownBy(() -> Flyway.configure()
                        .dataSource(dataSource)
                        .locations(Migrations.locations(vendor))
                        .load()
                        .migrate())
                .hasStackTraceContaining("Gatehouse V12: usernames that differ only in case exist (Alice, alice)");
        assertThat(jdbc.queryForList("SELECT username FROM gh_user ORDER BY username", String.class))
                .containsExactlyInAnyOrder("Alice", "alice", "dave");
    }

    private static void migrateTo11(DataSource dataSource, String vendor) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations(Migrations.locations(vendor))
                .target("11")
                .load()
                .migrate();
    }

    private static DataSource dataSource(String vendor, String name) throws Exception {
        if (vendor.equals("h2")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:file:"
                    + Files.createTempDirectory("gatehouse-" + name + "-").resolve("db"));
            h2.setUser("sa");
            return h2;
        }
        return new DriverManagerDataSource(PostgresTestDatabase.create(name).jdbcUrl(), "postgres", "");
    }
}
