package dev.gatehouse.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.audit.AuditEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

class RateLimitFilterTests {

    private final MovableTimeMeter time = new MovableTimeMeter();
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void retryAfterSecondsWhenFractionThenRoundedUp() {
        assertThat(RateLimitFilter.retryAfterSeconds(Duration.ZERO)).isEqualTo(1);
        assertThat(RateLimitFilter.retryAfterSeconds(Duration.ofNanos(1))).isEqualTo(1);
        assertThat(RateLimitFilter.retryAfterSeconds(Duration.ofSeconds(1))).isEqualTo(1);
        assertThat(RateLimitFilter.retryAfterSeconds(Duration.ofMillis(1001))).isEqualTo(2);
        assertThat(RateLimitFilter.retryAfterSeconds(Duration.ofSeconds(59).plusNanos(1)))
                .isEqualTo(60);
    }

    @Test
    void filterWhenOverLimitThen429AndChainNotCalled() throws Exception {
        RateLimitFilter filter =
                filter(new LocalBucketStore(time, 100), "gatehouse.server.rate-limit.token-per-address", "1/1m");
        assertThat(run(filter, token()).getStatus()).isEqualTo(200);
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse refused = new MockHttpServletResponse();
        filter.doFilter(token(), refused, chain);
        assertThat(refused.getStatus()).isEqualTo(429);
        assertThat(chain.getRequest()).isNull();
        assertThat(refused.getHeader("Retry-After")).isEqualTo("60");
        assertThat(audit.events()).singleElement().extracting(AuditEvent::type).isEqualTo("ratelimit.exceeded");
    }

    @Test
    void filterWhenRefusedThenCountedByGroupEveryTimeThoughAuditedOnce() throws Exception {
        RateLimitFilter filter =
                filter(new LocalBucketStore(time, 100), "gatehouse.server.rate-limit.token-per-address", "1/1m");
        // Every group and reason is there before the first refusal, at 0.
        assertThat(meters.get(RateLimitFilter.REFUSALS).counters()).hasSize(EndpointGroup.values().length * 2);
        assertThat(refusals("token", "limited")).isZero();
        run(filter, token());
        run(filter, token());
        run(filter, token());

        assertThat(refusals("token", "limited")).isEqualTo(2);
        assertThat(refusals("login", "limited")).isZero();
        assertThat(refusals("token", "store_unavailable")).isZero();
        assertThat(audit.events()).hasSize(1);
    }

    @Test
    void filterWhenPathNotLimitedThenPassesWithoutCounting() throws Exception {
        RateLimitFilter filter =
                filter(new LocalBucketStore(time, 100), "gatehouse.server.rate-limit.token-per-address", "1/1m");
        for (int i = 0; i < 3; i++) {
            assertThat(run(filter, new MockHttpServletRequest("GET", "/oauth2/jwks"))
                            .getStatus())
                    .isEqualTo(200);
            assertThat(run(filter, new MockHttpServletRequest("GET", "/login")).getStatus())
                    .isEqualTo(200);
            assertThat(run(filter, new MockHttpServletRequest("OPTIONS", "/oauth2/token"))
                            .getStatus())
                    .isEqualTo(200);
        }
        assertThat(run(filter, token()).getStatus()).isEqualTo(200);
    }

    @Test
    void filterWhenClientIdRegisteredThenItsBucketSpansAddressesAndWhenMadeUpThenAddressOnly() throws Exception {
        RateLimitFilter filter =
                filter(new LocalBucketStore(time, 100), "gatehouse.server.rate-limit.token-per-client", "1/1m");
        assertThat(run(filter, token("192.0.2.1", "registered-app")).getStatus())
                .isEqualTo(200);
        // The registered client's bucket is spent, whichever address asks next.
        assertThat(run(filter, token("192.0.2.2", "registered-app")).getStatus())
                .isEqualTo(429);
        // Invented ids get no bucket (nor a stored row): each request counts against its address alone.
        for (int i = 0; i < 5; i++) {
            assertThat(run(filter, token("192.0.2.3", "made-up-" + i)).getStatus())
                    .isEqualTo(200);
            assertThat(run(filter, token("192.0.2.4", "made-up")).getStatus()).isEqualTo(200);
        }
    }

    @Test
    void filterWhenAccountPostsOverLimitThen429AndAccountPagesNeverCounted() throws Exception {
        RateLimitFilter filter =
                filter(new LocalBucketStore(time, 100), "gatehouse.server.rate-limit.account-per-address", "2/1m");
        for (int i = 0; i < 3; i++) {
            assertThat(run(filter, account("GET", "/account/sessions")).getStatus())
                    .isEqualTo(200);
        }
        assertThat(run(filter, account("POST", "/account/password")).getStatus())
                .isEqualTo(200);
        assertThat(run(filter, account("POST", "/account/sessions/end")).getStatus())
                .isEqualTo(200);
        // One bucket for every account post, whatever its spelling.
        assertThat(run(filter, account("POST", "/account/%74wo-step/remove")).getStatus())
                .isEqualTo(429);
        assertThat(run(filter, account("POST", "/accountant")).getStatus()).isEqualTo(200);
        assertThat(audit.events())
                .singleElement()
                .satisfies(e -> assertThat(e.details()).containsEntry("endpoint", "/account"));
    }

