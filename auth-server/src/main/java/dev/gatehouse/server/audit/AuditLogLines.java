package dev.gatehouse.server.audit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Audit events on the {@code gatehouse.audit} logger: one line per event whose message reads on its own in a plain
 * log (every value quoted and escaped, see {@link #line}), and whose fields are SLF4J key-value pairs, which Spring Boot's structured
 * logging ({@code logging.structured.format.console=ecs|logstash|gelf}) writes as JSON fields. The correlation id is
 * the MDC entry {@value CorrelationIdFilter#MDC_KEY}, set for the line when it is logged off the request thread.
 */
final class AuditLogLines {

    /** Marks an event that went to the log only because the queue to the database was full. */
    static final Marker OVERFLOW = MarkerFactory.getMarker("AUDIT_OVERFLOW");

    /** Marks an event that went to the log only because storing it failed (or the log was closed). */
    static final Marker NOT_STORED = MarkerFactory.getMarker("AUDIT_NOT_STORED");

    static final String LOGGER = "gatehouse.audit";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private AuditLogLines() {}

    /** The event, at INFO. */
    static void event(RecordedEvent e) {
        log(LOG.atInfo(), e, null);
    }

    /** The event, at ERROR with the overflow marker. */
    static void overflow(RecordedEvent e) {
        log(LOG.atError().addMarker(OVERFLOW), e, "audit queue full, event not stored");
    }

    /** The event, at ERROR with the not-stored marker. */
    static void notStored(RecordedEvent e, String why) {
        log(LOG.atError().addMarker(NOT_STORED), e, "audit event not stored (" + why + ")");
    }

    /**
     * The plain-text message: {@code audit type="..." outcome="..." actor="..." subject="..." details="..."
     * correlation_id="..."}, every value quoted by {@link AuditText#quoted} ({@code -} when absent), so a value chosen
     * by a caller cannot add or imitate a field.
     */
    static String line(RecordedEvent e) {
        return "audit type=" + AuditText.quoted(e.type())
                + " outcome=" + AuditText.quoted(e.outcome())
                + " actor=" + AuditText.quoted(e.actor())
                + " subject=" + AuditText.quoted(e.subject())
                + " details=" + AuditText.quoted(e.detailsJson())
                + " correlation_id=" + AuditText.quoted(e.correlationId());
    }

    private static void log(LoggingEventBuilder line, RecordedEvent e, @Nullable String problem) {
        String previous = MDC.get(CorrelationIdFilter.MDC_KEY);
        boolean swap = e.correlationId() != null && !e.correlationId().equals(previous);
        if (swap) {
            MDC.put(CorrelationIdFilter.MDC_KEY, e.correlationId());
        }
        try {
            line.addKeyValue("audit_type", e.type())
                    .addKeyValue("audit_outcome", e.outcome())
                    .addKeyValue("audit_actor", e.actor())
                    .addKeyValue("audit_subject", e.subject())
                    .addKeyValue("audit_details", e.details())
                    .addKeyValue("audit_occurred_at", e.occurredAt().toString())
                    .log("{}{}", problem == null ? "" : problem + ": ", line(e));
        } finally {
            if (swap) {
                if (previous == null) {
                    MDC.remove(CorrelationIdFilter.MDC_KEY);
                } else {
                    MDC.put(CorrelationIdFilter.MDC_KEY, previous);
                }
            }
        }
    }
}
