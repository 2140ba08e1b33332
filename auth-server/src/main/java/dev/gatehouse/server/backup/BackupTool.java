package dev.gatehouse.server.backup;

import dev.gatehouse.core.crypto.CryptoException;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.server.audit.AuditChain;
import dev.gatehouse.server.secrets.BackupKeyCheck;
import dev.gatehouse.server.secrets.BackupKeyCheck.KeyMismatch;
import dev.gatehouse.server.secrets.BackupKeyCheck.SealedSecret;
import dev.gatehouse.server.secrets.ServerSecrets;
import dev.gatehouse.server.transport.BrowserSessions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The operator tool behind {@code bin/backup} and {@code bin/restore}, run from the server jar without starting the
 * server ({@code java -cp gatehouse-server.jar -Dloader.main=dev.gatehouse.server.backup.BackupTool
 * org.springframework.boot.loader.launch.PropertiesLauncher COMMAND ...}):
 *
 * <ul>
 *   <li>{@code check-key}: reads {@code pg_restore --data-only --table=gh_server_secret -f - DUMP} on standard input
 *       and opens the first server secret under {@code GATEHOUSE_MASTER_KEY} (bin/restore runs it before it writes
 *       anything);
 *   <li>{@code h2-backup DATA_DIR FILE}: an offline backup of the H2 database in {@code DATA_DIR} (the server stopped:
 *       an embedded H2 file is open in one process only) into a new owner-only {@code FILE};
 *   <li>{@code h2-restore FILE DATA_DIR}: the master-key check on the backup, then its database file into {@code
 *       DATA_DIR}, which must hold no database;
 *   <li>{@code verify-audit JDBC_URL}: the audit chain of a (restored) database, recomputed from its anchor to its
 *       head with its HMAC key (a server secret, opened under {@code GATEHOUSE_MASTER_KEY}).
 * </ul>
 *
 * <p>Exit status: 0 done, 1 failed, 2 usage or missing master key, 3 the backup is sealed under another master key
 * (nothing written), 4 the target already holds a database (nothing written).
 */
public final class BackupTool {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int KEY_MISMATCH = 3;
    static final int NOT_EMPTY = 4;

    /** The H2 database file in the data directory ({@code jdbc:h2:file:<data-dir>/gatehouse}). */
    static final String H2_FILE = H2Backups.DATABASE + ".mv.db";

    private static final String USAGE_TEXT = """
            usage: BackupTool check-key                  (pg_restore's data of the server secrets on stdin)
                   BackupTool h2-backup DATA_DIR FILE    (offline: the server stopped)
                   BackupTool h2-restore FILE DATA_DIR   (into a data directory without a database)
                   BackupTool verify-audit JDBC_URL      (the audit chain, from its anchor to its head)
            The master key comes from GATEHOUSE_MASTER_KEY; the H2 user from SPRING_DATASOURCE_USERNAME/PASSWORD
            (default sa, empty).""";

    private final Function<String, @Nullable String> environment;
    private final PrintStream out;

    private BackupTool(Function<String, @Nullable String> environment, PrintStream out) {
        this.environment = environment;
        this.out = out;
    }

    /**
     * Runs one command and exits with its status.
     *
     * @param args the command and its arguments
     */
    public static void main(String[] args) {
        // No logging framework output on the operator's terminal: the tool reports what matters itself.
        System.setProperty("slf4j.provider", "org.slf4j.helpers.NOPServiceProvider");
        int status = run(List.of(args), System::getenv, System.in, System.out, System.err);
        System.exit(status);
    }

