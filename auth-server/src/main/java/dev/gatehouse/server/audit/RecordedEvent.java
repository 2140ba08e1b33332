package dev.gatehouse.server.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * An event as recorded: the caller's {@link AuditEvent} with when it happened (millisecond precision, which every
 * database stores exactly) and the request's correlation id, its fields capped and its details as canonical JSON.
 * An event recorded inside a traced request also names its trace and span ({@code trace_id}, {@code span_id} in the
 * details, W3C Trace Context §3.2.2 form), sampled or not, so an audit row leads to the request's log lines and, when
 * sampled, its trace. They go into the details rather than a column of their own: the chain's hash format and the
 * table stay as they are, and a node of an earlier release verifies such a row as it verifies any details text.
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

    /** The details key of the trace id (32 lower-case hex digits). */
    static final String TRACE_ID = "trace_id";

    /** The details key of the span id (16 lower-case hex digits). */
    static final String SPAN_ID = "span_id";

    /** Where Micrometer Tracing puts the current ids for every log line (its SLF4J event listener). */
    static final String MDC_TRACE_ID = "traceId";

    static final String MDC_SPAN_ID = "spanId";

    /** The event with the current thread's trace and span ids from the logging context, if any. */
    static RecordedEvent of(AuditEvent event, Instant now, @Nullable String correlationId) {
        return of(event, now, correlationId, MDC.get(MDC_TRACE_ID), MDC.get(MDC_SPAN_ID));
    }

    static RecordedEvent of(
            AuditEvent event,
            Instant now,
            @Nullable String correlationId,
            @Nullable String traceId,
            @Nullable String spanId) {
        Map<String, String> details = withTrace(event.details(), traceId, spanId);
        return new RecordedEvent(
                now.truncatedTo(ChronoUnit.MILLIS),
                AuditText.cut(event.type(), AuditText.MAX_TYPE),
                AuditText.cut(event.outcome(), AuditText.MAX_OUTCOME),
                AuditText.cutNullable(event.actor(), AuditText.MAX_NAME),
                AuditText.cutNullable(event.subject(), AuditText.MAX_NAME),
                details,
                AuditJson.write(details),
                AuditText.cutNullable(correlationId, AuditText.MAX_CORRELATION_ID));
    }

    /**
     * The details with the ids added when both are well formed (W3C Trace Context §3.2.2.3 and §3.2.2.4: lower-case
     * hex, not all zeros); a caller's own {@code trace_id} or {@code span_id} entry is kept as it is.
     */
    private static Map<String, String> withTrace(
            Map<String, String> details, @Nullable String traceId, @Nullable String spanId) {
        if (traceId == null
                || spanId == null
                || !isId(traceId, 32)
                || !isId(spanId, 16)
                || details.containsKey(TRACE_ID)
                || details.containsKey(SPAN_ID)) {
            return details;
        }
        Map<String, String> traced = new LinkedHashMap<>(details);
        traced.put(TRACE_ID, traceId);
        traced.put(SPAN_ID, spanId);
        return Map.copyOf(traced);
    }

    private static boolean isId(String id, int length) {
        if (id.length() != length) {
            return false;
        }
        boolean nonZero = false;
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
            nonZero |= c != '0';
        }
        return nonZero;
    }
}
