package dev.gatehouse.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Trace and span ids in an audit event's details: from the logging context of a traced request, well formed only. */
class RecordedEventTests {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void ofWhenRequestIsTracedThenDetailsNameTraceAndSpan() {
        MDC.put("traceId", TRACE);
        MDC.put("spanId", SPAN);

        RecordedEvent e = RecordedEvent.of(event(Map.of("client_id", "c1")), Instant.EPOCH, "req-1");

        assertThat(e.details())
                .containsEntry("client_id", "c1")
                .containsEntry("trace_id", TRACE)
                .containsEntry("span_id", SPAN);
        assertThat(e.detailsJson())
                .isEqualTo("{\"client_id\":\"c1\",\"span_id\":\"" + SPAN + "\",\"trace_id\":\"" + TRACE + "\"}");
    }

    @Test
    void ofWhenNotTracedThenDetailsAsGiven() {
        RecordedEvent e = RecordedEvent.of(event(Map.of("client_id", "c1")), Instant.EPOCH, null);

        assertThat(e.details()).containsOnlyKeys("client_id");
        assertThat(e.detailsJson()).isEqualTo("{\"client_id\":\"c1\"}");
    }

    @Test
    void ofWhenIdsMalformedOrAllZerosThenLeftOut() {
        assertThat(RecordedEvent.of(
                                event(Map.of()), Instant.EPOCH, null, TRACE.toUpperCase(java.util.Locale.ROOT), SPAN)
                        .details())
                .isEmpty();
        assertThat(RecordedEvent.of(event(Map.of()), Instant.EPOCH, null, "0".repeat(32), SPAN)
                        .details())
                .isEmpty();
        assertThat(RecordedEvent.of(event(Map.of()), Instant.EPOCH, null, TRACE, "\"},{\"x")
                        .details())
                .isEmpty();
        assertThat(RecordedEvent.of(event(Map.of()), Instant.EPOCH, null, TRACE, null)
                        .details())
                .isEmpty();
    }

    @Test
    void ofWhenCallerNamedATraceIdThenItsEntryIsKept() {
        RecordedEvent e = RecordedEvent.of(event(Map.of("trace_id", "theirs")), Instant.EPOCH, null, TRACE, SPAN);

        assertThat(e.details()).containsOnly(Map.entry("trace_id", "theirs"));
    }

    private static AuditEvent event(Map<String, String> details) {
        return new AuditEvent("token.issue", AuditEvent.SUCCESS, "c1", null, details);
    }
}
