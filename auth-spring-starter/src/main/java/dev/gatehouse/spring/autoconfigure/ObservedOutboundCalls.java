package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.observe.OutboundCalls;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.RequestReplySenderContext;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * auth-core's outbound calls as Micrometer sender observations: started on the caller's thread (the current
 * observation is the parent), the tracing handler writes the trace's context into the carrier on start, and those
 * headers go to the caller. Attributes: {@code http.method} and {@code outcome} ({@code success}, {@code
 * client_error}, {@code server_error}, {@code failure}), {@code http.url} (scheme, host, port, path: no query, no user
 * info) and {@code error} (a fixed reason or exception class) as high-cardinality values. No request or response
 * body, no header value beyond the trace context, is ever recorded.
 */
final class ObservedOutboundCalls implements OutboundCalls {

    private final ObservationRegistry registry;

    ObservedOutboundCalls(ObservationRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry must not be null");
    }

    @Override
    public Call start(Kind kind, String method, URI uri, BiConsumer<String, String> headers) {
        if (registry.isNoop()) {
            return Call.NOOP;
        }
        Map<String, String> carrier = new LinkedHashMap<>();
        RequestReplySenderContext<Map<String, String>, Integer> context =
                new RequestReplySenderContext<>((c, name, value) -> {
                    if (c != null) {
                        c.put(name, value);
                    }
                });
        context.setCarrier(carrier);
        context.setRemoteServiceName(uri.getHost());
        URI safe = OutboundCalls.safe(uri);
        Observation observation = Observation.createNotStarted(kind.observationName(), () -> context, registry)
                .contextualName(kind.observationName())
                .lowCardinalityKeyValue(KeyValue.of("http.method", method))
                .highCardinalityKeyValue(KeyValue.of("http.url", safe.toString()))
                .start();
        carrier.forEach(headers);
        return new Call() {
            @Override
            public void end(int status) {
                context.setResponse(status);
                observation.lowCardinalityKeyValue(KeyValue.of("outcome", outcome(status)));
                observation.stop();
            }

            @Override
            public void fail(String reason) {
                observation.lowCardinalityKeyValue(KeyValue.of("outcome", "failure"));
                observation.highCardinalityKeyValue(KeyValue.of("error", reason));
                observation.stop();
            }
        };
    }

    private static String outcome(int status) {
        if (status >= 500) {
            return "server_error";
        }
        return status >= 400 ? "client_error" : "success";
    }
}
