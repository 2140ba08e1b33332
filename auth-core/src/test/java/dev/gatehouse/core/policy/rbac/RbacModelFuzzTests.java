package dev.gatehouse.core.policy.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gatehouse.core.policy.PolicyDocuments;
import dev.gatehouse.core.policy.PolicyException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Fuzz target for RBAC documents (YAML or JSON, read by {@link RbacModel#load}): refused with a {@link
 * PolicyException}, or a model whose role closures are consistent. Corpus: {@code RbacModelFuzzTestsInputs/}.
 */
class RbacModelFuzzTests {

    @FuzzTest(maxDuration = "2m")
    void fromDocumentWhenArbitraryTextThenPolicyExceptionOrAConsistentModel(FuzzedDataProvider data) {
        String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);

        RbacModel model;
        try {
            Map<String, Object> doc = PolicyDocuments.parse(text, "rbac.yaml");
            model = RbacModel.fromDocument(doc, "rbac.yaml");
        } catch (PolicyException refused) {
            return;
        }
        assertThat(model.id()).isNotBlank();
        for (String role : model.roles()) {
            assertThat(model.closureOf(role)).contains(role);
            assertThat(model.roles()).containsAll(model.closureOf(role));
        }
        assertThat(model.closureOf("role that is not defined")).isEmpty();
        assertThat(model.grants("role that is not defined", "document", "read")).isFalse();
    }
}
