package dev.gatehouse.server.clients;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps this node's client cache in step with every other node's writes: polls the client change epoch ({@link
 * ClientChangeEpoch}, bumped in the transaction of every write to {@code oauth2_registered_client}) every {@code
 * gatehouse.server.client-cache-poll-interval} (250 ms) on a thread of its own, clears the cache when the epoch
 * moves, and says whether the cache may be trusted: only while the last successful poll <em>started</em> at most
 * {@code gatehouse.server.client-cache-max-staleness} (750 ms) ago. Past that (the database slow or down, the thread
 * stopped) callers read through to the database, so a rotated secret, a disabled or deleted client or changed
 * redirect URIs committed on any node are honoured here within that bound, never later: a poll that started after
 * the commit saw it, and cleared the cache before it vouched for it. Until the first poll succeeds the cache is not
 * trusted (fail closed).
 *
 * <p>Why polling rather than PostgreSQL {@code LISTEN/NOTIFY}: a notification says nothing when it does not arrive.
 * The listener needs a dedicated connection outside the pool and a thread per node, notifications sent while it
 * reconnects are lost, and to bound staleness the node must still check, periodically, that the listener is alive,
 * which is a poll. The polled epoch gives the same bound on H2 and PostgreSQL, with no extra connection, for about
 * four primary-key reads per second per node and nothing per request; notifications would only shorten the typical
 * delay, which the 1 s bound does not need.
 */
final class ClientChangePoller implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClientChangePoller.class);

    private final LongSupplier epoch;
    private final Runnable onChange;
    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private final long maxStalenessNanos;

    private @Nullable ScheduledExecutorService scheduler;
    private boolean everSeen;
    private long lastEpoch;
    private boolean failing;

    /** When the last successful poll started (nanoTime); meaningful only once {@link #confirmed} is set. */
    private volatile long confirmedAt;

    private volatile boolean confirmed;

    /**
     * Creates the poller; {@link #start()} starts its thread.
     *
     * @param epoch reads the committed epoch, such as {@link ClientChangeEpoch#current()}; may throw
     * @param onChange clears the cache; runs on the polling thread before the poll vouches for the cache
     * @param interval the delay between polls; positive and shorter than {@code maxStaleness}
     * @param maxStaleness how old the last successful poll may be for the cache to be trusted
     * @param nanoTime a monotonic clock, such as {@code System::nanoTime}
     */
    ClientChangePoller(
            LongSupplier epoch, Runnable onChange, Duration interval, Duration maxStaleness, LongSupplier nanoTime) {
        this.epoch = Objects.requireNonNull(epoch, "epoch must not be null");
        this.onChange = Objects.requireNonNull(onChange, "onChange must not be null");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime must not be null");
        this.intervalNanos =
                Objects.requireNonNull(interval, "interval must not be null").toNanos();
        this.maxStalenessNanos = Objects.requireNonNull(maxStaleness, "maxStaleness must not be null")
                .toNanos();
        if (intervalNanos <= 0 || intervalNanos >= maxStalenessNanos) {
            throw new IllegalArgumentException("gatehouse.server.client-cache-poll-interval must be positive and "
                    + "shorter than gatehouse.server.client-cache-max-staleness (defaults 250ms and 750ms)");
        }
    }

    /**
     * Whether the cache reflects every change committed more than {@code maxStaleness} ago.
     *
     * @return {@code true} while the last successful poll started within {@code maxStaleness}
     */
    boolean isFresh() {
        return confirmed && nanoTime.getAsLong() - confirmedAt <= maxStalenessNanos;
    }

    /**
     * Reads the epoch once: clears the cache if it moved (or on the first read), then vouches for the cache as of
     * this poll's start. A failed read vouches for nothing, so the cache goes untrusted once {@code maxStaleness}
     * has passed since the last success.
     */
    synchronized void poll() {
        long started = nanoTime.getAsLong();
        long current;
        try {
            current = epoch.getAsLong();
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                log.warn(
                        "cannot read the client change epoch; registered clients are read from the database on "
                                + "every use until it can be read again",
                        e);
            }
            return;
        }
        if (!everSeen || current != lastEpoch) {
            onChange.run();
            lastEpoch = current;
            everSeen = true;
        }
        if (failing) {
            failing = false;
            log.info("client change epoch readable again; client cache in use");
        }
        confirmedAt = started;
        confirmed = true;
    }

    private void pollOnSchedule() {
        try {
            poll();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule; the cache goes untrusted by itself once polls stop succeeding.
            log.warn("client change poll failed", e);
        }
    }

    @Override
    public synchronized void start() {
        if (scheduler == null) {
            ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread t = new Thread(task, "gatehouse-client-changes");
                t.setDaemon(true);
                return t;
            });
            s.scheduleWithFixedDelay(this::pollOnSchedule, 0, intervalNanos, TimeUnit.NANOSECONDS);
            scheduler = s;
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService s;
        synchronized (this) {
            s = scheduler;
            scheduler = null;
        }
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        confirmed = false; // a stopped poller vouches for nothing, whatever the clock says
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }

    /** Starts before the web server accepts requests and stops after it has stopped taking them. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
