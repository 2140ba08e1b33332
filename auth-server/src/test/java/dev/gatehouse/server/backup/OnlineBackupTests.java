package dev.gatehouse.server.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.zip.ZipInputStream;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online H2 backup the server makes of its own open database: into the configured directory only, under a name
 * from the clock, owner-only; refused when no directory is configured.
 */
class OnlineBackupTests {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-08T01:02:03Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void backUpWhenDirectoryConfiguredThenOwnerOnlyZipNamedByClockWhileDatabaseOpen() throws Exception {
        JdbcDataSource data = dataSource();
        try (Connection open = data.getConnection();
                Statement s = open.createStatement()) {
            s.execute("CREATE TABLE marker (id int PRIMARY KEY)");
            s.execute("INSERT INTO marker VALUES (7)");
            Path backups = dir.resolve("backups");

            OnlineBackup.Made made = new OnlineBackup(data, new BackupProperties(backups), CLOCK).backUp();

            assertThat(made.file()).isEqualTo("gatehouse-20261208T010203Z.zip");
            Path file = backups.resolve(made.file());
            assertThat(Files.size(file)).isEqualTo(made.bytes()).isPositive();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backups)))
                    .isEqualTo("rwx------");
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
                assertThat(zip.getNextEntry().getName()).isEqualTo(BackupTool.H2_FILE);
            }
            // Nothing but the backup is left in the directory (no staging files).
            try (var files = Files.list(backups)) {
                assertThat(files).containsExactly(file);
            }
        }
    }

    @Test
    void backUpWhenSameSecondAgainThenRefusedAndFirstKept() throws Exception {
        OnlineBackup backup = new OnlineBackup(dataSource(), new BackupProperties(dir), CLOCK);
        OnlineBackup.Made first = backup.backUp();
        byte[] before = Files.readAllBytes(dir.resolve(first.file()));

        assertThatExceptionOfType(OnlineBackup.Refused.class)
                .isThrownBy(backup::backUp)
                .satisfies(e -> assertThat(e.code()).isEqualTo("backup.exists"));
        assertThat(Files.readAllBytes(dir.resolve(first.file()))).isEqualTo(before);
    }

    @Test
    void backUpWhenNoDirectoryConfiguredThenRefused() {
        OnlineBackup backup = new OnlineBackup(dataSource(), new BackupProperties(null), CLOCK);

        assertThatExceptionOfType(OnlineBackup.Refused.class)
                .isThrownBy(backup::backUp)
                .satisfies(e -> assertThat(e.code()).isEqualTo("backup.not_configured"));
    }

    private JdbcDataSource dataSource() {
        JdbcDataSource data = new JdbcDataSource();
        data.setURL("jdbc:h2:file:" + dir.resolve("data/gatehouse") + ";DB_CLOSE_ON_EXIT=FALSE");
        data.setUser("sa");
        data.setPassword("");
        return data;
    }
}
