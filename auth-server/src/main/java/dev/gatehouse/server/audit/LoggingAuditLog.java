package dev.gatehouse.server.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The minimal audit log: one structured line per event on the {@code gatehouse.audit} logger. */
public final class LoggingAuditLog implements AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger("gatehouse.audit");

    @Override
    public void record(AuditEvent event) {
        LOG.atInfo()
                .addKeyValue("type", event.type())
                .addKeyValue("outcome", event.outcome())
                .addKeyValue("actor", event.actor())
                .addKeyValue("subject", event.subject())
                .addKeyValue("details", event.details())
                .log("audit {} {}", event.type(), event.outcome());
    }
}
