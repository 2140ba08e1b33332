package dev.gatehouse.server.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;

/** Where token buckets live: in memory on this node, or in PostgreSQL shared by every node. */
sealed interface BucketStore permits LocalBucketStore, PostgresBucketStore {

    /**
     * Takes one token from the bucket {@code key}, creating it full with {@code limit} if it does not exist.
     *
     * @param key the bucket (a hash of what is limited and the limit itself, see {@link RateLimiter})
     * @param limit the bucket's capacity and refill
     * @return whether a token was taken and, if not, how long until one is refilled
     * @throws RuntimeException when the store cannot be reached (the caller refuses the request)
     */
    ConsumptionProbe tryConsume(long key, Limit limit);

    /** Bucket4j's configuration of a limit: {@code capacity} tokens, refilled greedily over {@code period}. */
    static BucketConfiguration configuration(Limit limit) {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(limit.capacity())
                        .refillGreedy(limit.capacity(), limit.period())
                        .build())
                .build();
    }
}
