package dev.gatehouse.server.admin;

import dev.gatehouse.server.passkeys.Passkeys;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * A user's passkeys for the admin API (issue #16): the list without key material, removing one, and an operator's
 * reset of them all (a user who lost every passkey signs in with the password and a recovery code, or asks an
 * operator for this reset, then registers a new one). It owns no table: the passkeys package does ({@link Passkeys}).
 * A removal ends the user's browser sign-ins, as a second-factor reset does: whoever registered the passkey may hold
 * one.
 */
@Component
final class PasskeyAdministration {

    /**
     * A credential id as the API takes it: base64url without padding (WebAuthn Level 3 §5.1), at most 1023 bytes
     * (§5.4.3, {@code credentialIdLength}), so at most 1364 characters.
     */
    private static final Pattern CREDENTIAL_ID = Pattern.compile("[A-Za-z0-9_-]{1,1364}");

    private final UserAdministration users;
    private final Passkeys passkeys;
    private final SessionAdministration sessions;

    PasskeyAdministration(UserAdministration users, Passkeys passkeys, SessionAdministration sessions) {
        this.users = Objects.requireNonNull(users, "users must not be null");
        this.passkeys = Objects.requireNonNull(passkeys, "passkeys must not be null");
        this.sessions = Objects.requireNonNull(sessions, "sessions must not be null");
    }

    /**
     * One passkey as operators see it: never its public key, counter or user handle.
     *
     * @param id the base64url credential id (what {@code DELETE .../passkeys/{id}} takes)
     * @param label the user's name for it
     * @param created when it was registered
     * @param lastUsed when it last signed in, if ever
     * @param backupEligible whether it is a synced (multi-device) passkey
     * @param backedUp whether it was backed up when last seen
     * @param transports the transports its authenticator reported
     */
    record PasskeyView(
            String id,
            String label,
            Instant created,
            @Nullable Instant lastUsed,
            boolean backupEligible,
            boolean backedUp,
            List<String> transports) {

        static PasskeyView of(Passkeys.Passkey p) {
            return new PasskeyView(
                    p.id(), p.label(), p.created(), p.lastUsed(), p.backupEligible(), p.backedUp(), p.transports());
        }
    }

    List<PasskeyView> list(String username) {
        users.get(username);
        return passkeys.list(username).stream().map(PasskeyView::of).toList();
    }

    /** Removes one passkey of the user; an id of another user's passkey is not found (404), and removes nothing. */
    void remove(String username, String id) {
        users.get(username);
        if (!CREDENTIAL_ID.matcher(id).matches()) {
            throw AdminException.invalidField(
                    "id",
                    "admin.invalid_credential_id",
                    "id must be a base64url credential id (at most 1364 characters).");
        }
        if (!passkeys.remove(username, id)) {
            throw AdminException.notFound("Passkey of user '" + username + "'");
        }
        sessions.endSignIns(username);
    }

    /** Removes every passkey of the user (an operator's reset); returns how many. */
    int removeAll(String username) {
        users.get(username);
        int removed = passkeys.removeAll(username);
        if (removed > 0) {
            sessions.endSignIns(username);
        }
        return removed;
    }
}
