package dev.gatehouse.server.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The online backup of the embedded H2 database, made inside the running server (no other process can open the file
 * while it runs): H2's {@code BACKUP TO}, a consistent copy taken while requests go on, into a new owner-only file
 * {@code gatehouse-<UTC time>.zip} in {@code gatehouse.server.backup.directory}. The directory comes from
 * configuration only, the name from the server's clock; a request chooses nothing. One backup at a time. PostgreSQL
 * is backed up with its own tools ({@code bin/backup postgresql}), so this refuses there.
 */
public final class OnlineBackup {

    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern(
                    "'gatehouse-'uuuuMMdd'T'HHmmss'Z.zip'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final DataSource dataSource;
    private final @Nullable Path directory;
    private final Clock clock;
    private final ReentrantLock oneAtATime = new ReentrantLock();

    /**
     * Creates the backup.
     *
     * @param dataSource the server's database
     * @param properties where backups go (unset: refused)
     * @param clock names the files
     */
    public OnlineBackup(DataSource dataSource, BackupProperties properties, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
        this.directory = Objects.requireNonNull(properties, "properties must not be null")
                .directory();
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /**
     * A finished backup.
     *
     * @param file the file's name in the configured directory
     * @param bytes its size
     * @param createdAt when it was started
     */
    public record Made(String file, long bytes, Instant createdAt) {}

    /** Why no backup was made; {@link #code()} is machine-readable. */
    public static final class Refused extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final String code;
        private final String detail;

        Refused(String code, String detail) {
            super(detail);
            this.code = code;
            this.detail = detail;
        }

        /**
         * What was wrong and what to do, for the operator.
         *
         * @return the sentence
         */
        public String detail() {
            return detail;
        }

        /**
         * The reason's code.
         *
         * @return {@code backup.not_configured}, {@code backup.not_h2}, {@code backup.in_progress} or {@code
         *     backup.exists}
         */
        public String code() {
            return code;
        }
    }

    /**
     * Makes a backup now.
     *
     * @return the file made
     * @throws Refused when no directory is configured, the database is not H2, another backup runs, or a file of this
     *     second's name exists
     */
    public Made backUp() {
        Path dir = directory;
        if (dir == null) {
            throw new Refused(
                    "backup.not_configured",
                    "The online backup is off: set gatehouse.server.backup.directory to the directory it writes to.");
        }
        if (!oneAtATime.tryLock()) {
            throw new Refused("backup.in_progress", "A backup is being made; retry when it has finished.");
        }
        try (Connection connection = dataSource.getConnection()) {
            if (!"H2".equals(connection.getMetaData().getDatabaseProductName())) {
                throw new Refused(
                        "backup.not_h2",
                        "The database is not the embedded H2: back PostgreSQL up with its own tools (bin/backup"
                                + " postgresql, pg_dump).");
            }
            Instant now = clock.instant();
            String name = NAME.format(now);
            Path target = dir.resolve(name);
            if (target.toFile().exists()) {
                throw new Refused("backup.exists", "A backup of this second exists already; retry in a second.");
            }
            long bytes = H2Backups.backUp(connection, target);
            return new Made(name, bytes, now);
        } catch (SQLException e) {
            throw new IllegalStateException("the H2 backup failed (SQL state " + e.getSQLState() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("the H2 backup could not be written", e);
        } finally {
            oneAtATime.unlock();
        }
    }
}
