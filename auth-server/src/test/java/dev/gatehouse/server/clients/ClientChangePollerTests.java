package dev.gatehouse.server.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The staleness logic, on a movable clock; polls are driven by calling {@link ClientChangePoller#poll()}. */
class ClientChangePollerTests {

    private static final Duration INTERVAL = Duration.ofMillis(250);
    private static final Duration BOUND = Duration.ofMillis(750);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AtomicLong epoch = new AtomicLong(7);
    private final AtomicInteger clears = new AtomicInteger();
    private volatile boolean databaseDown;
    private final LongSupplier readEpoch = () -> {
        if (databaseDown) {
            throw new IllegalStateException("connection refused");
        }
        return epoch.get();
    };
    private final ClientChangePoller poller =
            new ClientChangePoller(readEpoch, clears::incrementAndGet, INTERVAL, BOUND, now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void isFreshWhenNeverPolledThenFalse() {
        assertThat(poller.isFresh()).isFalse();
    }

    @Test
    void pollWhenFirstReadThenClearsAndVouches() {
        poller.poll();
        assertThat(clears).hasValue(1);
        assertThat(poller.isFresh()).isTrue();
    }

    @Test
    void pollWhenEpochUnchangedThenCacheKept() {
        poller.poll();
        advance(INTERVAL);
        poller.poll();
        assertThat(clears).hasValue(1);
        assertThat(poller.isFresh()).isTrue();
    }

    @Test
    void pollWhenEpochMovedThenCacheCleared() {
        poller.poll();
        epoch.incrementAndGet();
        advance(INTERVAL);
        poller.poll();
        assertThat(clears).hasValue(2);
    }

    @Test
    void pollWhenEpochWentBackwardsThenCacheCleared() {
        poller.poll();
        epoch.set(3); // e.g. a restored backup
        poller.poll();
        assertThat(clears).hasValue(2);
    }

    @Test
    void isFreshWhenLastSuccessOlderThanBoundThenFalse() {
        poller.poll();
        advance(BOUND);
        assertThat(poller.isFresh()).isTrue();
        advance(Duration.ofNanos(1));
        assertThat(poller.isFresh()).isFalse();
    }

    @Test
    void pollWhenDatabaseDownThenStopsVouchingOnceBoundPasses() {
        poller.poll();
        databaseDown = true;
        advance(Duration.ofMillis(500));
        poller.poll();
        assertThat(poller.isFresh()).isTrue(); // the last success is 500 ms old
        advance(Duration.ofMillis(251));
        poller.poll();
        assertThat(poller.isFresh()).isFalse();
        assertThat(clears).hasValue(1);

        databaseDown = false;
        epoch.incrementAndGet();
        poller.poll();
        assertThat(clears).hasValue(2);
        assertThat(poller.isFresh()).isTrue();
    }

    @Test
    void pollWhenReadIsSlowThenVouchesFromItsStartNotItsEnd() {
        // A read that took 600 ms saw the database as it was when the read began: the cache is vouched for as of
        // then, so it is trusted for 150 ms more, not 750.
        ClientChangePoller slow = new ClientChangePoller(
                () -> {
                    long value = epoch.get();
                    advance(Duration.ofMillis(600));
                    return value;
                },
                clears::incrementAndGet,
                INTERVAL,
                BOUND,
                now::get);
        slow.poll();
        advance(Duration.ofMillis(150));
        assertThat(slow.isFresh()).isTrue();
        advance(Duration.ofNanos(1));
        assertThat(slow.isFresh()).isFalse();
    }

    @Test
    void pollWhenClearFailsThenDoesNotVouch() {
        ClientChangePoller failing = new ClientChangePoller(
                readEpoch,
                () -> {
                    throw new IllegalStateException("boom");
                },
                INTERVAL,
                BOUND,
                now::get);
        try {
            failing.poll();
        } catch (IllegalStateException expected) {
            // the scheduled task logs it and keeps polling
        }
        assertThat(failing.isFresh()).isFalse();
    }

    @Test
    void stopWhenStoppedThenNotFreshAndRestartable() {
        poller.start();
        assertThat(poller.isRunning()).isTrue();
        poller.stop();
        assertThat(poller.isRunning()).isFalse();
        assertThat(poller.isFresh()).isFalse(); // whatever its thread polled, a stopped poller vouches for nothing
        poller.start();
        assertThat(poller.isRunning()).isTrue();
        poller.stop();
    }

    @Test
    void constructorWhenIntervalNotShorterThanBoundThenRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ClientChangePoller(readEpoch, () -> {}, BOUND, BOUND, now::get))
                .withMessageContaining("client-cache-poll-interval");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ClientChangePoller(readEpoch, () -> {}, Duration.ZERO, BOUND, now::get));
    }
}
