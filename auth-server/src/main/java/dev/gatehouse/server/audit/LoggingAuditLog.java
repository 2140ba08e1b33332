package dev.gatehouse.server.audit;

import java.time.Clock;
import java.util.Objects;
import org.slf4j.MDC;

/**
 * The minimal audit log: one structured line per event on the {@code gatehouse.audit} logger, nothing stored. The
 * server uses {@link JdbcAuditLog}; this one is for tools and tests that need an {@link AuditLog} without a database.
 */
public final class LoggingAuditLog implements AuditLog {

    private final Clock clock;

    /** A logging audit log on the system clock. */
    public LoggingAuditLog() {
        this(Clock.systemUTC());
    }

    /**
     * A logging audit log.
     *
     * @param clock stamps the events
     */
    public LoggingAuditLog(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    @Override
    public void record(AuditEvent event) {
        AuditLogLines.event(RecordedEvent.of(event, clock.instant(), MDC.get(CorrelationIdFilter.MDC_KEY)));
    }
}
