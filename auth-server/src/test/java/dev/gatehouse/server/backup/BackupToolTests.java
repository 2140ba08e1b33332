package dev.gatehouse.server.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator tool behind bin/backup and bin/restore: the master-key check refuses a backup sealed under another key
 * before anything is written, naming both key ids; the H2 backup is owner-only and holds no master key; a restore goes
 * only into a data directory without a database. (The PostgreSQL path end to end, with pg_dump and pg_restore, is
 * examples/cluster's DisasterRecoveryDrillTests.)
 */
class BackupToolTests {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SECRET_NAME = "audit-chain-hmac-key";

    private final byte[] backedUpBytes = randomKey();
    private final MasterKey backedUp = MasterKey.fromBase64(Base64.getEncoder().encodeToString(backedUpBytes));
    private final byte[] otherBytes = randomKey();
    private final MasterKey other = MasterKey.fromBase64(Base64.getEncoder().encodeToString(otherBytes));

    @TempDir
    Path dir;

    @Test
    void checkKeyWhenBackupSealedUnderAnotherKeyThenRefusesNamingBothKeyIds() {
        Result r = run(List.of("check-key"), other, copyText(sealed(backedUp)));

        assertThat(r.status()).isEqualTo(BackupTool.KEY_MISMATCH);
        assertThat(r.err()).contains(backedUp.id(), other.id(), "nothing was restored");
        assertThat(r.err()).doesNotContain(base64(backedUp)).doesNotContain(base64(other));
    }

    @Test
    void checkKeyWhenBackupSealedUnderConfiguredKeyThenPasses() {
        Result r = run(List.of("check-key"), backedUp, copyText(sealed(backedUp)));

        assertThat(r.status()).as(r.err()).isEqualTo(BackupTool.OK);
        assertThat(r.out()).contains("master key check passed", backedUp.id());
    }

    @Test
    void checkKeyWhenNoServerSecretInBackupThenFails() {
        Result r = run(List.of("check-key"), backedUp, "-- PostgreSQL database dump\n");

        assertThat(r.status()).isEqualTo(BackupTool.FAILED);
        assertThat(r.err()).contains("holds no sealed server secret");
    }

    @Test
    void checkKeyWhenNoMasterKeyConfiguredThenUsageError() {
        Result r = run(List.of("check-key"), null, copyText(sealed(backedUp)));

        assertThat(r.status()).isEqualTo(BackupTool.USAGE);
        assertThat(r.err()).contains("GATEHOUSE_MASTER_KEY");
    }

    @Test
    void h2BackupWhenMadeThenOwnerOnlyAndWithoutMasterKey() throws Exception {
        Path data = database(sealed(backedUp));
        Path backup = dir.resolve("backups/gatehouse.zip");

        Result r = run(List.of("h2-backup", data.toString(), backup.toString()), null, "");

        assertThat(r.status()).as(r.err()).isEqualTo(BackupTool.OK);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)))
                .isEqualTo("rw-------");
        byte[] content = unzipped(backup);
        assertThat(content.length).isPositive();
        assertThat(indexOf(content, backedUpBytes)).isEqualTo(-1);
        assertThat(indexOf(content, base64(backedUp).getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(-1);
        // A second backup never overwrites the first.
        assertThat(run(List.of("h2-backup", data.toString(), backup.toString()), null, "")
                        .status())
                .isEqualTo(BackupTool.FAILED);
    }

    @Test
    void h2RestoreWhenWrongMasterKeyThenRefusesAndWritesNothing() throws Exception {
        Path backup = backupOf(database(sealed(backedUp)));
        Path target = dir.resolve("restored");

        Result r = run(List.of("h2-restore", backup.toString(), target.toString()), other, "");

        assertThat(r.status()).isEqualTo(BackupTool.KEY_MISMATCH);
        assertThat(r.err()).contains(backedUp.id(), other.id());
        assertThat(target.resolve(BackupTool.H2_FILE)).doesNotExist();
    }

    @Test
    void h2RestoreWhenSameMasterKeyThenDatabaseBackOwnerOnlyWithoutBrowserSessions() throws Exception {
        String sealed = sealed(backedUp);
        Path backup = backupOf(database(sealed));
        Path target = dir.resolve("restored");

        Result r = run(List.of("h2-restore", backup.toString(), target.toString()), backedUp, "");

        assertThat(r.status()).as(r.err()).isEqualTo(BackupTool.OK);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve(BackupTool.H2_FILE))))
                .isEqualTo("rw-------");
        try (Connection c = h2(target);
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT sealed_value FROM gh_server_secret")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo(sealed);
        }
        // Browser sessions are not restored: their cookies would work again (PostgreSQL dumps leave them out too).
        try (Connection c = h2(target);
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT (SELECT count(*) FROM SPRING_SESSION) + (SELECT count(*)"
                        + " FROM SPRING_SESSION_ATTRIBUTES)")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getLong(1)).isZero();
        }
    }

    @Test
    void h2RestoreWhenDataDirectoryHoldsDatabaseThenRefusesAndLeavesIt() throws Exception {
        Path backup = backupOf(database(sealed(backedUp)));
        Path target = database(sealed(other));
        byte[] before = Files.readAllBytes(target.resolve(BackupTool.H2_FILE));

        Result r = run(List.of("h2-restore", backup.toString(), target.toString()), backedUp, "");

        assertThat(r.status()).isEqualTo(BackupTool.NOT_EMPTY);
        assertThat(r.err()).contains("without a database");
        assertThat(Files.readAllBytes(target.resolve(BackupTool.H2_FILE))).isEqualTo(before);
    }

    @Test
    void runWhenUnknownCommandThenUsage() {
        assertThat(run(List.of("drop-everything"), backedUp, "").status()).isEqualTo(BackupTool.USAGE);
    }

    private Path backupOf(Path data) {
        Path backup = dir.resolve("b-" + Integer.toHexString(RANDOM.nextInt()) + ".zip");
        Result r = run(List.of("h2-backup", data.toString(), backup.toString()), null, "");
        assertThat(r.status()).as(r.err()).isEqualTo(BackupTool.OK);
        return backup;
    }

    /** A data directory with an H2 database holding one sealed server secret, closed again. */
    private Path database(String sealed) throws Exception {
        Path data = Files.createTempDirectory(dir, "data-");
        try (Connection c = h2(data);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE gh_server_secret (name varchar(100) PRIMARY KEY, sealed_value varchar(2000))");
            // A signed-in browser session, as Spring Session JDBC keeps it (V14): its id is the cookie's value.
            s.execute("CREATE TABLE SPRING_SESSION (PRIMARY_ID CHAR(36) PRIMARY KEY, SESSION_ID CHAR(36))");
            s.execute("CREATE TABLE SPRING_SESSION_ATTRIBUTES (SESSION_PRIMARY_ID CHAR(36), ATTRIBUTE_NAME"
                    + " VARCHAR(200), FOREIGN KEY (SESSION_PRIMARY_ID) REFERENCES SPRING_SESSION (PRIMARY_ID) ON"
                    + " DELETE CASCADE)");
            s.execute("INSERT INTO SPRING_SESSION VALUES ('p1', 's1')");
            s.execute("INSERT INTO SPRING_SESSION_ATTRIBUTES VALUES ('p1', 'SPRING_SECURITY_CONTEXT')");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO gh_server_secret VALUES (?, ?)")) {
                insert.setString(1, SECRET_NAME);
                insert.setString(2, sealed);
                insert.executeUpdate();
            }
        }
        return data;
    }

    private static Connection h2(Path data) throws Exception {
        return DriverManager.getConnection("jdbc:h2:file:" + data.resolve("gatehouse"), "sa", "");
    }

    private static String sealed(MasterKey key) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return Envelope.of(key).seal(secret, "gatehouse-secret:" + SECRET_NAME);
    }

    /** What {@code pg_restore --data-only --table=gh_server_secret -f - DUMP} prints. */
    private static String copyText(String sealed) {
        return "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n\n"
                + "COPY public.gh_server_secret (name, sealed_value, created_at) FROM stdin;\n"
                + SECRET_NAME + "\t" + sealed + "\t2026-12-08 01:00:00.123+00\n"
                + "\\.\n\n";
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    /** The key as GATEHOUSE_MASTER_KEY holds it: MasterKey keeps the bytes to itself, so the test keeps its own. */
    private String base64(MasterKey key) {
        return key.id().equals(backedUp.id())
                ? Base64.getEncoder().encodeToString(backedUpBytes)
                : Base64.getEncoder().encodeToString(otherBytes);
    }

    private static byte[] unzipped(Path zip) throws Exception {
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            assertThat(in.getNextEntry()).isNotNull();
            return in.readAllBytes();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private record Result(int status, String out, String err) {}

    private Result run(List<String> args, @Nullable MasterKey key, String stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = key == null ? Map.of() : Map.of(MasterKey.ENVIRONMENT_VARIABLE, base64(key));
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int status = BackupTool.run(
                args,
                env::get,
                in,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
