package dev.gatehouse.core.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Finds the master key, the one way every Gatehouse component does: a configured value (such as the {@code
 * gatehouse.master-key} property), else the {@value MasterKey#ENVIRONMENT_VARIABLE} environment variable, else,
 * in development mode only, a development key, else a {@link CryptoException} ({@link
 * CryptoException.Reason#MISSING_MASTER_KEY}) whose message says how to set one. A value that is set but not 32
 * bytes of Base64 is refused ({@link CryptoException.Reason#INVALID_MASTER_KEY}), never replaced by a
 * development key.
 *
 * <p>The development key is either generated once into a file with owner-only permissions ({@link
 * Builder#developmentKeyFile(Path)}, which survives restarts: the server's {@code <data-dir>/master.key}) or
 * ephemeral ({@link Builder#ephemeralDevelopmentKey()}, lost on restart: the Spring Boot starter's). The
 * resolution says which was used, so the caller can warn loudly. Immutable and thread-safe once built.
 *
 * <pre>{@code
 * MasterKeyResolution r = MasterKeyResolver.builder()
 *         .configured(properties.masterKey(), "gatehouse.master-key")
 *         .environment(System::getenv)
 *         .devMode(properties.devMode())
 *         .developmentKeyFile(dataDir)
 *         .build()
 *         .resolve();
 * }</pre>
 */
public final class MasterKeyResolver {

    /** File name of a generated development master key inside its directory. */
    public static final String DEV_KEY_FILE = "master.key";

    private final @Nullable String configured;
    private final @Nullable String configuredName;
    private final Function<String, @Nullable String> environment;
    private final boolean devMode;
    private final @Nullable Path developmentDirectory;
    private final SecureRandom random;

    private MasterKeyResolver(Builder b) {
        this.configured = b.configured;
        this.configuredName = b.configuredName;
        this.environment = b.environment;
        this.devMode = b.devMode;
        this.developmentDirectory = b.developmentDirectory;
        this.random = b.random;
    }

    /**
     * A builder: no configured value, {@code System::getenv}, development mode off, an ephemeral development key.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Resolves the master key.
     *
     * @return the key and where it came from
     * @throws CryptoException {@link CryptoException.Reason#INVALID_MASTER_KEY} if a value is set but invalid;
     *     {@link CryptoException.Reason#MISSING_MASTER_KEY} if none is set outside development mode
     * @throws UncheckedIOException if the development key file cannot be created or read
     */
    public MasterKeyResolution resolve() {
        if (configured != null && !configured.isBlank()) {
            return new MasterKeyResolution.Supplied(
                    MasterKey.fromBase64(configured), Objects.requireNonNull(configuredName));
        }
        String fromEnvironment = environment.apply(MasterKey.ENVIRONMENT_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return new MasterKeyResolution.Supplied(
                    MasterKey.fromBase64(fromEnvironment), MasterKey.ENVIRONMENT_VARIABLE);
        }
        if (!devMode) {
            throw new CryptoException(CryptoException.Reason.MISSING_MASTER_KEY, missingMessage());
        }
        if (developmentDirectory == null) {
            return new MasterKeyResolution.Ephemeral(MasterKey.ephemeralForDevelopment());
        }
        Path file = developmentDirectory.resolve(DEV_KEY_FILE).toAbsolutePath();
        try {
            return new MasterKeyResolution.DevelopmentFile(MasterKey.fromBase64(readOrCreate(file)), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create or read the development master key " + file, e);
        }
    }

    private String missingMessage() {
        String fix = "32 random bytes in Base64 (e.g. `openssl rand -base64 32`)";
        if (configuredName == null) {
            return MasterKey.ENVIRONMENT_VARIABLE + " is not set; set it to " + fix;
        }
        return "neither " + MasterKey.ENVIRONMENT_VARIABLE + " nor " + configuredName + " is set; set one to " + fix;
    }

    private String readOrCreate(Path file) throws IOException {
        Path directory = Objects.requireNonNull(file.getParent());
        if (!Files.isDirectory(directory)) {
            try {
                Files.createDirectories(
                        directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(directory);
            }
        }
        if (!Files.exists(file)) {
            byte[] raw = new byte[32];
            random.nextBytes(raw);
            String encoded = Base64.getEncoder().encodeToString(raw);
            Arrays.fill(raw, (byte) 0);
            writeOwnerOnly(file, encoded);
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            return; // another node or process won the race; use its key
        }
        Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Builds a {@link MasterKeyResolver}. */
    public static final class Builder {

        private @Nullable String configured;
        private @Nullable String configuredName;
        private Function<String, @Nullable String> environment = System::getenv;
        private boolean devMode;
        private @Nullable Path developmentDirectory;
        private SecureRandom random = new SecureRandom();

        private Builder() {}

        /**
         * A value configured explicitly, which wins over the environment variable; default none.
         *
         * @param value the Base64 key, or {@code null} or blank for none
         * @param name where it is configured, for messages, e.g. {@code gatehouse.master-key}
         * @return this builder
         */
        public Builder configured(@Nullable String value, String name) {
            this.configured = value;
            this.configuredName = Objects.requireNonNull(name, "name must not be null");
            return this;
        }

        /**
         * Where {@value MasterKey#ENVIRONMENT_VARIABLE} is looked up; default {@code System::getenv}.
         *
         * @param environment a lookup such as {@code System::getenv}
         * @return this builder
         */
        public Builder environment(Function<String, @Nullable String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment must not be null");
            return this;
        }

        /**
         * Whether a development key may be used when no key is set; default {@code false} (no key, no start).
         *
         * @param devMode development mode
         * @return this builder
         */
        public Builder devMode(boolean devMode) {
            this.devMode = devMode;
            return this;
        }

        /**
         * In development mode, generate the key once into {@code <directory>/}{@value #DEV_KEY_FILE} (owner-only
         * permissions; the directory is created owner-only if missing) and reuse it on later starts.
         *
         * @param directory the directory, such as the server's data directory
         * @return this builder
         */
        public Builder developmentKeyFile(Path directory) {
            this.developmentDirectory = Objects.requireNonNull(directory, "directory must not be null");
            return this;
        }

        /**
         * In development mode, use a key that lives only in this process (the default): everything sealed under
         * it is lost on restart.
         *
         * @return this builder
         */
        public Builder ephemeralDevelopmentKey() {
            this.developmentDirectory = null;
            return this;
        }

        /**
         * Randomness for a generated development key file; default a new {@link SecureRandom}.
         *
         * @param random a strong generator
         * @return this builder
         */
        public Builder secureRandom(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random must not be null");
            return this;
        }

        /**
         * The resolver.
         *
         * @return a new resolver
         */
        public MasterKeyResolver build() {
            return new MasterKeyResolver(this);
        }
    }
}
