package dev.gatehouse.server.audit;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One security-relevant event: who did what to whom, and how it ended. Never carries a secret: no password, code,
 * token or client secret goes into any field (callers pass identifiers only).
 *
 * @param type what happened, dotted lower case, e.g. {@code signin.failure}, {@code admin.user.disable}
 * @param outcome {@code success}, {@code failure} or {@code denied}
 * @param actor who acted: a username, a client id, or {@code null} when unknown (an anonymous request)
 * @param subject what it was done to: a username, client id, key id, or {@code null}
 * @param details further non-secret attributes (client id, grant type, reason code, address)
 */
public record AuditEvent(
        String type,
        String outcome,
        @Nullable String actor,
        @Nullable String subject,
        Map<String, String> details) {

    /** Outcome of an action that happened. */
    public static final String SUCCESS = "success";

    /** Outcome of an action that was attempted and failed (wrong password, bad code). */
    public static final String FAILURE = "failure";

    /** Outcome of an action refused by policy (not permitted, rate limited, locked out). */
    public static final String DENIED = "denied";

    /**
     * Validates the fields and copies the details.
     *
     * @param type what happened
     * @param outcome how it ended
     * @param actor who acted
     * @param subject what it was done to
     * @param details non-secret attributes
     */
    public AuditEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
        details = Map.copyOf(details);
    }
}
