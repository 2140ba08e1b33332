package dev.gatehouse.core.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.core.internal.OptionalLibrary;
import java.time.Duration;
import java.util.Objects;

/**
 * Caches another engine's evaluations in a bounded Caffeine cache with a time to live.
 *
 * <p>The key is the whole {@link AccessRequest}: subject id, roles and attributes, action, resource type,
 * id and attributes, tenant and context, compared deeply. One subject's decision therefore never answers
 * another's, nor the same subject's with other roles or in another tenant. Indeterminate results (errors,
 * timeouts) are never cached, so a recovering OPA is asked again at once. Policy changes become visible
 * after at most the TTL; call {@link #invalidateAll()} on reload. Put time-dependent context (e.g. "now")
 * in the request at the granularity the policy needs, or it defeats the cache.
 */
public final class CachingPolicyEngine implements PolicyEngine {

    private final PolicyEngine delegate;
    private final Cache<AccessRequest, Evaluation> cache;

    private CachingPolicyEngine(Builder b) {
        this.delegate = Objects.requireNonNull(b.delegate, "engine must be set");
        this.cache = Caffeine.newBuilder()
                .maximumSize(b.maximumSize)
                .expireAfterWrite(b.ttl)
                .ticker(b.ticker)
                .build();
    }

    /**
     * A builder: 10,000 entries, 60 seconds.
     *
     * @param delegate the engine whose evaluations to cache
     * @return the builder
     */
    public static Builder builder(PolicyEngine delegate) {
        if (!OptionalLibrary.CAFFEINE.isPresent()) {
            throw new PolicyException(
                    PolicyException.Reason.LIBRARY_MISSING,
                    OptionalLibrary.CAFFEINE.missingMessage("decision caches (CachingPolicyEngine)"));
        }
        return new Builder(delegate);
    }

    @Override
    public Evaluation evaluate(AccessRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        Evaluation cached = cache.getIfPresent(request);
        if (cached != null) {
            return cached;
        }
        Evaluation e = PolicyDecisionPoint.evaluateSafely(delegate, request);
        if (e.effect() != Evaluation.Effect.INDETERMINATE) {
            cache.put(request, e);
        }
        return e;
    }

    /** Drops every cached evaluation, e.g. after a policy reload. */
    public void invalidateAll() {
        cache.invalidateAll();
    }

    /**
     * Approximate number of cached evaluations.
     *
     * @return the size
     */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    @Override
    public String id() {
        return delegate.id();
    }

    /** Builds a {@link CachingPolicyEngine}. Not thread-safe. */
    public static final class Builder {
        private final PolicyEngine delegate;
        private long maximumSize = 10_000;
        private Duration ttl = Duration.ofSeconds(60);
        private Ticker ticker = Ticker.systemTicker();

        private Builder(PolicyEngine delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
        }

        /**
         * Maximum entries; default 10,000.
         *
         * @param maximumSize at least 1
         * @return this builder
         */
        public Builder maximumSize(long maximumSize) {
            if (maximumSize < 1) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "maximumSize must be at least 1");
            }
            this.maximumSize = maximumSize;
            return this;
        }

        /**
         * How long an evaluation is reused; default 60 seconds.
         *
         * @param ttl positive duration
         * @return this builder
         */
        public Builder ttl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl must not be null");
            if (ttl.isNegative() || ttl.isZero()) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "ttl must be positive");
            }
            this.ttl = ttl;
            return this;
        }

        /**
         * The time source for expiry, for tests; default the system ticker.
         *
         * @param ticker the ticker
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
            return this;
        }

        /**
         * Builds the engine.
         *
         * @return the engine
         */
        public CachingPolicyEngine build() {
            return new CachingPolicyEngine(this);
        }
    }
}
