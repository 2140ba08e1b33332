package dev.gatehouse.server.ratelimit;

import java.time.Duration;

/** The outcome of a rate-limit check. Anything but {@link Allowed} refuses the request. */
sealed interface RateLimitDecision {

    /** Within every limit. */
    record Allowed() implements RateLimitDecision {
        static final Allowed INSTANCE = new Allowed();
    }

    /**
     * Over a limit.
     *
     * @param kind which bucket was empty
     * @param key that bucket's key (for one audit event per bucket and period)
     * @param limit that bucket's limit
     * @param retryAfter how long until the bucket has a token again
     */
    record Limited(KeyKind kind, long key, Limit limit, Duration retryAfter) implements RateLimitDecision {}

    /**
     * The bucket store failed (e.g. PostgreSQL unreachable or the row lock not granted in time). Refused: an
     * unanswered check is not a pass.
     */
    record Unavailable() implements RateLimitDecision {
        static final Unavailable INSTANCE = new Unavailable();
    }

    /** What a bucket counts. */
    enum KeyKind {
        /** The client address (IPv6: its /64). */
        ADDRESS("address"),
        /** The client id the request claims. */
        CLIENT("client");

        private final String id;

        KeyKind(String id) {
            this.id = id;
        }

        /** The kind's name in audit events and bucket keys. */
        String id() {
            return id;
        }
    }
}
