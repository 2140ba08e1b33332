package dev.gatehouse.core.crypto;

import dev.gatehouse.core.GatehouseException;
import java.util.Locale;
import java.util.Objects;

/** Thrown when a secret cannot be sealed or opened. Never carries plaintext or key material. */
public final class CryptoException extends GatehouseException {

    private static final long serialVersionUID = 1L;

    /** Why the operation failed. */
    public enum Reason {
        /** The master key is not 32 bytes of Base64 (or, from {@link MasterKey#fromEnvironment}, is not set). */
        INVALID_MASTER_KEY,
        /** No master key is configured, outside development mode ({@link MasterKeyResolver}). */
        MISSING_MASTER_KEY,
        /** The sealed value names a master key this envelope does not hold. */
        UNKNOWN_MASTER_KEY,
        /** The sealed value is not in the envelope format. */
        MALFORMED,
        /** Authentication failed: wrong key, wrong context, or the value was altered. */
        DECRYPTION_FAILED;

        /**
         * The machine-readable code, e.g. {@code crypto.decryption_failed}.
         *
         * @return the code
         */
        public String code() {
            return "crypto." + name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    CryptoException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason must not be null");
    }

    /**
     * Why the operation failed.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    @Override
    public String code() {
        return reason.code();
    }
}
