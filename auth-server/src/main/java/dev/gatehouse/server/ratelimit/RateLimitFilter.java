package dev.gatehouse.server.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditLog;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses requests over a rate limit before Spring Security and Spring Authorization Server do any work on them
 * (registered right after {@code ProtocolRequestGuard}).
 *
 * <p>Over a limit: {@code 429 Too Many Requests} (RFC 6585 §4) with {@code Retry-After} in whole seconds, rounded up
 * (RFC 9110 §10.2.3), {@code Cache-Control: no-store}, and an RFC 6749 §5.2-shaped JSON body
 * {@code {"error":"temporarily_unavailable",...}} (the error code of RFC 6749 §4.1.2.1), the same on every limited
 * endpoint: OAuth clients already parse that shape. The body is a constant; nothing from the request is echoed. An
 * authorization request is answered directly, never redirected: its {@code redirect_uri} has not been validated. If
 * the bucket store fails, the request is refused with {@code 503} and the same body.
 *
 * <p>Each refusal is recorded as a {@code ratelimit.exceeded} audit event, at most once per bucket per period on
 * this node, so a flood cannot flood the audit log. Every refusal is counted in {@value #REFUSALS} (tags {@code group}:
 * the {@link EndpointGroup} id; {@code reason}: {@code limited} for a 429, {@code store_unavailable} for a 503 because
 * the bucket store failed), each series registered at 0 when the filter is made, so a dashboard or an alert rule sees
 * every group from the start.
 *
 * <p>The filter runs before Spring Security's {@code CorsFilter}, so a refusal carries the CORS answer itself: for an
 * {@code Origin} the endpoint's CORS configuration allows, {@code Access-Control-Allow-Origin}, {@code Vary: Origin}
 * and {@code Access-Control-Expose-Headers: Retry-After} (Fetch standard §3.2.3), so that a browser client (a public
 * SPA, an MCP page registering itself) can read the {@code 429} and when to retry instead of an opaque network error.
 * Any other origin gets no CORS header, as from Spring Security.
 */
final class RateLimitFilter extends OncePerRequestFilter {

