package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.observe.OutboundCalls;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.SenderContext;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * auth-core's outbound calls observed through Micrometer: a sender observation per call whose propagation headers
 * (what a tracing handler injects on start) reach the request, a parent taken from the caller's thread, attributes
 * without query or user info; nothing without Micrometer Observation, and an application's own observer wins.
 */
class GatehouseTracingAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GatehouseTracingAutoConfiguration.class));

    /** Stands in for the tracing handler: on start, writes a traceparent into the sender's carrier. */
    static final class Injecting implements ObservationHandler<SenderContext<Object>> {
        final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

        @Override
        public void onStart(SenderContext<Object> context) {
            Object carrier = context.getCarrier();
            if (carrier != null) {
                context.getSetter()
                        .set(carrier, "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            }
        }

        @Override
        public void onStop(SenderContext<Object> context) {
            stopped.add(context);
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return context instanceof SenderContext;
        }
    }

    @Test
    void outboundCallsWhenObservationRegistryThenSenderObservationWhoseHeadersReachTheRequest() {
        Injecting handler = new Injecting();
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(handler);
        runner.withBean(ObservationRegistry.class, () -> registry).run(context -> {
            OutboundCalls calls = context.getBean(OutboundCalls.class);
            Map<String, String> headers = new LinkedHashMap<>();
            Observation parent = Observation.start("request", registry);
            OutboundCalls.Call call;
            try (Observation.Scope scope = parent.openScope()) {
                call = calls.start(
                        OutboundCalls.Kind.JWKS_FETCH,
                        "GET",
                        URI.create("https://user:pw@issuer.example/jwks?k=v"),
                        headers::put);
            }
            call.end(200);
            parent.stop();

            assertThat(headers)
                    .containsExactly(
                            Map.entry("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
            assertThat(handler.stopped).hasSize(1);
            Observation.Context fetch = handler.stopped.get(0);
            assertThat(fetch.getName()).isEqualTo("gatehouse.jwks.fetch");
            assertThat(fetch.getParentObservation()).isSameAs(parent);
            assertThat(fetch.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("success");
            assertThat(fetch.getHighCardinalityKeyValue("http.url").getValue())
                    .isEqualTo("https://issuer.example/jwks");
        });
    }

    @Test
    void outboundCallsWhenCallFailsThenOutcomeFailureWithReason() {
        Injecting handler = new Injecting();
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(handler);
        runner.withBean(ObservationRegistry.class, () -> registry).run(context -> {
            context.getBean(OutboundCalls.class)
                    .start(
                            OutboundCalls.Kind.OPA_QUERY,
                            "POST",
                            URI.create("http://127.0.0.1:8181/v1/data/a"),
                            (n, v) -> {})
                    .fail("timeout");

            Observation.Context query = handler.stopped.get(0);
            assertThat(query.getName()).isEqualTo("gatehouse.opa.query");
            assertThat(query.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("failure");
            assertThat(query.getHighCardinalityKeyValue("error").getValue()).isEqualTo("timeout");
        });
    }

    @Test
    void outboundCallsWhenNoRegistryBeanThenNothingObservedAndNoHeader() {
        runner.run(context -> {
            Map<String, String> headers = new LinkedHashMap<>();
            context.getBean(OutboundCalls.class)
                    .start(
                            OutboundCalls.Kind.JWKS_FETCH,
                            "GET",
                            URI.create("https://issuer.example/jwks"),
                            headers::put)
                    .end(200);
            assertThat(headers).isEmpty();
        });
    }

    @Test
    void outboundCallsWhenMicrometerObservationAbsentThenNoBean() {
        runner.withClassLoader(new FilteredClassLoader(ObservationRegistry.class))
                .run(context -> assertThat(context).doesNotHaveBean(OutboundCalls.class));
    }

    @Test
    void outboundCallsWhenApplicationDefinesItsOwnThenItsIsUsed() {
        runner.withBean(OutboundCalls.class, () -> OutboundCalls.NOOP)
                .run(context -> assertThat(context.getBean(OutboundCalls.class)).isSameAs(OutboundCalls.NOOP));
    }
}
