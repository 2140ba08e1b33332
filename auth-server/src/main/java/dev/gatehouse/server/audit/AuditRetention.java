package dev.gatehouse.server.audit;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Deletes audit events older than {@code gatehouse.server.audit.retention} (default 400 days) from the start of the chain,
 * leaving the last deleted row's id and hash as the anchor, and records an {@code audit.purge} event (which itself
 * joins the chain). A retention of zero keeps everything.
 */
public final class AuditRetention {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);

    private final AuditChain chain;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration retention;

    /**
     * Creates the job.
     *
     * @param chain the chain to purge
     * @param audit records the purge
     * @param clock the clock
     * @param retention how long events are kept; zero keeps them forever
     */
    public AuditRetention(AuditChain chain, AuditLog audit, Clock clock, Duration retention) {
        this.chain = Objects.requireNonNull(chain, "chain must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.retention = Objects.requireNonNull(retention, "retention must not be null");
    }

    /**
     * Runs one purge.
     *
     * @return how many events were deleted
     */
    @Scheduled(
            fixedDelayString = "${gatehouse.server.audit.purge-interval:1h}",
            initialDelayString = "${gatehouse.server.audit.purge-interval:1h}")
    public int purge() {
        if (retention.isZero()) {
            return 0;
        }
        AuditChain.Purge purge = chain.purgeBefore(clock.instant().minus(retention));
        if (purge.deleted() > 0) {
            log.info(
                    "audit retention: deleted {} events; the chain is now anchored at id {} hash {}",
                    purge.deleted(),
                    purge.anchorId(),
                    purge.anchorHash());
            audit.record(new AuditEvent(
                    AuditEvents.AUDIT_PURGE,
                    AuditEvent.SUCCESS,
                    null,
                    null,
                    Map.of(
                            "deleted", Integer.toString(purge.deleted()),
                            "anchor_id", Long.toString(purge.anchorId()),
                            "anchor_hash", purge.anchorHash(),
                            "retention", retention.toString())));
        }
        return purge.deleted();
    }
}
