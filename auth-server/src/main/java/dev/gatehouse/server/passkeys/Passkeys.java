package dev.gatehouse.server.passkeys;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A user's passkeys, as the account pages, the admin API and the factor policy see them. Credential ids are the
 * base64url (no padding) form of the raw credential id (WebAuthn Level 3 §5.1); usernames are the signed-in name
 * ({@code Authentication.getName()}).
 */
public interface Passkeys {

    /**
     * The user's passkeys, oldest first.
     *
     * @param username the user
     * @return the passkeys, empty if none
     */
    List<Passkey> list(String username);

    /**
     * Whether the user has at least one passkey.
     *
     * @param username the user
     * @return {@code true} if there is one
     */
    boolean hasAny(String username);

    /**
     * Removes one of the user's passkeys; another user's credential id removes nothing.
     *
     * @param username the owner
     * @param credentialId the base64url credential id
     * @return {@code true} if a passkey was removed
     */
    boolean remove(String username, String credentialId);

    /**
     * Removes one of the user's passkeys unless it is the user's last one, checked and removed in one conditional
     * {@code DELETE} while the user's passkey entity is locked, so two removals at once can never leave a user who must
     * use a passkey with none (the account page; an operator's removal may take the last one, that is the reset).
     *
     * @param username the owner
     * @param credentialId the base64url credential id
     * @return what happened
     */
    Removal removeUnlessLast(String username, String credentialId);

    /** The outcome of {@link #removeUnlessLast}. */
    enum Removal {
        /** The passkey was removed; at least one other remains. */
        REMOVED,
        /** Nothing removed: it is the user's last passkey. */
        LAST,
        /** Nothing removed: the user has no passkey with this id (another user's, or removed meanwhile). */
        UNKNOWN
    }

    /**
     * Removes every passkey of the user (an operator's reset).
     *
     * @param username the user
     * @return how many were removed
     */
    int removeAll(String username);

    /**
     * One registered passkey, without its key material.
     *
     * @param id the base64url credential id
     * @param label the user's name for it
     * @param created when it was registered
     * @param lastUsed when it last signed in, if ever
     * @param backupEligible the BE flag at registration (a synced, multi-device passkey)
     * @param backedUp the BS flag last seen (currently backed up)
     * @param transports the transports the authenticator reported (usb, nfc, ble, internal, hybrid, ...)
     */
    record Passkey(
            String id,
            String label,
            Instant created,
            @Nullable Instant lastUsed,
            boolean backupEligible,
            boolean backedUp,
            List<String> transports) {

        /** Checks the values. */
        public Passkey {
            Objects.requireNonNull(id, "id must not be null");
            Objects.requireNonNull(label, "label must not be null");
            Objects.requireNonNull(created, "created must not be null");
            transports = List.copyOf(transports);
        }
    }
}
