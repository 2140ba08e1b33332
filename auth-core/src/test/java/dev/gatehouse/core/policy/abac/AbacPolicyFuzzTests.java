package dev.gatehouse.core.policy.abac;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.Evaluation;
import dev.gatehouse.core.policy.PolicyException;
import dev.gatehouse.core.policy.Resource;
import dev.gatehouse.core.policy.Subject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Fuzz target for ABAC documents (YAML or JSON with CEL conditions, read by {@link AbacPolicy#parse}): refused with a
 * {@link PolicyException}, or a policy whose evaluation of a request never throws (a failing condition is
 * indeterminate). Corpus: {@code AbacPolicyFuzzTestsInputs/}.
 */
class AbacPolicyFuzzTests {

    @FuzzTest(maxDuration = "2m")
    void parseWhenArbitraryTextThenPolicyExceptionOrAPolicyThatEvaluates(FuzzedDataProvider data) {
        String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);

        AbacPolicy policy;
        try {
            policy = AbacPolicy.parse(text);
        } catch (PolicyException refused) {
            return;
        }
        assertThat(policy.ruleIds()).isNotEmpty().doesNotHaveDuplicates();
        // Built here, not in a field: a field or method signature of type AccessRequest makes JUnit load the record
        // while Jazzer's agent is still starting, and in fuzzing mode its constructor then failed with
        // NoSuchFieldError: subject (replay mode was unaffected).
        Evaluation e = policy.evaluate(new AccessRequest(
                new Subject("alice", Set.of("editor"), Map.of("department", "legal", "level", 3L)),
                "read",
                new Resource("document", "d-1", Map.of("owner", "alice", "tags", java.util.List.of("a"))),
                "acme",
                Map.of()));
        assertThat(e.policy()).isEqualTo(policy.id());
    }
}
