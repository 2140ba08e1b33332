package dev.gatehouse.server.audit;

/**
 * Where audit events go. Implementations must not throw on a storage problem in a way that turns an allowed
 * action into an error page after the fact; they must also never drop an event silently (log it instead).
 */
@FunctionalInterface
public interface AuditLog {

    /**
     * Records an event.
     *
     * @param event the event, free of secrets
     */
    void record(AuditEvent event);
}
