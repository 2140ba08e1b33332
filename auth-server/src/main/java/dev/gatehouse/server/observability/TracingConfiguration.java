package dev.gatehouse.server.observability;

import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tracing (issue #19) on Spring Boot's Micrometer Tracing with the OpenTelemetry bridge: this node's own sampler
 * (a caller cannot force sampling, {@link TracingSampler}), and the spans of the server's own steps: {@value
 * TracingSpans#TOKEN} for each token request and {@value TracingSpans#SIGNIN_STEP} for each sign-in step, with
 * attributes from fixed sets ({@link TracingSpans}). Export, propagation and log correlation are Boot's
 * ({@code management.tracing.*}, {@code management.opentelemetry.*}; application.yml turns sampling and Zipkin off).
 */
@Configuration(proxyBeanMethods = false)
class TracingConfiguration {

    /** Replaces Boot's {@code otelSampler} (which backs off when a {@link Sampler} bean exists). */
    @Bean
    Sampler gatehouseSampler(@Value("${management.tracing.sampling.probability:0.1}") double probability) {
        return TracingSampler.of(probability);
    }

    /**
     * Just before Spring Security's filter chain (order -100), inside Boot's HTTP server observation, so the step's
     * span is a child of the request's and covers all of the security chain, where token requests and sign-in
     * steps are handled.
     */
    @Bean
    FilterRegistrationBean<TracingSpans.Filter> tracingSpansFilter(ObservationRegistry registry) {
        FilterRegistrationBean<TracingSpans.Filter> registration =
                new FilterRegistrationBean<>(new TracingSpans.Filter(registry));
        registration.setOrder(-101);
        return registration;
    }

    @Bean
    TracingSpans.AuthenticationEvents tracingAuthenticationEvents() {
        return new TracingSpans.AuthenticationEvents();
    }
}
