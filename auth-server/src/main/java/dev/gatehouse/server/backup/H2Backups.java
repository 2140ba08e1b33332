package dev.gatehouse.server.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * H2's own consistent copy ({@code BACKUP TO}: the MVStore file, zipped, while the database may be in use) and the
 * owner-only file handling around it: a backup holds token values and password hashes in clear, so it is written
 * into an owner-only staging directory, made owner-only, and only then moved to its name.
 */
final class H2Backups {

    /** The database name in {@code jdbc:h2:file:<data-dir>/gatehouse}. */
    static final String DATABASE = "gatehouse";
    /** H2's error code 90020, DATABASE_ALREADY_OPEN_1: the file is open in another process. */
    static final int DATABASE_ALREADY_OPEN = 90020;

    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private H2Backups() {}

    /**
     * Backs the connected H2 database up into {@code target}, a new owner-only zip archive.
     *
     * @param connection an H2 connection
     * @param target the archive; must not exist
     * @return its size in bytes
     * @throws SQLException if H2 cannot make the copy
     * @throws IOException if the file cannot be written or already exists
     */
    static long backUp(Connection connection, Path target) throws SQLException, IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = java.util.Objects.requireNonNull(absolute.getParent(), "a backup file needs a directory");
        createPrivateDirectory(parent);
        if (Files.exists(absolute)) {
            throw new FileAlreadyExistsException(absolute.toString(), null, "a backup never overwrites a file");
        }
        Path staging = privateTempDirectory(parent);
        try {
            Path file = staging.resolve("backup.zip");
            try (Statement statement = connection.createStatement()) {
                // BACKUP TO takes a literal; the path is ours (configuration or the operator's argument), quoted.
                statement.execute("BACKUP TO '" + file.toString().replace("'", "''") + "'");
            }
            setOwnerOnly(file, OWNER_FILE);
            Files.move(file, absolute, StandardCopyOption.ATOMIC_MOVE);
            return Files.size(absolute);
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * Creates a directory readable by its owner only, or leaves an existing one as it is.
     *
     * @param dir the directory
     * @throws IOException if it cannot be created
     */
    static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    /**
     * A new owner-only temporary directory.
     *
     * @param parent where, or {@code null} for the system's temporary directory
     * @return the directory
     * @throws IOException if it cannot be created
     */
    static Path privateTempDirectory(@Nullable Path parent) throws IOException {
        FileAttribute<Set<PosixFilePermission>> owner = PosixFilePermissions.asFileAttribute(OWNER_DIR);
        return parent == null
                ? Files.createTempDirectory("gatehouse-restore-", owner)
                : Files.createTempDirectory(parent, ".gatehouse-backup-", owner);
    }

    /**
     * Writes a stream to a new owner-only file.
     *
     * @param in the content
     * @param target the file; must not exist
     * @throws IOException if it cannot be written
     */
    static void writeOwnerOnly(InputStream in, Path target) throws IOException {
        try (OutputStream out = Files.newOutputStream(
                Files.createFile(target, PosixFilePermissions.asFileAttribute(OWNER_FILE)), StandardOpenOption.WRITE)) {
            in.transferTo(out);
        }
    }

    /**
     * Copies a file to a new owner-only file.
     *
     * @param source the file
     * @param target the copy; must not exist
     * @throws IOException if it cannot be copied
     */
    static void copyOwnerOnly(Path source, Path target) throws IOException {
        try (InputStream in = Files.newInputStream(source)) {
            writeOwnerOnly(in, target);
        }
    }

    /**
     * Deletes a directory and everything in it; quietly does nothing when it is gone.
     *
     * @param dir the directory
     * @throws IOException if something in it cannot be deleted
     */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void setOwnerOnly(Path file, Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(file, permissions);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the staging directory is all there is
        }
    }
}
