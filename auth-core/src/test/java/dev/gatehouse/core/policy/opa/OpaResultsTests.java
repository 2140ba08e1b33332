package dev.gatehouse.core.policy.opa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.policy.Evaluation;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpaResultsTests {

    @Test
    void interpretWhenApplicableFalseThenNotApplicableWithReason() {
        Evaluation e = OpaResults.interpret(
                "opa", "documents/decision", Map.of("applicable", false, "reason", "not classified"));

        assertThat(e.effect()).isEqualTo(Evaluation.Effect.NOT_APPLICABLE);
        assertThat(e.reason()).contains("not classified");
    }

    @Test
    void interpretWhenAllowPresentThenAllowDecidesEvenIfApplicableFalse() {
        assertThat(OpaResults.interpret("opa", "d", Map.of("applicable", false, "allow", false))
                        .effect())
                .isEqualTo(Evaluation.Effect.DENY);
        assertThat(OpaResults.interpret("opa", "d", Map.of("allow", true)).effect())
                .isEqualTo(Evaluation.Effect.PERMIT);
    }

    @Test
    void interpretWhenApplicableTrueWithoutAllowThenIndeterminate() {
        assertThat(OpaResults.interpret("opa", "d", Map.of("applicable", true)).effect())
                .isEqualTo(Evaluation.Effect.INDETERMINATE);
        assertThat(OpaResults.interpret("opa", "d", null).effect()).isEqualTo(Evaluation.Effect.INDETERMINATE);
    }
}
