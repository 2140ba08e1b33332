package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A released migration is never edited, moved into another version or dropped: Flyway refuses to start a server
 * whose database recorded a different checksum for an applied version. The expected checksums were recorded from the
 * released migrations, before the SQL shared by every database moved to {@code db/migration/common}; each vendor must
 * still resolve exactly those versions with exactly those checksums. A new migration adds a line to
 * {@code migration-checksums.properties}; changing an existing line is the mistake this test exists to catch.
 */
class MigrationChecksumsTests {

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void resolveWhenCommonAndVendorLocationsThenEveryReleasedChecksumUnchanged(String vendor) throws Exception {
        // Flyway reads the checksums of pending migrations from the files; an empty database is enough to list them.
        JdbcDataSource empty = new JdbcDataSource();
        empty.setURL("jdbc:h2:mem:checksums-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Map<String, Integer> resolved = new TreeMap<>();
        for (MigrationInfo info : Flyway.configure()
                .dataSource(empty)
                .locations(Migrations.locations(vendor))
                .load()
                .info()
                .all()) {
            resolved.put(info.getVersion().getVersion(), info.getChecksum());
        }

        assertThat(resolved).isEqualTo(expected(vendor));
    }

    private static Map<String, Integer> expected(String vendor) throws Exception {
        Properties all = new Properties();
        try (InputStream in = MigrationChecksumsTests.class.getResourceAsStream("/migration-checksums.properties")) {
            all.load(in);
        }
        Map<String, Integer> expected = new TreeMap<>();
        all.stringPropertyNames().stream()
                .filter(key -> key.startsWith(vendor + "."))
                .forEach(
                        key -> expected.put(key.substring(vendor.length() + 1), Integer.valueOf(all.getProperty(key))));
        return expected;
    }
}
