package dev.gatehouse.server.ratelimit;

import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A wall clock (as PostgreSQL buckets require) that tests can move forward. */
final class MovableTimeMeter implements TimeMeter {

    private final AtomicLong offsetNanos = new AtomicLong();

    void advance(Duration by) {
        offsetNanos.addAndGet(by.toNanos());
    }

    @Override
    public long currentTimeNanos() {
        return System.currentTimeMillis() * 1_000_000L + offsetNanos.get();
    }

    @Override
    public boolean isWallClockBased() {
        return true;
    }
}
