package dev.gatehouse.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The upgrade from the release on a real PostgreSQL: a fresh database migrated to the release's schema version (the
 * released migrations are pinned by {@link MigrationChecksumsTests}), then the release's rows restored into it.
 */
class PostgresUpgradeFromReleaseTests extends AbstractUpgradeFromReleaseTests {

    static final Properties FIXTURE = load("postgresql");
    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("upgrade");

    static {
        writeMasterKey(DATABASE.dataDir(), FIXTURE);
        Flyway.configure()
                .dataSource(DATABASE.jdbcUrl(), "postgres", "")
                .locations(Migrations.locations("postgresql"))
                .target(FIXTURE.getProperty("schema-version"))
                .load()
                .migrate();
        try (Connection c = DriverManager.getConnection(DATABASE.jdbcUrl(), "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(Files.readString(dumpFile("postgresql"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot restore the PostgreSQL upgrade fixture", e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }

    @Override
    Properties fixture() {
        return FIXTURE;
    }
}
