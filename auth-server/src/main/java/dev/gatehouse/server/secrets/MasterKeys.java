package dev.gatehouse.server.secrets;

import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.crypto.MasterKeyResolution;
import dev.gatehouse.core.crypto.MasterKeyResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the master key that seals private keys and server secrets at rest, through auth-core's {@link
 * MasterKeyResolver}: {@code GATEHOUSE_MASTER_KEY} when set; otherwise, in
 * development mode only, a key generated once into {@code <data-dir>/master.key} (owner-only permissions) with a
 * loud warning on every start. Outside development mode a missing key stops the server.
 */
public final class MasterKeys {

    private static final Logger log = LoggerFactory.getLogger(MasterKeys.class);

    /** File name of the generated development master key inside the data directory. */
    public static final String DEV_KEY_FILE = MasterKeyResolver.DEV_KEY_FILE;

    private MasterKeys() {}

    /**
     * Resolves the master key with auth-core's {@link MasterKeyResolver}: {@code GATEHOUSE_MASTER_KEY}, else
     * (development mode only) the key file in the data directory, else a {@link
     * dev.gatehouse.core.crypto.CryptoException} saying how to set one.
     *
     * @param environment environment lookup, such as {@code System::getenv}
     * @param dataDir the data directory
     * @param devMode whether a missing key may be generated into the data directory
     * @param random randomness for a generated key
     * @return the master key
     */
    public static MasterKey resolve(
            Function<String, @Nullable String> environment, Path dataDir, boolean devMode, SecureRandom random) {
        if (devMode && !hasValue(environment.apply(MasterKey.ENVIRONMENT_VARIABLE))) {
            // The data directory holds the key file and the database: owner-only, tightened if it exists.
            try {
                createPrivateDirectory(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot create or read the development master key "
                                + dataDir.resolve(DEV_KEY_FILE).toAbsolutePath(),
                        e);
            }
        }
        MasterKeyResolution resolution = MasterKeyResolver.builder()
                .environment(environment)
                .devMode(devMode)
                .developmentKeyFile(dataDir)
                .secureRandom(random)
                .build()
                .resolve();
        if (resolution instanceof MasterKeyResolution.DevelopmentFile file) {
            warn(file.file());
        }
        return resolution.key();
    }

    private static boolean hasValue(@Nullable String value) {
        return value != null && !value.isBlank();
    }

    /**
     * Creates the data directory readable by its owner only (it holds the database and perhaps the master key).
     *
     * @param dir the directory
     * @throws IOException if it cannot be created
     */
    public static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            // An existing directory (pre-created by an operator or a container volume) may be world-readable,
            // and the H2 file in it holds live token values: tighten it to the owner (found in review).
            try {
                java.util.Set<java.nio.file.attribute.PosixFilePermission> current = Files.getPosixFilePermissions(dir);
                java.util.Set<java.nio.file.attribute.PosixFilePermission> wanted =
                        PosixFilePermissions.fromString("rwx------");
                if (!current.equals(wanted)) {
                    Files.setPosixFilePermissions(dir, wanted);
                    log.warn("restricted the permissions of the data directory {} to its owner (rwx------)", dir);
                }
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            } catch (IOException e) {
                log.warn(
                        "could not restrict the permissions of the data directory {} ({})",
                        dir,
                        e.getClass().getSimpleName());
            }
            return;
        }
        try {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    private static void warn(Path file) {
        log.warn("""

                *********************************************************************************
                *  DEVELOPMENT MODE: no {} is set.
                *  Using a master key generated into {}
                *  (owner-only permissions). Anyone who can read that file can open the signing
                *  keys and server secrets in the database. For production set {} to
                *  32 random bytes in Base64 (openssl rand -base64 32) and gatehouse.dev-mode=false.
                *********************************************************************************""", MasterKey.ENVIRONMENT_VARIABLE, file, MasterKey.ENVIRONMENT_VARIABLE);
    }
}
