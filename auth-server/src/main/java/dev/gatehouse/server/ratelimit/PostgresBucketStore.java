package dev.gatehouse.server.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Buckets in PostgreSQL ({@code gh_rate_limit_bucket}, migration {@code V3__rate_limits.sql}), so every node sharing
 * the database draws from the same bucket. Bucket4j's {@code SELECT ... FOR UPDATE} proxy manager: each check is one
 * short transaction (select with row lock, update, commit; an insert the first time). Rows carry {@code expires_at}
 * (when the bucket would be full again, plus a minute) and {@link #removeExpired(int)} deletes the stale ones.
 *
 * <p>Cost: a hot key (many requests from one address or for one client) would serialise every request on one row
 * lock. Each node therefore keeps one {@link Bucket} proxy per key with Bucket4j's <em>batching</em> optimisation:
 * requests that arrive while a transaction for that key is in flight are merged into the next single transaction.
 * Unlike the delaying/predicting optimisations it never lets a node spend tokens it has not taken from the database,
 * so the limit stays exact across nodes.
 */
final class PostgresBucketStore implements BucketStore {

    /** The table of {@code V3__rate_limits.sql}. */
    static final String TABLE = "gh_rate_limit_bucket";

    /** Rows stay this long after their bucket would be full again, then {@link #removeExpired(int)} may delete them. */
    static final Duration KEEP_AFTER_REFILL = Duration.ofMinutes(1);

    private final PostgreSQLSelectForUpdateBasedProxyManager<Long> proxies;
    private final Cache<Long, Entry> open;

    PostgresBucketStore(DataSource dataSource, TimeMeter time, Duration timeout, int maxKeys) {
        Objects.requireNonNull(dataSource, "dataSource must not be null");
        Objects.requireNonNull(time, "time must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        // The clock must be a wall clock: the buckets' timestamps are compared across nodes (keep them NTP-synced).
        this.proxies = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .table(TABLE)
                .clientClock(time)
                .requestTimeout(timeout)
                .expirationAfterWrite(
                        ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_REFILL))
                .build();
        this.open = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfter(Expiry.accessing((Long key, Entry entry) -> entry.keep()))
                .ticker(time::currentTimeNanos)
                .build();
    }

    @Override
    public ConsumptionProbe tryConsume(long key, Limit limit) {
        Entry entry = open.get(
                key,
                k -> new Entry(
                        proxies.builder()
                                .withOptimization(Optimizations.batching())
                                .build(k, () -> BucketStore.configuration(limit)),
                        limit.period()));
        return entry.bucket().tryConsumeAndReturnRemaining(1);
    }

    /**
     * Deletes up to {@code batchSize} rows whose buckets have been full for a while.
     *
     * @param batchSize the most rows to delete
     * @return how many were deleted
     */
    int removeExpired(int batchSize) {
        return proxies.removeExpired(batchSize);
    }

    private record Entry(Bucket bucket, Duration keep) {}
}
