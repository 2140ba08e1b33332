package dev.gatehouse.server.maintenance;

import dev.gatehouse.core.jwt.KeyRing;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Keeps the key ring current on a schedule: rotates when due (the ring's compare-and-set makes several nodes rotate
 * once). When rotation is due is the ring's policy, {@code gatehouse.token.rotate-every} / {@code prepublish} / {@code
 * retire-after}, and a NEXT key signs only after it has also been published for the ring's publication delay; how
 * often it is checked, {@code gatehouse.token.rotation-check-interval}. Rotations made by other nodes reach this one
 * much sooner than this check: the keys package's poller reads the ring's version every {@code
 * gatehouse.token.key-poll-interval} (1 s).
 */
final class KeyRotation {

    private static final Logger log = LoggerFactory.getLogger(KeyRotation.class);

    private final KeyRing ring;

    /**
     * Creates the job.
     *
     * @param ring the key ring
     */
    public KeyRotation(KeyRing ring) {
        this.ring = Objects.requireNonNull(ring, "ring must not be null");
    }

    /** Rotates if due; otherwise refreshes from the database. */
    @Scheduled(
            fixedDelayString = "${gatehouse.token.rotation-check-interval:10m}",
            initialDelayString = "${gatehouse.token.rotation-check-interval:10m}")
    public void rotateIfDue() {
        try {
            if (ring.rotateIfDue()) {
                log.info(
                        "signing keys rotated: active key is now {}",
                        ring.activeKey().kid());
            }
        } catch (RuntimeException e) {
            // Keep signing with the current key; the next run retries.
            log.error("key rotation failed", e);
        }
    }
}