    private static final byte[] TOO_MANY = ("{\"error\":\"temporarily_unavailable\","
                    + "\"error_description\":\"Too many requests; retry later.\"}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] UNAVAILABLE = ("{\"error\":\"temporarily_unavailable\","
                    + "\"error_description\":\"Service temporarily unavailable; retry later.\"}")
            .getBytes(StandardCharsets.UTF_8);
    private static final int MAX_AUDITED_CLIENT_ID = 100;

    /** The refusal counter's name; Prometheus: {@code gatehouse_ratelimit_refusals_total}. */
    static final String REFUSALS = "gatehouse.ratelimit.refusals";

    private final RateLimiter limiter;
    private final Predicate<String> registeredClient;
    private final AuditLog audit;
    private final Cache<Long, Duration> audited;
    private final CorsConfigurationSource cors;
    /** Refusal counters by {@link EndpointGroup#ordinal()}: over the limit, and bucket store failed. */
    private final Counter[] overLimit = new Counter[EndpointGroup.values().length];

    private final Counter[] storeUnavailable = new Counter[EndpointGroup.values().length];

    RateLimitFilter(
            RateLimiter limiter,
            AuditLog audit,
            TimeMeter time,
            int maxKeys,
            Predicate<String> registeredClient,
            CorsConfigurationSource cors,
            MeterRegistry meters) {
        this.limiter = Objects.requireNonNull(limiter, "limiter must not be null");
        this.cors = Objects.requireNonNull(cors, "cors must not be null");
        Objects.requireNonNull(meters, "meters must not be null");
        for (EndpointGroup group : EndpointGroup.values()) {
            overLimit[group.ordinal()] = refusals(meters, group, "limited");
            storeUnavailable[group.ordinal()] = refusals(meters, group, "store_unavailable");
        }
        this.registeredClient = Objects.requireNonNull(registeredClient, "registeredClient must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        Objects.requireNonNull(time, "time must not be null");
        this.audited = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfter(Expiry.creating((Long key, Duration window) -> window))
                .ticker(time::currentTimeNanos)
                .build();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        EndpointGroup.Match match = EndpointGroup.match(request);
        if (match == null) {
            chain.doFilter(request, response);
            return;
        }
        String address = RateLimitKeys.address(request.getRemoteAddr());
        // The client id is parsed only if the address is within its limit (getParameter may read the body).
        ClientIdOnce clientId = new ClientIdOnce(request, registeredClient);
        RateLimitDecision decision = limiter.check(match.group(), address, clientId::get);
        if (decision instanceof RateLimitDecision.Allowed) {
            chain.doFilter(request, response);
        } else if (decision instanceof RateLimitDecision.Limited over) {
            overLimit[match.group().ordinal()].increment();
            auditOnce(over, match, address, clientId.value);
            allowOrigin(request, response);
            refuse(response, 429, retryAfterSeconds(over.retryAfter()), TOO_MANY);
        } else {
            // Unavailable, or anything added later: refused (fail closed).
            storeUnavailable[match.group().ordinal()].increment();
            allowOrigin(request, response);
            refuse(response, 503, 1, UNAVAILABLE);
        }
    }

    private static Counter refusals(MeterRegistry meters, EndpointGroup group, String reason) {
        return Counter.builder(REFUSALS)
                .description("Requests refused by the rate limits, by endpoint group and reason")
                .tag("group", group.id())
                .tag("reason", reason)
                .register(meters);
    }

    /** The CORS headers of an actual (not preflight) request, for an origin the endpoint allows; none otherwise. */
    private void allowOrigin(HttpServletRequest request, HttpServletResponse response) {
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return;
        }
        CorsConfiguration configuration = cors.getCorsConfiguration(request);
        String allowed = configuration == null ? null : configuration.checkOrigin(origin);
        response.addHeader("Vary", "Origin");
        if (allowed == null) {
            return;
        }
        response.setHeader("Access-Control-Allow-Origin", allowed);
        response.setHeader("Access-Control-Expose-Headers", "Retry-After");
    }

    /** Whole seconds, rounded up, at least 1 (RFC 9110 §10.2.3: {@code Retry-After: delay-seconds}). */
    static long retryAfterSeconds(Duration wait) {
        long nanos = Math.max(wait.toNanos(), 1);
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    private void auditOnce(
            RateLimitDecision.Limited limited, EndpointGroup.Match match, String address, @Nullable String clientId) {
        if (audited.asMap().putIfAbsent(limited.key(), limited.limit().period()) != null) {
            return;
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("endpoint", match.endpoint());
        details.put("limit_key", limited.kind().id());
        details.put("limit", limited.limit().toString());
        details.put("address", address);
        if (limited.kind() == RateLimitDecision.KeyKind.CLIENT && clientId != null) {
            // Claimed, not authenticated; printable ASCII only so it cannot forge log lines.
            details.put("claimed_client_id", printable(clientId));
        }
        audit.record(new AuditEvent("ratelimit.exceeded", AuditEvent.DENIED, null, null, details));
    }

    private static void refuse(HttpServletResponse response, int status, long retryAfter, byte[] body)
            throws IOException {
        response.setStatus(status);
        response.setHeader("Retry-After", Long.toString(retryAfter));
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_AUDITED_CLIENT_ID));
        for (int i = 0; i < s.length() && out.length() < MAX_AUDITED_CLIENT_ID; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x21 && c <= 0x7e ? c : '?');
        }
        return out.toString();
    }

    /**
     * Extracts the client id at most once, on demand, and remembers it for the audit event. Only the id of a
     * registered client counts: a made-up id gets no bucket of its own (it would cost a bucket, in PostgreSQL a row,
     * per invented id), so such requests are limited by their address alone.
     */
    private static final class ClientIdOnce {
        private final HttpServletRequest request;
        private final Predicate<String> registered;
        private boolean extracted;
        private @Nullable String value;

        ClientIdOnce(HttpServletRequest request, Predicate<String> registered) {
            this.request = request;
            this.registered = registered;
        }

        @Nullable
        String get() {
            if (!extracted) {
                String claimed = RateLimitKeys.clientId(request);
                value = claimed != null && registered.test(claimed) ? claimed : null;
                extracted = true;
            }
            return value;
        }
    }
}
