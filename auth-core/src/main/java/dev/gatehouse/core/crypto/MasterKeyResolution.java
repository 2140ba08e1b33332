package dev.gatehouse.core.crypto;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The master key a {@link MasterKeyResolver} found, and where: supplied by the operator, or a development key
 * the caller should warn about loudly.
 */
public sealed interface MasterKeyResolution {

    /**
     * The master key.
     *
     * @return the key
     */
    MasterKey key();

    /**
     * Supplied by the operator.
     *
     * @param key the key
     * @param source where it came from: the configured property's name or {@value MasterKey#ENVIRONMENT_VARIABLE}
     */
    record Supplied(MasterKey key, String source) implements MasterKeyResolution {

        /** Checks the arguments. */
        public Supplied {
            Objects.requireNonNull(key, "key must not be null");
            Objects.requireNonNull(source, "source must not be null");
        }
    }

    /**
     * Development mode: a key generated once into a file with owner-only permissions. Anyone who can read the
     * file can open what it seals.
     *
     * @param key the key
     * @param file the absolute path of the key file
     */
    record DevelopmentFile(MasterKey key, Path file) implements MasterKeyResolution {

        /** Checks the arguments. */
        public DevelopmentFile {
            Objects.requireNonNull(key, "key must not be null");
            Objects.requireNonNull(file, "file must not be null");
        }
    }

    /**
     * Development mode: a key that lives only in this process; everything sealed under it is lost on restart.
     *
     * @param key the key ({@link MasterKey#development()} is {@code true})
     */
    record Ephemeral(MasterKey key) implements MasterKeyResolution {

        /** Checks the argument. */
        public Ephemeral {
            Objects.requireNonNull(key, "key must not be null");
        }
    }
}
