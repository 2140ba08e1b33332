package dev.gatehouse.server.audit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the audit trail, under {@code gatehouse.server.audit.*} (environment: {@code GATEHOUSE_SERVER_AUDIT_*}).
 *
 * @param queueCapacity events waiting for the database writer; when full, further events go to the log only, with
 *     the {@code AUDIT_OVERFLOW} marker, and are counted in {@code gatehouse.audit.overflow}. Default 10,000
 * @param batchSize at most this many events are stored per transaction (one chain-head lock per batch); default 500
 * @param retention events older than this are deleted, leaving an anchor so the rest of the chain still verifies;
 *     {@code 0} keeps everything. Default 400 days
 * @param purgeInterval how often the retention purge runs; default 1 hour
 * @param shutdownTimeout how long closing waits for queued events to be stored; default 10 seconds
 */
@ConfigurationProperties("gatehouse.server.audit")
public record AuditProperties(
        @DefaultValue("10000") int queueCapacity,
        @DefaultValue("500") int batchSize,
        @DefaultValue("400d") Duration retention,
        @DefaultValue("1h") Duration purgeInterval,
        @DefaultValue("10s") Duration shutdownTimeout) {

    /**
     * Checks the values.
     *
     * @param queueCapacity queue capacity, at least 1
     * @param batchSize batch size, at least 1
     * @param retention retention, not negative
     * @param purgeInterval purge interval, positive
     * @param shutdownTimeout shutdown timeout, not negative
     */
    public AuditProperties {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("gatehouse.server.audit.queue-capacity must be at least 1");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("gatehouse.server.audit.batch-size must be at least 1");
        }
        if (retention.isNegative()) {
            throw new IllegalArgumentException(
                    "gatehouse.server.audit.retention must not be negative (0 keeps everything)");
        }
        if (purgeInterval.isNegative() || purgeInterval.isZero()) {
            throw new IllegalArgumentException("gatehouse.server.audit.purge-interval must be positive");
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("gatehouse.server.audit.shutdown-timeout must not be negative");
        }
    }

    /**
     * The defaults, for code that builds an audit log without Spring's binding.
     *
     * @return the default settings
     */
    public static AuditProperties defaults() {
        return new AuditProperties(10_000, 500, Duration.ofDays(400), Duration.ofHours(1), Duration.ofSeconds(10));
    }
}
