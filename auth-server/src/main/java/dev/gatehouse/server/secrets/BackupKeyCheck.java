package dev.gatehouse.server.secrets;

import dev.gatehouse.core.crypto.CryptoException;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The check a restore makes before it writes anything: one server secret from the backup ({@code gh_server_secret}
 * holds them sealed, and every started server has at least one) must open under the configured master key. A backup
 * never holds the master key, so a restore with another key would bring back signing keys, TOTP secrets and the
 * audit HMAC key that nobody can open; this refuses it first, naming both key ids (public identifiers, never key
 * material: {@link MasterKey#id()}).
 */
public final class BackupKeyCheck {

    private static final String CONTEXT_PREFIX = "gatehouse-secret:";
    private static final String PREFIX = "ghe1.";
    /** {@code COPY public.gh_server_secret (name, sealed_value, created_at) FROM stdin;} as pg_restore prints it. */
    private static final Pattern COPY =
            Pattern.compile("^COPY (?:\"?[A-Za-z0-9_]+\"?\\.)?\"?gh_server_secret\"? \\(([^)]*)\\) FROM stdin;$");

    private BackupKeyCheck() {}

    /**
     * One sealed server secret: its name (part of the sealing context) and the sealed value.
     *
     * @param name the secret's name
     * @param sealedValue the envelope ({@code ghe1.}...)
     */
    public record SealedSecret(String name, String sealedValue) {

        /** Checks both parts are present. */
        public SealedSecret {
            Objects.requireNonNull(name, "name must not be null");
            Objects.requireNonNull(sealedValue, "sealedValue must not be null");
        }

        /**
         * The id of the master key the value is sealed under, read from the envelope's header (version byte, then the
         * 8-byte key id).
         *
         * @return the key id in hex, or {@code unknown} for a value not in the envelope format
         */
        public String masterKeyId() {
            if (!sealedValue.startsWith(PREFIX) || sealedValue.length() < PREFIX.length() + 12) {
                return "unknown";
            }
            try {
                // The first 12 Base64url characters encode exactly the 9-byte header.
                byte[] header =
                        Base64.getUrlDecoder().decode(sealedValue.substring(PREFIX.length(), PREFIX.length() + 12));
                return HexFormat.of().formatHex(header, 1, 9);
            } catch (IllegalArgumentException e) {
                return "unknown";
            }
        }

        @Override
        public String toString() {
            return "SealedSecret[" + name + ", master key " + masterKeyId() + "]";
        }
    }

    /** Why a backup cannot be restored under the configured master key; the message names both key ids. */
    public static final class KeyMismatch extends RuntimeException {

        private static final long serialVersionUID = 1L;

        KeyMismatch(String message) {
            super(message);
        }
    }

    /**
     * The first server secret in a database (a restored copy opened read-only, or a live one).
     *
     * @param connection a connection to the database
     * @return the secret with the smallest name, or empty when the table is empty
     * @throws SQLException if the table cannot be read (not a Gatehouse database)
     */
    public static Optional<SealedSecret> first(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                        "SELECT name, sealed_value FROM gh_server_secret ORDER BY name FETCH FIRST 1 ROWS ONLY");
                ResultSet rows = select.executeQuery()) {
            return rows.next() ? Optional.of(new SealedSecret(rows.getString(1), rows.getString(2))) : Optional.empty();
        }
    }

    /**
     * The first server secret in pg_restore's text output of the table's data ({@code pg_restore --data-only
     * --table=gh_server_secret -f - DUMP}): the {@code COPY ... FROM stdin;} block, tab-separated in the order its
     * header names the columns, ended by {@code \.}.
     *
     * @param text the output
     * @return the first row, or empty when the block is missing or empty
     * @throws IOException if the output cannot be read
     */
    public static Optional<SealedSecret> firstFromCopyText(BufferedReader text) throws IOException {
        String line;
        while ((line = text.readLine()) != null) {
            Matcher copy = COPY.matcher(line);
            if (!copy.matches()) {
                continue;
            }
            List<String> columns = Arrays.stream(copy.group(1).split(","))
                    .map(c -> c.strip().replace("\"", ""))
                    .toList();
            int name = columns.indexOf("name");
            int sealed = columns.indexOf("sealed_value");
            if (name < 0 || sealed < 0) {
                return Optional.empty();
            }
            String row = text.readLine();
            if (row == null || row.equals("\\.")) {
                return Optional.empty();
            }
            // Names and sealed values are ASCII without tabs or backslashes, so COPY's text escapes never occur.
            String[] fields = row.split("\t", -1);
            if (fields.length != columns.size()) {
                return Optional.empty();
            }
            return Optional.of(new SealedSecret(fields[name], fields[sealed]));
        }
        return Optional.empty();
    }

    /**
     * Opens the secret under {@code configured}; nothing is kept (the plaintext is cleared at once).
     *
     * @param secret a secret from the backup
     * @param configured the master key the restored servers will run with
     * @throws KeyMismatch if it does not open, saying under which key the backup is sealed and which one is
     *     configured
     */
    public static void verify(SealedSecret secret, MasterKey configured) {
        Objects.requireNonNull(secret, "secret must not be null");
        Objects.requireNonNull(configured, "configured must not be null");
        String backupKey = secret.masterKeyId();
        try {
            byte[] opened = Envelope.of(configured).open(secret.sealedValue(), CONTEXT_PREFIX + secret.name());
            Arrays.fill(opened, (byte) 0);
        } catch (CryptoException e) {
            if (!backupKey.equals(configured.id())) {
                throw new KeyMismatch("the backup's secrets are sealed under master key " + backupKey
                        + ", but the configured master key (" + MasterKey.ENVIRONMENT_VARIABLE + ") is "
                        + configured.id() + ": set the master key the backed-up servers ran with; nothing was"
                        + " restored");
            }
            throw new KeyMismatch("the backup's secret " + secret.name() + " is sealed under master key " + backupKey
                    + ", the configured one, but does not open (" + e.code() + "): the backup is damaged or altered;"
                    + " nothing was restored");
        }
    }
}
