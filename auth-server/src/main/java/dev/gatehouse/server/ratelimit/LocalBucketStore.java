package dev.gatehouse.server.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Objects;

/**
 * Buckets in memory on this node, in a bounded Caffeine cache: the embedded H2 database means one node, so nothing
 * needs sharing and a request costs no database round trip. A bucket left alone for its whole period has refilled
 * completely, so it is dropped then (a new full bucket is the same); the size bound only matters under a flood of
 * distinct keys, where Caffeine's admission policy keeps the busy (attacking) keys and drops the one-off ones.
 */
final class LocalBucketStore implements BucketStore {

    private final Cache<Long, Entry> buckets;
    private final TimeMeter time;

    LocalBucketStore(TimeMeter time, int maxKeys) {
        this.time = Objects.requireNonNull(time, "time must not be null");
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfter(Expiry.accessing((Long key, Entry entry) -> entry.keep()))
                .ticker(time::currentTimeNanos)
                .build();
    }

    @Override
    public ConsumptionProbe tryConsume(long key, Limit limit) {
        Entry entry = buckets.get(
                key,
                k -> new Entry(
                        Bucket.builder()
                                .addLimit(BucketStore.configuration(limit).getBandwidths()[0])
                                .withCustomTimePrecision(time)
                                .build(),
                        limit.period()));
        return entry.bucket().tryConsumeAndReturnRemaining(1);
    }

    private record Entry(Bucket bucket, Duration keep) {}
}
