package dev.gatehouse.server.observability;

import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.server.tokens.StoredAccessTokens;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.spring.autoconfigure.BearerChallenge;
import dev.gatehouse.spring.autoconfigure.GatehouseProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Actuator endpoints and their security. {@code /actuator/health} (and its probes) is public and shows the status
 * only; its components and details, {@code /actuator/prometheus} and any other exposed endpoint need a bearer access
 * token from this server carrying the {@value #SCOPE} scope (a monitoring client using client credentials; Prometheus
 * can fetch such tokens itself with its {@code oauth2} scrape setting). The chain comes before the sign-in chain and
 * keeps no session.
 *
 * <p>Also the meters the dashboard and the alert rules read beyond those of the audit trail and the rate limits
 * ({@code ops/grafana/gatehouse.json}, {@code ops/prometheus/gatehouse-alerts.yml}): OAuth error responses by endpoint
 * and code ({@link OAuthErrorMetricsFilter}), the active key's age against the rotation period and whether the
 * database answers ({@link OperationsMeters}).
 */
@Configuration(proxyBeanMethods = false)
class ObservabilityConfiguration {

    /** The scope a monitoring client needs for metrics and health details. */
    static final String SCOPE = "actuator.read";

    /**
     * No Spring Security observations (a span around every filter of every chain, and around each authentication and
     * authorization): on the token endpoint they cost more CPU than the audit trail and the metrics together
     * (JFR under load, benchmarks/server-load/README-server.md). Request metrics stay: Boot's
     * {@code http.server.requests} timer (by URI template and status) still measures every endpoint.
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    KeyRingHealthIndicator keyRingHealthIndicator(KeyRing ring, Clock clock) {
        return new KeyRingHealthIndicator(ring, clock);
    }

    @Bean
    OperationsMeters operationsMeters(KeyRing ring, Clock clock, GatehouseProperties starter, DataSource dataSource) {
        return new OperationsMeters(ring, clock, starter.token().rotateEvery(), dataSource);
    }

    /**
     * OAuth error responses counted by endpoint and code, just before Spring Security's filter chain (whose endpoints
     * write them), after the rate limits and the request guards.
     */
    @Bean
    FilterRegistrationBean<OAuthErrorMetricsFilter> oauthErrorMetricsFilter(ObjectProvider<MeterRegistry> meters) {
        FilterRegistrationBean<OAuthErrorMetricsFilter> registration = new FilterRegistrationBean<>(
                new OAuthErrorMetricsFilter(meters.getIfAvailable(SimpleMeterRegistry::new)));
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 2);
        return registration;
    }

    @Bean
    @Order(0)
    SecurityFilterChain actuatorChain(HttpSecurity http, OAuth2AuthorizationService authorizations, JdbcUserStore users)
            throws Exception {
        // Beyond the signature: a revoked, DPoP-bound or disabled user's token is refused here as at the admin API.
        StoredAccessTokens stored = new StoredAccessTokens(authorizations, users);
        JwtGrantedAuthoritiesConverter scopes = new JwtGrantedAuthoritiesConverter();
        Converter<Jwt, AbstractAuthenticationToken> converter = jwt -> {
            stored.requireActive(jwt);
            return new JwtAuthenticationToken(jwt, scopes.convert(jwt), jwt.getSubject());
        };
        http.securityMatcher("/actuator/**")
                .authorizeHttpRequests(authorize -> authorize
                        .requestMatchers("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")
                        .permitAll()
                        .anyRequest()
                        .hasAuthority("SCOPE_" + SCOPE))
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .jwt(jwt -> jwt.jwtAuthenticationConverter(converter))
                        // RFC 6750 §3 challenges without a resource_metadata: no metadata document is served for
                        // the actuator (Spring Security's default named a Host-derived URL that redirected to /login).
                        .authenticationEntryPoint(BearerChallenge.entryPoint()))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                // Read-only GET endpoints authenticated by bearer token, never by cookie: nothing to forge.
                .csrf(csrf -> csrf.disable());
        return http.build();
    }
}
