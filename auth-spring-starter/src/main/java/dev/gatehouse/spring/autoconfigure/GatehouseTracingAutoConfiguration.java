package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.observe.OutboundCalls;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Observed outbound calls of auth-core (issue #19) when Micrometer Observation is present: the resource server's JWKS
 * fetch and OPA queries become client observations of the current request ({@code gatehouse.jwks.fetch}, {@code
 * gatehouse.opa.query}); with Micrometer Tracing their spans are children of the request's span, and its context
 * goes out as W3C {@code traceparent} (whatever {@code management.tracing.propagation.produce} names). Without an
 * {@link ObservationRegistry} bean the calls are not observed.
 */
@AutoConfiguration(before = {GatehouseResourceServerAutoConfiguration.class, GatehousePolicyAutoConfiguration.class})
@ConditionalOnClass(ObservationRegistry.class)
public final class GatehouseTracingAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    OutboundCalls gatehouseOutboundCalls(ObjectProvider<ObservationRegistry> registry) {
        return new ObservedOutboundCalls(registry.getIfAvailable(() -> ObservationRegistry.NOOP));
    }
}
