package dev.gatehouse.server.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An event as recorded: the caller's {@link AuditEvent} with when it happened (millisecond precision, which every
 * database stores exactly) and the request's correlation id, its fields capped and its details as canonical JSON.
 */
record RecordedEvent(
        Instant occurredAt,
        String type,
        String outcome,
        @Nullable String actor,
        @Nullable String subject,
        Map<String, String> details,
        String detailsJson,
        @Nullable String correlationId) {

    static RecordedEvent of(AuditEvent event, Instant now, @Nullable String correlationId) {
        return new RecordedEvent(
                now.truncatedTo(ChronoUnit.MILLIS),
                AuditText.cut(event.type(), AuditText.MAX_TYPE),
                AuditText.cut(event.outcome(), AuditText.MAX_OUTCOME),
                AuditText.cutNullable(event.actor(), AuditText.MAX_NAME),
                AuditText.cutNullable(event.subject(), AuditText.MAX_NAME),
                event.details(),
                AuditJson.write(event.details()),
                AuditText.cutNullable(correlationId, AuditText.MAX_CORRELATION_ID));
    }
}
