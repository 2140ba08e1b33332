package dev.gatehouse.server.observability;

import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * Which traces this node records and exports. Spring Boot's default, {@code parentBased(traceIdRatioBased(p))},
 * follows a remote caller's sampled flag: any client sending {@code traceparent: 00-...-01} (W3C Trace Context §3.2.2.5)
 * would make the server record and export every span of its request, even at probability 0, an easy way to make
 * every node export on an attacker's say. Here a request from outside is sampled by the configured probability
 * alone, on its trace id ({@link Sampler#traceIdRatioBased}: deterministic, so services configured with the same
 * probability keep or drop the same whole traces); a caller's unsampled flag is honoured (never sampled here), and
 * spans inside this process follow their local parent.
 */
final class TracingSampler {

    private TracingSampler() {}

    /**
     * The sampler for a probability.
     *
     * @param probability from 0.0 (nothing) to 1.0 (everything), {@code management.tracing.sampling.probability}
     * @return the sampler
     */
    static Sampler of(double probability) {
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException(
                    "management.tracing.sampling.probability must be between 0.0 and 1.0, was " + probability);
        }
        Sampler ratio = Sampler.traceIdRatioBased(probability);
        return Sampler.parentBasedBuilder(ratio)
                .setRemoteParentSampled(ratio)
                .setRemoteParentNotSampled(Sampler.alwaysOff())
                .build();
    }
}
