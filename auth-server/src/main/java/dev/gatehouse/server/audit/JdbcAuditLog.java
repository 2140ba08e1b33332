package dev.gatehouse.server.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The server's audit log: every event is written at once to the {@code gatehouse.audit} logger (structured key-value
 * pairs) on the caller's thread, and stored in the hash-chained table {@code gh_audit_event} by one writer thread.
 *
 * <p><b>Hot path.</b> {@link #record} never touches the database: it logs the line and offers the event to a bounded
 * queue. The writer takes what is queued, up to the batch size, and appends it in one transaction (one chain-head
 * lock per batch), so the token endpoint pays for a log line and a queue offer, not an insert and a lock.
 *
 * <p><b>Never lost silently, never an error for the caller.</b> When the queue is full the event is logged again at
 * ERROR with the {@code AUDIT_OVERFLOW} marker and counted in {@code gatehouse.audit.overflow}; the caller's action
 * goes on. When storing fails (after one retry of the batch, then event by event), each event is logged at ERROR with
 * the {@code AUDIT_NOT_STORED} marker and counted in {@code gatehouse.audit.store.failures}. Such events are in the
 * log but not in the chain. {@link #close()} stores what is queued (up to the shutdown timeout) and stops the writer;
 * events recorded after that are logged as not stored.
 *
 * <p>Metrics: {@code gatehouse.audit.queue.size} (gauge), {@code gatehouse.audit.overflow}, {@code
 * gatehouse.audit.store.failures}, {@code gatehouse.audit.stored}, and the counters derived from the events (see
 * {@code AuditMetrics}: {@code gatehouse.signin}, {@code gatehouse.mfa}, {@code gatehouse.tokens}).
 */
public final class JdbcAuditLog implements AuditLog, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JdbcAuditLog.class);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(200);

    private final AuditChain chain;
    private final Clock clock;
    private final int batchSize;
    private final Duration shutdownTimeout;
    private final BlockingQueue<RecordedEvent> queue;
    private final AuditMetrics metrics;
    private final Counter overflow;
    private final Counter storeFailures;
    private final Counter stored;
    private final Thread writer;
    private final AtomicLong accepted = new AtomicLong();
    private final Object progress = new Object();
    private long settled; // guarded by progress: events the writer has stored or given up on
    private volatile boolean closed;

    private JdbcAuditLog(Builder b) {
        this.chain = Objects.requireNonNull(b.chain, "chain must not be null");
        this.clock = b.clock;
        this.batchSize = b.properties.batchSize();
        this.shutdownTimeout = b.properties.shutdownTimeout();
        this.queue = new ArrayBlockingQueue<>(b.properties.queueCapacity());
        this.metrics = new AuditMetrics(b.registry);
        this.overflow = Counter.builder("gatehouse.audit.overflow")
                .description("Audit events logged but not stored because the queue was full")
                .register(b.registry);
        this.storeFailures = Counter.builder("gatehouse.audit.store.failures")
                .description("Audit events logged but not stored because the database refused them")
                .register(b.registry);
        this.stored = Counter.builder("gatehouse.audit.stored")
                .description("Audit events stored in the hash chain")
                .register(b.registry);
        Gauge.builder("gatehouse.audit.queue.size", queue, BlockingQueue::size)
                .description("Audit events waiting for the database writer")
                .strongReference(true)
                .register(b.registry);
        this.writer = new Thread(this::run, "gatehouse-audit-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * A builder: chain required; system clock, default properties and a private meter registry unless set.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void record(AuditEvent event) {
        Objects.requireNonNull(event, "event must not be null");
        RecordedEvent e = RecordedEvent.of(event, clock.instant(), MDC.get(CorrelationIdFilter.MDC_KEY));
        try {
            metrics.count(e);
            AuditLogLines.event(e);
        } catch (RuntimeException failure) {
            // Metrics or logging trouble must not turn the caller's action into an error.
            log.warn("audit metrics or log line failed: {}", failure.getClass().getName());
        }
        if (closed) {
            storeFailures.increment();
            AuditLogLines.notStored(e, "audit log closed");
            return;
        }
        if (!queue.offer(e)) {
            overflow.increment();
            AuditLogLines.overflow(e);
            return;
        }
        accepted.incrementAndGet();
    }

    /**
     * Waits until every event recorded before this call has been stored (or given up on and logged). For tests and
     * for shutdown; requests never wait.
     *
     * @param timeout how long to wait at most
     * @return whether everything was settled in time
     */
    public boolean flush(Duration timeout) {
        long target = accepted.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (settled < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Events waiting for the writer.
     *
     * @return the queue's current size
     */
    public int queued() {
        return queue.size();
    }

    /**
     * Stores what is queued (waiting up to the shutdown timeout), then stops the writer. Events still queued after
     * that, and events recorded later, are logged as not stored.
     */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(Math.max(1, shutdownTimeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
        }
        List<RecordedEvent> left = new ArrayList<>();
        queue.drainTo(left);
        for (RecordedEvent e : left) {
            storeFailures.increment();
            AuditLogLines.notStored(e, "shut down before it was stored");
        }
        settle(left.size());
    }

    private void run() {
        List<RecordedEvent> batch = new ArrayList<>(batchSize);
        while (true) {
            RecordedEvent first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return; // close() logs whatever is left
            }
            if (first == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, batchSize - 1);
            store(batch);
            settle(batch.size());
            batch.clear();
        }
    }

    private void store(List<RecordedEvent> batch) {
        try {
            chain.append(batch);
            stored.increment(batch.size());
            return;
        } catch (RuntimeException first) {
            log.warn(
                    "storing {} audit events failed, retrying: {}",
                    batch.size(),
                    first.getClass().getName());
        }
        pause();
        try {
            chain.append(batch);
            stored.increment(batch.size());
            return;
        } catch (RuntimeException again) {
            log.error("storing {} audit events failed again; storing them one by one", batch.size(), again);
        }
        // One event the database refuses must not take the rest of its batch with it.
        for (RecordedEvent e : batch) {
            try {
                chain.append(List.of(e));
                stored.increment();
            } catch (RuntimeException failure) {
                storeFailures.increment();
                AuditLogLines.notStored(e, failure.getClass().getSimpleName());
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void settle(int n) {
        synchronized (progress) {
            settled += n;
            progress.notifyAll();
        }
    }

    @Override
    public String toString() {
        return "JdbcAuditLog[queued=" + queue.size() + ", closed=" + closed + "]";
    }

    /** Builds a {@link JdbcAuditLog}; {@link #build()} starts its writer thread. */
    public static final class Builder {

        private @Nullable AuditChain chain;
        private Clock clock = Clock.systemUTC();
        private AuditProperties properties = AuditProperties.defaults();
        private MeterRegistry registry = new SimpleMeterRegistry();

        private Builder() {}

        /**
         * The chain events are appended to. Required.
         *
         * @param chain the chain
         * @return this builder
         */
        public Builder chain(AuditChain chain) {
            this.chain = Objects.requireNonNull(chain, "chain must not be null");
            return this;
        }

        /**
         * Stamps the events. Default: the system clock (UTC).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Queue capacity, batch size and shutdown timeout. Default: {@link AuditProperties#defaults()}.
         *
         * @param properties the settings
         * @return this builder
         */
        public Builder properties(AuditProperties properties) {
            this.properties = Objects.requireNonNull(properties, "properties must not be null");
            return this;
        }

        /**
         * Where the audit metrics go. Default: a private {@link SimpleMeterRegistry}.
         *
         * @param registry the registry
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry must not be null");
            return this;
        }

        /**
         * Builds the log and starts its writer thread.
         *
         * @return the audit log
         */
        public JdbcAuditLog build() {
            return new JdbcAuditLog(this);
        }
    }
}