    @Test
    void filterWhenPasskeySignInPostsThenCountedInTheSignInBucketWithThePasswordForm() throws Exception {
        RateLimitFilter filter =
                filter(new LocalBucketStore(time, 100), "gatehouse.server.rate-limit.login-per-address", "3/1m");
        assertThat(run(filter, account("POST", "/webauthn/authenticate/options"))
                        .getStatus())
                .isEqualTo(200);
        assertThat(run(filter, account("POST", "/login/webauthn")).getStatus()).isEqualTo(200);
        assertThat(run(filter, account("POST", "/login")).getStatus()).isEqualTo(200);
        // The passkey sign-in posts and the password form share one bucket: no second allowance of attempts.
        assertThat(run(filter, account("POST", "/login/%77ebauthn")).getStatus())
                .isEqualTo(429);
        assertThat(run(filter, account("GET", "/login/webauthn")).getStatus()).isEqualTo(200);
        assertThat(audit.events())
                .singleElement()
                .satisfies(e -> assertThat(e.details()).containsEntry("endpoint", "/login/webauthn"));
    }

    private static MockHttpServletRequest account(String method, String path) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.setRemoteAddr("192.0.2.7");
        return request;
    }

    @Test
    void filterWhenStoreUnreachableThen503NotAllowed() throws Exception {
        // Nothing listens on port 1: every bucket update fails. An unanswered check refuses the request.
        DriverManagerDataSource unreachable = new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none");
        RateLimitFilter filter = filter(
                new PostgresBucketStore(unreachable, time, Duration.ofSeconds(1), 100),
                "gatehouse.server.rate-limit.token-per-address",
                "100/1m");
        MockHttpServletResponse response = run(filter, token());
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
        assertThat(response.getHeader("Retry-After")).isEqualTo("1");
        assertThat(response.getContentAsString()).contains("\"error\":\"temporarily_unavailable\"");
        assertThat(refusals("token", "store_unavailable")).isEqualTo(1);
    }

    private double refusals(String group, String reason) {
        return meters.get(RateLimitFilter.REFUSALS)
                .tag("group", group)
                .tag("reason", reason)
                .counter()
                .count();
    }

    private RateLimitFilter filter(BucketStore store, String property, String value) {
        RateLimitProperties properties = new Binder(
                        new MapConfigurationPropertySource(java.util.Map.of(property, value)))
                .bindOrCreate("gatehouse.server.rate-limit", RateLimitProperties.class);
        return new RateLimitFilter(
                new RateLimiter(store, properties), audit, time, 100, id -> id.startsWith("registered-"), CORS, meters);
    }

    /** The token endpoint allows one browser origin, as {@code gatehouse.server.cors-allowed-origins} would. */
    private static final CorsConfigurationSource CORS = cors();

    private static CorsConfigurationSource cors() {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(java.util.List.of("https://spa.example.test"));
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/oauth2/token", cors);
        return source;
    }

    @Test
    void filterWhenOverLimitFromAllowedOriginThenBrowserMayReadTheRefusalAndRetryAfter() throws Exception {
        RateLimitFilter filter =
                filter(new LocalBucketStore(time, 100), "gatehouse.server.rate-limit.token-per-address", "1/1m");
        run(filter, token());
        MockHttpServletRequest allowed = token();
        allowed.addHeader("Origin", "https://spa.example.test");
        MockHttpServletRequest other = token();
        other.addHeader("Origin", "https://evil.example.test");

        MockHttpServletResponse fromAllowed = run(filter, allowed);
        MockHttpServletResponse fromOther = run(filter, other);
        MockHttpServletResponse fromNoBrowser = run(filter, token());

        assertThat(fromAllowed.getStatus()).isEqualTo(429);
        assertThat(fromAllowed.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://spa.example.test");
        assertThat(fromAllowed.getHeader("Access-Control-Expose-Headers")).isEqualTo("Retry-After");
        assertThat(fromAllowed.getHeaders("Vary")).contains("Origin");
        assertThat(fromOther.getStatus()).isEqualTo(429);
        assertThat(fromOther.getHeader("Access-Control-Allow-Origin")).isNull();
        assertThat(fromOther.getHeaders("Vary")).contains("Origin");
        assertThat(fromNoBrowser.getHeaderNames()).doesNotContain("Access-Control-Allow-Origin", "Vary");
    }

    private static MockHttpServletRequest token(String address, String clientId) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/oauth2/token");
        request.setRemoteAddr(address);
        request.setParameter("client_id", clientId);
        return request;
    }

    private static MockHttpServletRequest token() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/oauth2/token");
        request.setRemoteAddr("192.0.2.1");
        return request;
    }

    private static MockHttpServletResponse run(RateLimitFilter filter, MockHttpServletRequest request)
            throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, new MockFilterChain());
        return response;
    }
}
