package dev.gatehouse.server.passkeys;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.server.Migrations;
import dev.gatehouse.server.PostgresTestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@link JdbcPasskeyStore} on PostgreSQL: the V19 script of that dialect and the conditional update under load. */
class PostgresPasskeyStoreTests extends AbstractPasskeyStoreTests {

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("passkeys");
    private static HikariDataSource pool;

    @BeforeAll
    static void migrate() {
        HikariConfig config = new HikariConfig();
        config.setPoolName("passkeys");
        config.setJdbcUrl(DATABASE.jdbcUrl());
        config.setUsername("postgres");
        config.setPassword("");
        config.setMaximumPoolSize(10);
        pool = new HikariDataSource(config);
        Flyway.configure()
                .dataSource(pool)
                .locations(Migrations.locations("postgresql"))
                .load()
                .migrate();
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    @Override
    JdbcTemplate database() {
        // One database for the class; every test makes users of its own.
        return new JdbcTemplate(pool);
    }
}
