package dev.gatehouse.server.keys;

import dev.gatehouse.core.jwt.KeyRing;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps this node's key ring in step with every other node's: every {@code gatehouse.token.key-poll-interval} (1 s)
 * it reads the ring's version (one primary-key read, {@link JdbcKeyRepository#version()}) and reloads the ring when
 * another node rotated. So a key another node creates is in this node's JWKS, its verifier and, once active, its
 * signer within about one interval: the bound {@code B} of {@link KeyRing}'s invariant. It runs on a thread of its
 * own, not the shared scheduler, so a long purge cannot hold it up.
 *
 * <p>The bound holds while the node reaches the database. A node that cannot goes on serving the keys it last read;
 * it cannot rotate or issue tokens meanwhile either (both write to the database).
 */
final class KeyRingPoller implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KeyRingPoller.class);

    private final KeyRing ring;
    private final Duration interval;

    private @Nullable ScheduledExecutorService scheduler;
    private boolean failing;

    /**
     * Creates the poller; {@link #start()} starts its thread.
     *
     * @param ring the key ring
     * @param interval the delay between polls; positive
     */
    KeyRingPoller(KeyRing ring, Duration interval) {
        this.ring = Objects.requireNonNull(ring, "ring must not be null");
        this.interval = Objects.requireNonNull(interval, "interval must not be null");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("gatehouse.token.key-poll-interval must be positive");
        }
    }

    /**
     * Reads the ring's version once and reloads the ring if it moved.
     *
     * @return {@code true} if the ring was reloaded
     */
    synchronized boolean poll() {
        try {
            boolean changed = ring.refreshIfChanged();
            if (failing) {
                log.info("key ring poll recovered");
                failing = false;
            }
            if (changed) {
                log.info(
                        "signing keys changed on another node: active key is now {}",
                        ring.activeKey().kid());
            }
            return changed;
        } catch (RuntimeException e) {
            if (!failing) {
                // Once per outage, not once a second; the last keys read stay published and signing.
                log.warn("key ring poll failed; serving the keys last read until it succeeds", e);
                failing = true;
            }
            return false;
        }
    }

    @Override
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-key-ring-poller");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(1, interval.toMillis());
        s.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
        scheduler = s;
    }

    @Override
    public synchronized void stop() {
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            s.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
