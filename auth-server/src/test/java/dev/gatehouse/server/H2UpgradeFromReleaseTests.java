package dev.gatehouse.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The upgrade from the release on H2: its {@code SCRIPT TO} dump run into a fresh file database in the data directory. */
class H2UpgradeFromReleaseTests extends AbstractUpgradeFromReleaseTests {

    static final Properties FIXTURE = load("h2");
    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-upgrade-h2-");
            writeMasterKey(DATA, FIXTURE);
            // The URL application.yml gives the server for this data directory.
            try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + DATA + "/gatehouse", "sa", "");
                    Statement s = c.createStatement()) {
                s.execute("RUNSCRIPT FROM '" + dumpFile("h2") + "'");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot restore the H2 upgrade fixture", e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
    }

    @Override
    Properties fixture() {
        return FIXTURE;
    }
}
