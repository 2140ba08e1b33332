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
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Migration V8 on both dialects, over a database that already has users: every role they hold survives as a stored
 * role, the built-in roles arrive with the permissions the admin API gave them, and nobody's MFA changes.
 */
class RoleMigrationTests {

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void migrateWhenUsersHoldRolesBeforeV8ThenRolesKeptBuiltInsSeededAndMfaUnchanged(String vendor) throws Exception {
        DataSource dataSource = dataSource(vendor);
        String[] locations = Migrations.locations(vendor);
        Flyway.configure()
                .dataSource(dataSource)
                .locations(locations)
                .target("7")
                .load()
                .migrate();
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.update("INSERT INTO gh_user (username, password_hash) VALUES ('old', 'x')");
        jdbc.update("INSERT INTO gh_user_role (username, role) VALUES ('old', 'admin')");
        jdbc.update("INSERT INTO gh_user_role (username, role) VALUES ('old', 'legacy-ops')");
        jdbc.update("INSERT INTO gh_user_role (username, role) VALUES ('old', 'user')");

        Flyway.configure().dataSource(dataSource).locations(locations).load().migrate();

        assertThat(jdbc.queryForList("SELECT name FROM gh_role ORDER BY name", String.class))
                .containsExactly("admin", "admin-client", "auditor", "legacy-ops", "user");
        assertThat(jdbc.queryForList("SELECT name FROM gh_role WHERE builtin = TRUE ORDER BY name", String.class))
                .containsExactly("admin", "admin-client", "auditor");
        JdbcUserStore users = new JdbcUserStore(jdbc);
        assertThat(users.roles("old")).containsExactly("admin", "legacy-ops", "user");
        assertThat(users.permissions("old")).containsExactly("*:*");
        assertThat(users.mfaRequired("old")).isFalse();
        assertThat(jdbc.queryForList("SELECT permission FROM gh_role_permission WHERE role = 'auditor'", String.class))
                .containsExactly("*:read");
        // From now on a role must exist before it is held.
        assertThatThrownBy(() -> jdbc.update("INSERT INTO gh_user_role (username, role) VALUES ('old', 'nope')"))
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.update("DELETE FROM gh_role WHERE name = 'legacy-ops'"))
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    private static DataSource dataSource(String vendor) throws Exception {
        if (vendor.equals("h2")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(
                    "jdbc:h2:file:" + Files.createTempDirectory("gatehouse-v8-").resolve("db"));
            h2.setUser("sa");
            return h2;
        }
        return new DriverManagerDataSource(
                PostgresTestDatabase.create("rolemigration").jdbcUrl(), "postgres", "");
    }
}
