package dev.gatehouse.core.policy.opa;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.core.policy.Evaluation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Fuzz targets for OPA's answers, which come from another process: a decision document (the REST API's {@code
 * result}, read by Jackson as the client does) and a Wasm policy's result set. Reading never throws (a failed or odd
 * answer is an indeterminate evaluation, which denies) and only an explicit {@code true} or {@code "allow": true}
 * permits. Corpus: {@code OpaResultsFuzzTestsInputs/}.
 */
class OpaResultsFuzzTests {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @FuzzTest(maxDuration = "2m")
    void interpretWhenArbitraryDocumentThenNeverThrowsAndPermitsOnlyAnExplicitAllow(FuzzedDataProvider data) {
        byte[] json = data.consumeRemainingAsBytes();
        Object document;
        try {
            document = MAPPER.readValue(json, Object.class);
        } catch (IOException | RuntimeException notJson) {
            return; // the client reports it as a failed query (indeterminate)
        }

        Evaluation e = OpaResults.interpret("opa", "authz/allow", document);

        assertThat(e).isNotNull();
        if (e.effect() == Evaluation.Effect.PERMIT) {
            assertThat(Boolean.TRUE.equals(document)
                            || (document instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("allow"))))
                    .isTrue();
        }
        assertThat(e.reason().length()).isLessThan(1024);
    }

    @FuzzTest(maxDuration = "2m")
    void interpretResultSetWhenArbitraryOutputThenNeverThrowsAndPermitsOnlyAnExplicitAllow(FuzzedDataProvider data) {
        String out = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);

        Evaluation e = OpaResults.interpretResultSet("opa", "authz/allow", MAPPER, out);

        if (e.effect() == Evaluation.Effect.PERMIT) {
            assertThat(out).contains("true");
        }
        assertThat(e.reason().length()).isLessThan(1024);
    }
}
