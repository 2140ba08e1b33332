package dev.gatehouse.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.Migrations;
import dev.gatehouse.server.clients.ClientRegistrations;
import dev.gatehouse.server.users.JdbcUserStore;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The last way into the admin API is never closed, on the real schema (H2, migrated by Flyway). */
class LastAdminGuardTests {

    private JdbcTemplate jdbc;
    private TransactionTemplate tx;
    private LastAdminGuard guard;

    @BeforeEach
    void database() throws Exception {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(
                "jdbc:h2:file:" + Files.createTempDirectory("gatehouse-guard-").resolve("db"));
        dataSource.setUser("sa");
        Flyway.configure()
                .dataSource(dataSource)
                .locations(Migrations.locations("h2"))
                .load()
                .migrate();
        jdbc = new JdbcTemplate(dataSource);
        tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        guard = new LastAdminGuard(
                jdbc, new JdbcUserStore(jdbc), new ClientRegistrations(jdbc), new AdminProperties("admin", 20, 100));
    }

    private void user(String name, boolean enabled, String... roles) {
        jdbc.update("INSERT INTO gh_user (username, password_hash, enabled) VALUES (?, 'x', ?)", name, enabled);
        for (String role : roles) {
            jdbc.update("INSERT INTO gh_user_role (username, role) VALUES (?, ?)", name, role);
        }
    }

    private void client(String id, String grants, String scopes) {
        jdbc.update(
                "INSERT INTO oauth2_registered_client (id, client_id, client_name, client_authentication_methods,"
                        + " authorization_grant_types, scopes, client_settings, token_settings)"
                        + " VALUES (?, ?, ?, 'client_secret_basic', ?, ?, '{}', '{}')",
                id,
                id,
                id,
                grants,
                scopes);
    }

    @Test
    void requireAWayInWhenNothingLeftThenConflictNamingTheRule() {
        user("alice", true, "user");
        assertThatThrownBy(guard::requireAWayIn)
                .isInstanceOfSatisfying(
                        AdminException.class,
                        e -> assertThat(e.getMessage()).contains("no enabled user with the admin role"));
    }

    @Test
    void requireAWayInWhenAnEnabledAdminRemainsThenAllowed() {
        user("root", true, "admin");
        assertThatCode(guard::requireAWayIn).doesNotThrowAnyException();
    }

    @Test
    void requireAWayInWhenTheOnlyAdminIsDisabledThenConflict() {
        user("root", false, "admin");
        user("ann", true, "auditor");
        assertThatThrownBy(guard::requireAWayIn).isInstanceOf(AdminException.class);
    }

    @Test
    void requireAWayInWhenAClientCanGetAdminTokensThenAllowed() {
        client("ops", "client_credentials,refresh_token", "api.read,admin");
        assertThatCode(guard::requireAWayIn).doesNotThrowAnyException();
    }

    @Test
    void requireAWayInWhenClientScopeOnlyLooksLikeAdminOrGrantMissingThenConflict() {
        client("near-miss", "client_credentials", "administrator,admin.read");
        client("no-grant", "authorization_code", "admin");
        assertThatThrownBy(guard::requireAWayIn).isInstanceOf(AdminException.class);
    }

    @Test
    void requireAWayInWhenTwoAdminsDisableEachOtherConcurrentlyThenSecondIsRefusedAndOneAdminRemains()
            throws Exception {
        user("ann", true, "admin");
        user("bob", true, "admin");
        CountDownLatch firstCounted = new CountDownLatch(1);
        CountDownLatch secondChanged = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // First: disables ann, counts (bob is left), then holds its transaction open until the second has
            // made its change, or half a second (the guard's lock makes the second wait for this commit).
            Future<?> first = pool.submit(() -> tx.executeWithoutResult(status -> {
                jdbc.update("UPDATE gh_user SET enabled = FALSE WHERE username = 'ann'");
                guard.requireAWayIn();
                firstCounted.countDown();
                try {
                    secondChanged.await(500, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            // Second: disables bob while the first is still open; without the lock its count would still see ann.
            Future<?> second = pool.submit(() -> {
                firstCounted.await(5, TimeUnit.SECONDS);
                tx.executeWithoutResult(status -> {
                    jdbc.update("UPDATE gh_user SET enabled = FALSE WHERE username = 'bob'");
                    secondChanged.countDown();
                    guard.requireAWayIn();
                });
                return null;
            });
            first.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(AdminException.class);
        } finally {
            pool.shutdownNow();
        }
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM gh_user WHERE enabled = TRUE AND username IN ('ann', 'bob')",
                        Integer.class))
                .isEqualTo(1);
    }
}
