package dev.gatehouse.core.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Verification keys fetched from an issuer's {@code jwks_uri}, cached, and refreshed when a token names an
 * unknown {@code kid} — at most once per {@link Builder#minRefreshInterval(Duration)}, so a flood of tokens
 * with bogus kids cannot make this node hammer the issuer. Only public keys are kept; redirects are not
 * followed; responses are size-bounded; fetches time out. If a refresh fails, keys already known keep
 * working (the issuer being briefly unreachable must not reject valid tokens); with no keys at all,
 * verification fails with {@link TokenException.Reason#JWKS_UNAVAILABLE}. Thread-safe.
 */
public final class RemoteJwks {

    private final URI uri;
    private final HttpClient http;
    private final Duration timeout;
    private final Duration cacheTtl;
    private final Duration minRefreshInterval;
    private final int maxResponseBytes;
    private final Clock clock;
    private final Predicate<URI> fetchAllowed;

    private volatile @Nullable JWKSet keys;
    private volatile Instant fetchedAt = Instant.MIN;
    private volatile Instant lastAttempt = Instant.MIN;
    private volatile int fetches;

    private RemoteJwks(Builder b) {
        this.uri = b.uri;
        this.timeout = b.timeout;
        this.cacheTtl = b.cacheTtl;
        this.minRefreshInterval = b.minRefreshInterval;
        this.maxResponseBytes = b.maxResponseBytes;
        this.clock = b.clock;
        this.fetchAllowed = b.fetchAllowed;
        this.http = HttpClient.newBuilder()
                .connectTimeout(b.timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * A builder for the JWKS at {@code uri}: https, or http only on a loopback host.
     *
     * @param uri the issuer's {@code jwks_uri}
     * @return a builder
     */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    /**
     * The key for {@code kid}, fetching the set when the cache is stale and once more (rate-limited) when the kid is
     * unknown. Package-private: the key is a Nimbus type, and callers reach it only through {@link TokenVerifier}.
     *
     * @param kid the token's key id, or null if it has none
     * @param algorithm the token's algorithm
     * @return the key, or null
     */
    @Nullable
    JWK find(@Nullable String kid, JwsAlgorithm algorithm) {
        Instant now = clock.instant();
        JWKSet current = keys;
        if (current == null || !fetchedAt.plus(cacheTtl).isAfter(now)) {
            current = refresh(now);
        }
        JWK key = select(current, kid, algorithm);
        if (key == null) {
            // Unknown kid: perhaps the issuer rotated. Refresh, but at most once per minRefreshInterval.
            key = select(refresh(now), kid, algorithm);
        }
        return key;
    }

    /**
     * How many HTTP fetches this source has made (for monitoring and tests).
     *
     * @return the count
     */
    public int fetchCount() {
        return fetches;
    }

    private static @Nullable JWK select(@Nullable JWKSet set, @Nullable String kid, JwsAlgorithm algorithm) {
        if (set == null) {
            return null;
        }
        if (kid != null) {
            return set.getKeyByKeyId(kid);
        }
        // No kid: only unambiguous when exactly one key of the algorithm's family is published.
        JWK only = null;
        for (JWK k : set.getKeys()) {
            if (KeyTypes.fits(k, algorithm)) {
                if (only != null) {
                    return null;
                }
                only = k;
            }
        }
        return only;
    }

    private synchronized JWKSet refresh(Instant now) {
        JWKSet current = keys;
        if (lastAttempt.plus(minRefreshInterval).isAfter(now)) {
            if (current == null) {
                throw unavailable("JWKS is unavailable (last fetch failed; retrying after the refresh interval)");
            }
            return current;
        }
        lastAttempt = now;
        try {
            JWKSet fetched = fetch();
            keys = fetched;
            fetchedAt = now;
            return fetched;
        } catch (TokenException e) {
            if (current == null) {
                throw e;
            }
            return current;
        }
    }

    private JWKSet fetch() {
        if (!fetchAllowed.test(uri)) {
            // Counted as a failed attempt (lastAttempt is set): refused again only after minRefreshInterval.
            throw unavailable("JWKS URL refused by the address policy");
        }
        fetches++;
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/jwk-set+json, application/json")
                .GET()
                .build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw unavailable("JWKS endpoint answered HTTP " + response.statusCode());
                }
                byte[] bytes = body.readNBytes(maxResponseBytes + 1);
                if (bytes.length > maxResponseBytes) {
                    throw unavailable("JWKS response is larger than " + maxResponseBytes + " bytes");
                }
                return JWKSet.parse(new String(bytes, StandardCharsets.UTF_8)).toPublicJWKSet();
            }
        } catch (IOException e) {
            throw unavailable("JWKS could not be fetched from " + uri + ": "
                    + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while fetching the JWKS");
        } catch (ParseException e) {
            throw unavailable("JWKS from " + uri + " is not a valid JWK Set");
        }
    }

    private static TokenException unavailable(String message) {
        return new TokenException(TokenException.Reason.JWKS_UNAVAILABLE, message);
    }

    @Override
    public String toString() {
        return "RemoteJwks[" + uri + "]";
    }

    /** Builds a {@link RemoteJwks}. */
    public static final class Builder {
        private final URI uri;
        private Duration timeout = Duration.ofSeconds(5);
        private Duration cacheTtl = Duration.ofMinutes(5);
        private Duration minRefreshInterval = Duration.ofSeconds(30);
        private int maxResponseBytes = 512 * 1024;
        private Clock clock = Clock.systemUTC();
        private Predicate<URI> fetchAllowed = u -> true;

        private Builder(URI uri) {
            this.uri = Objects.requireNonNull(uri, "uri must not be null");
            String host = uri.getHost();
            boolean loopback = "localhost".equals(host) || "127.0.0.1".equals(host) || "[::1]".equals(host);
            if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
                throw new TokenException(
                        TokenException.Reason.INVALID_KEY, "a JWKS URL must be https (http only on a loopback host)");
            }
        }

        /**
         * Connect and request timeout; default 5 seconds.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout);
            return this;
        }

        /**
         * How long fetched keys are used before a routine refresh; default 5 minutes.
         *
         * @param cacheTtl positive
         * @return this builder
         */
        public Builder cacheTtl(Duration cacheTtl) {
            this.cacheTtl = positive(cacheTtl);
            return this;
        }

        /**
         * Least time between two fetches triggered by unknown kids; default 30 seconds.
         *
         * @param minRefreshInterval positive
         * @return this builder
         */
        public Builder minRefreshInterval(Duration minRefreshInterval) {
            this.minRefreshInterval = positive(minRefreshInterval);
            return this;
        }

        /**
         * Largest JWKS response accepted; default 512 KiB.
         *
         * @param maxResponseBytes at least 1 KiB
         * @return this builder
         */
        public Builder maxResponseBytes(int maxResponseBytes) {
            if (maxResponseBytes < 1024) {
                throw new TokenException(TokenException.Reason.INVALID_KEY, "maxResponseBytes must be at least 1024");
            }
            this.maxResponseBytes = maxResponseBytes;
            return this;
        }

        /**
         * The clock for cache expiry; default UTC.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * A check run before each fetch (an address policy: for instance that the host resolves only to public
         * addresses); a fetch it refuses fails like an unreachable endpoint. Default: every fetch allowed.
         *
         * @param allowed true when the URL may be fetched now
         * @return this builder
         */
        public Builder fetchAllowed(Predicate<URI> allowed) {
            this.fetchAllowed = Objects.requireNonNull(allowed, "allowed must not be null");
            return this;
        }

        /**
         * Builds the source. Nothing is fetched until the first verification.
         *
         * @return the source
         */
        public RemoteJwks build() {
            return new RemoteJwks(this);
        }

        private static Duration positive(Duration d) {
            Objects.requireNonNull(d, "duration must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new TokenException(TokenException.Reason.INVALID_KEY, "durations must be positive");
            }
            return d;
        }
    }
}
