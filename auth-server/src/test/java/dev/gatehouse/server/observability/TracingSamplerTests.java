package dev.gatehouse.server.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;

/**
 * The node's sampler: a caller's sampled flag (W3C Trace Context §3.2.2.5, {@code traceparent ...-01}) does not make
 * the server record at probability 0; the probability decides, by trace id, for callers and new traces alike; spans
 * inside the process follow their parent. And the shipped configuration samples and exports nothing.
 */
class TracingSamplerTests {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";

    @Test
    void ofWhenProbabilityZeroAndCallerSampledThenNotRecorded() {
        assertThat(decide(TracingSampler.of(0.0), remote(TraceFlags.getSampled())))
                .isEqualTo(SamplingDecision.DROP);
    }

    @Test
    void ofWhenProbabilityZeroAndNoParentThenNotRecorded() {
        assertThat(decide(TracingSampler.of(0.0), Context.root())).isEqualTo(SamplingDecision.DROP);
    }

    @Test
    void ofWhenProbabilityOneThenCallerSampledAndNewTracesRecorded() {
        Sampler sampler = TracingSampler.of(1.0);
        assertThat(decide(sampler, remote(TraceFlags.getSampled()))).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(decide(sampler, Context.root())).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    }

    @Test
    void ofWhenCallerNotSampledThenNotRecordedWhateverTheProbability() {
        assertThat(decide(TracingSampler.of(1.0), remote(TraceFlags.getDefault())))
                .isEqualTo(SamplingDecision.DROP);
    }

    @Test
    void ofWhenLocalParentSampledThenChildRecordedEvenAtZero() {
        SpanContext local = SpanContext.create(TRACE, PARENT, TraceFlags.getSampled(), TraceState.getDefault());
        Context parent = Context.root().with(Span.wrap(local));
        assertThat(decide(TracingSampler.of(0.0), parent)).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    }

    @Test
    void ofWhenProbabilityOutOfRangeThenRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> TracingSampler.of(1.5));
        assertThatIllegalArgumentException().isThrownBy(() -> TracingSampler.of(Double.NaN));
    }

    @Test
    void applicationYmlWhenShippedThenSamplingOffAndZipkinExportOffAndNoOtlpEndpoint() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application.yml"));
        Properties p = yaml.getObject();
        assertThat(p).isNotNull();
        assertThat(p.get("management.tracing.sampling.probability")).isEqualTo(0.0);
        assertThat(p.get("management.tracing.export.zipkin.enabled")).isEqualTo(false);
        assertThat(p.stringPropertyNames())
                .noneMatch(n -> n.startsWith("management.opentelemetry.tracing.export.otlp.endpoint"))
                .noneMatch(n -> n.startsWith("management.otlp"));
        assertThat(p.get("jdbc.datasource-proxy.include-parameter-values")).isEqualTo(false);
    }

    private static Context remote(TraceFlags flags) {
        return Context.root()
                .with(Span.wrap(SpanContext.createFromRemoteParent(TRACE, PARENT, flags, TraceState.getDefault())));
    }

    private static SamplingDecision decide(Sampler sampler, Context parent) {
        return sampler.shouldSample(parent, TRACE, "GET /", SpanKind.SERVER, Attributes.empty(), List.of())
                .getDecision();
    }
}