    /**
     * Runs one command.
     *
     * @param args the command and its arguments
     * @param environment environment lookup ({@code GATEHOUSE_MASTER_KEY}, the H2 user)
     * @param in standard input
     * @param out where progress goes
     * @param err where the reason for a failure goes
     * @return the exit status
     */
    static int run(
            List<String> args,
            Function<String, @Nullable String> environment,
            InputStream in,
            PrintStream out,
            PrintStream err) {
        BackupTool tool = new BackupTool(environment, out);
        try {
            String command = args.isEmpty() ? "" : args.get(0);
            switch (command) {
                case "check-key" -> {
                    expect(args, 1);
                    tool.checkKey(in);
                }
                case "h2-backup" -> {
                    expect(args, 3);
                    tool.h2Backup(Path.of(args.get(1)), Path.of(args.get(2)));
                }
                case "h2-restore" -> {
                    expect(args, 3);
                    tool.h2Restore(Path.of(args.get(1)), Path.of(args.get(2)));
                }
                case "verify-audit" -> {
                    expect(args, 2);
                    tool.verifyAudit(args.get(1));
                }
                default -> throw new Failure(USAGE, USAGE_TEXT);
            }
            return OK;
        } catch (Failure e) {
            err.println(e.getMessage());
            return e.status;
        } catch (KeyMismatch e) {
            err.println("restore refused: " + e.getMessage());
            return KEY_MISMATCH;
        } catch (CryptoException e) {
            err.println(MasterKey.ENVIRONMENT_VARIABLE + " must hold the master key the servers run with (32 bytes,"
                    + " Base64; in development mode the content of <data-dir>/master.key): " + e.getMessage());
            return USAGE;
        } catch (IOException | SQLException | RuntimeException e) {
            err.println("failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return FAILED;
        }
    }

    private static void expect(List<String> args, int count) {
        if (args.size() != count) {
            throw new Failure(USAGE, USAGE_TEXT);
        }
    }

    private void checkKey(InputStream in) throws IOException {
        MasterKey key = MasterKey.fromEnvironment(environment);
        BufferedReader text = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        Optional<SealedSecret> secret = BackupKeyCheck.firstFromCopyText(text);
        // Read to the end, so the writer of the pipe (pg_restore) never fails on a closed pipe.
        while (text.readLine() != null) {
            // drained
        }
        verify(secret.orElseThrow(BackupTool::noSecret), key);
    }

    private void verify(SealedSecret secret, MasterKey key) {
        BackupKeyCheck.verify(secret, key);
        out.println("master key check passed: the backup is sealed under master key " + secret.masterKeyId()
                + ", the configured one");
    }

    private static Failure noSecret() {
        return new Failure(
                FAILED,
                "the backup holds no sealed server secret: not a backup of a Gatehouse database that a server has"
                        + " started on; nothing was restored");
    }

    private void h2Backup(Path dataDir, Path target) throws IOException, SQLException {
        Path database = dataDir.resolve(H2_FILE);
        if (!Files.isRegularFile(database)) {
            throw new Failure(FAILED, "no H2 database in " + dataDir + " (" + H2_FILE + " is missing)");
        }
        if (Files.exists(target)) {
            throw new Failure(FAILED, target + " exists: a backup never overwrites a file");
        }
        try (Connection connection = h2(dataDir, false)) {
            long bytes = H2Backups.backUp(connection, target);
            out.println("backed up " + database + " to " + target + " (" + bytes + " bytes, owner-only)");
        } catch (SQLException e) {
            if (e.getErrorCode() == H2Backups.DATABASE_ALREADY_OPEN) {
                throw new Failure(
                        FAILED,
                        "the database in " + dataDir + " is open in a running server (an embedded H2 file is open in"
                                + " one process only): stop the server for an offline backup, or have the server"
                                + " make one (POST /admin/backup, with gatehouse.server.backup.directory set)");
            }
            throw e;
        }
    }

    private void h2Restore(Path backup, Path dataDir) throws IOException, SQLException {
        if (Files.exists(dataDir.resolve(H2_FILE))) {
            throw new Failure(
                    NOT_EMPTY,
                    "restore only into a data directory without a database: " + dataDir.resolve(H2_FILE)
                            + " exists; move it away first. Nothing was restored");
        }
        MasterKey key = MasterKey.fromEnvironment(environment);
        // The copy under check holds live token values: an owner-only directory, removed afterwards.
        Path staging = H2Backups.privateTempDirectory(null);
        try {
            Path copy = staging.resolve(H2_FILE);
            extract(backup, copy);
            SealedSecret secret;
            try (Connection connection = h2(staging, true)) {
                secret = BackupKeyCheck.first(connection).orElseThrow(BackupTool::noSecret);
            }
            verify(secret, key);
            // An H2 backup is a whole copy of the file, browser sessions included: restored, their cookies would
            // work again (sessions ended after the backup too). They are deleted from the copy before it is moved
            // in, as bin/backup postgresql leaves their data out; SHUTDOWN COMPACT rewrites the file without them.
            try (Connection connection = h2(staging, false);
                    java.sql.Statement sql = connection.createStatement()) {
                BrowserSessions.deleteAll(connection);
                sql.execute("SHUTDOWN COMPACT");
            }
            H2Backups.createPrivateDirectory(dataDir);
            Path incoming = dataDir.resolve("." + H2_FILE + ".restoring");
            Files.deleteIfExists(incoming);
            H2Backups.copyOwnerOnly(copy, incoming);
            try {
                // A link fails if a database appeared meanwhile (a server started), where a rename would replace it.
                Files.createLink(dataDir.resolve(H2_FILE), incoming);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw new Failure(
                        NOT_EMPTY,
                        dataDir.resolve(H2_FILE) + " appeared during the restore (a server started?). Nothing was"
                                + " restored");
            } finally {
                Files.deleteIfExists(incoming);
            }
            out.println("restored " + backup + " into " + dataDir + " (browser sessions left out: everyone signs in"
                    + " again); start the server with the same master key");
        } finally {
            H2Backups.deleteTree(staging);
        }
    }

    private void verifyAudit(String url) {
        MasterKey key = MasterKey.fromEnvironment(environment);
        SingleConnectionDataSource data = new SingleConnectionDataSource(url, user(), password(), true);
        try {
            JdbcTemplate jdbc = new JdbcTemplate(data);
            byte[] hmacKey = new ServerSecrets(jdbc, Envelope.of(key), new SecureRandom())
                    .find(AuditChain.HMAC_KEY_NAME)
                    .orElseThrow(() -> new Failure(
                            FAILED,
                            "the database holds no audit chain key: not a Gatehouse database a server started"));
            AuditChain.Verification verification = new AuditChain(
                            jdbc, new TransactionTemplate(new DataSourceTransactionManager(data)), hmacKey)
                    .verify();
            if (!verification.intact()) {
                throw new Failure(
                        FAILED,
                        "the audit chain is broken at row " + verification.firstBrokenId() + " ("
                                + verification.reason() + "), after " + verification.rowsChecked() + " rows");
            }
            out.println("audit chain intact: " + verification.rowsChecked() + " rows verified from its anchor");
        } finally {
            data.destroy();
        }
    }

    private String user() {
        return Optional.ofNullable(environment.apply("SPRING_DATASOURCE_USERNAME"))
                .orElse("sa");
    }

    private String password() {
        return Optional.ofNullable(environment.apply("SPRING_DATASOURCE_PASSWORD"))
                .orElse("");
    }

    /** The one entry an H2 {@code BACKUP TO} archive holds, written to {@code target}; nothing else is extracted. */
    private static void extract(Path backup, Path target) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(backup))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (entry.getName().equals(H2_FILE)) {
                    H2Backups.writeOwnerOnly(zip, target);
                    return;
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new Failure(FAILED, backup + " is not an H2 backup archive (" + e.getMessage() + ")");
        }
        throw new Failure(FAILED, backup + " holds no " + H2_FILE + ": not an H2 backup of a Gatehouse data directory");
    }

    private Connection h2(Path dir, boolean readOnly) throws SQLException {
        String path =
                dir.toAbsolutePath().normalize().resolve(H2Backups.DATABASE).toString();
        if (path.contains(";")) {
            // H2 reads settings after a semicolon in the URL.
            throw new Failure(USAGE, "the directory's path must not contain ';'");
        }
        return DriverManager.getConnection(
                "jdbc:h2:file:" + path + ";IFEXISTS=TRUE" + (readOnly ? ";ACCESS_MODE_DATA=r" : ""),
                user(),
                password());
    }

    /** A failure with its exit status and a message for the operator. */
    private static final class Failure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
