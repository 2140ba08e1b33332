package dev.gatehouse.server.passkeys;

import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A passkey ceremony (registration, WebAuthn Level 3 §7.1, or assertion, §7.2) the relying party refused. Nothing was
 * stored or changed. The message names what failed, never key material or a credential id in full; {@link #reason()}
 * is the machine-readable cause (for audit details and metrics).
 */
public class PasskeyCeremonyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a ceremony was refused. */
    public enum Reason {
        /** clientDataJSON's origin is not an allowed origin (§7.1 step 9, §7.2 step 13). */
        ORIGIN,
        /** The authenticator data's rpIdHash is not the SHA-256 of the rpId (§7.1 step 13, §7.2 step 15). */
        RP_ID,
        /** clientDataJSON's challenge is not the one the server issued (§7.1 step 8, §7.2 step 12). */
        CHALLENGE,
        /** The assertion signature does not verify with the stored public key (§7.2 step 20). */
        SIGNATURE,
        /** The authenticator did not verify the user (UV flag unset, §7.1 step 15, §7.2 step 17). */
        USER_VERIFICATION,
        /** The authenticator reported no user presence (UP flag unset, §7.1 step 14, §7.2 step 16). */
        USER_PRESENCE,
        /** The signature counter did not increase (§6.1.1, §7.2 step 21): a possible cloned authenticator. */
        COUNTER,
        /** The credential is not in the request's allowCredentials (§7.2 step 5). */
        NOT_ALLOWED_CREDENTIAL,
        /** The userHandle the authenticator returned is not the credential's owner (§7.2 step 6). */
        USER_HANDLE,
        /** The authenticator's AAGUID is not in {@code gatehouse.server.passkeys.allowed-aaguids}. */
        AAGUID,
        /** The credential id is already registered (§7.1 step 25). */
        ALREADY_REGISTERED,
        /** A payload is not well-formed (CBOR, JSON, base64url, sizes, algorithm). */
        MALFORMED,
        /** No passkey has this credential id (removed, or never registered here). */
        UNKNOWN_CREDENTIAL,
        /** The label is empty, longer than 64 characters, or has control characters. */
        LABEL,
        /** The ceremony's options (its challenge) are older than their timeout (§5.4, §13.4.3): start again. */
        EXPIRED,
        /** The ceremony failed for another reason webauthn4j gave. */
        REFUSED;

        /**
         * The reason as audit details and metrics name it.
         *
         * @return e.g. {@code rp_id}
         */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param reason why
     * @param message what failed, without key material or a full credential id
     */
    public PasskeyCeremonyException(Reason reason, String message) {
        this(reason, message, null);
    }

    /**
     * Creates the exception.
     *
     * @param reason why
     * @param message what failed, without key material or a full credential id
     * @param cause the underlying failure, if any
     */
    public PasskeyCeremonyException(Reason reason, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason must not be null");
    }

    /**
     * Why the ceremony was refused.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }
}
