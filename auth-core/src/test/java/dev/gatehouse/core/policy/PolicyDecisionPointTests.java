package dev.gatehouse.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The decision point's fail-closed path: whatever goes wrong below it, the answer is a deny with a reason. */
class PolicyDecisionPointTests {

    private static final AccessRequest REQUEST = PolicyTestSupport.request("alice", "admin", "read", "document");

    private static PolicyEngine engine(String id, java.util.function.Supplier<Evaluation> answer) {
        return new PolicyEngine() {
            @Override
            public Evaluation evaluate(AccessRequest request) {
                return answer.get();
            }

            @Override
            public String id() {
                return id;
            }
        };
    }

    @Test
    @SuppressWarnings("NullAway") // the engine breaks its contract on purpose
    void decideWhenEngineReturnsNullThenDeniesAsIndeterminate() {
        PolicyDecisionPoint pdp = PolicyDecisionPoint.of(engine("silent", () -> null));

        Decision d = pdp.decide(REQUEST);

        assertThat(d).isInstanceOf(Decision.Deny.class);
        assertThat(((Decision.Deny) d).cause()).isEqualTo(Evaluation.Effect.INDETERMINATE);
        assertThat(d.policy()).isEqualTo("silent");
        assertThat(d.reason()).isEqualTo("indeterminate: engine returned no result");
        assertThat(pdp.stats()).isEqualTo(new PolicyDecisionPoint.Stats(0, 1, 1));
    }

    @Test
    void decideWhenEngineOverflowsTheStackThenDenies() {
        PolicyDecisionPoint pdp = PolicyDecisionPoint.of(engine("deep", () -> {
            throw new StackOverflowError();
        }));

        Decision d = pdp.decide(REQUEST);

        assertThat(d.permitted()).isFalse();
        assertThat(d.reason()).isEqualTo("indeterminate: evaluation failed (StackOverflowError)");
    }

    @Test
    void decideWhenCachedEngineThrowsThenDeniesAndNothingIsCached() {
        AtomicInteger calls = new AtomicInteger();
        PolicyEngine flaky = engine("flaky", () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("connection reset");
            }
            return Evaluation.permit("flaky", "r", "up");
        });
        PolicyDecisionPoint pdp =
                PolicyDecisionPoint.of(CachingPolicyEngine.builder(flaky).build());

        Decision first = pdp.decide(REQUEST);
        Decision second = pdp.decide(REQUEST);

        assertThat(first.permitted()).isFalse();
        assertThat(first.reason()).isEqualTo("indeterminate: evaluation failed (IllegalStateException)");
        assertThat(second.permitted()).isTrue();
        assertThat(pdp.stats()).isEqualTo(new PolicyDecisionPoint.Stats(1, 1, 1));
    }

    @Test
    void decideWhenEngineDeniesThenDenyKeepsPolicyRuleAndReason() {
        Decision d = PolicyDecisionPoint.of(engine("p", () -> Evaluation.deny("p", "locked", "document is locked")))
                .decide(REQUEST);

        assertThat(d)
                .isEqualTo(new Decision.Deny(
                        "p", "locked", "document is locked", java.util.List.of(), Evaluation.Effect.DENY));
    }

    @Test
    void decideWhenTheRequestCannotBeAssembledThenDeniesAsIndeterminateWithoutAskingTheEngine() {
        AtomicInteger calls = new AtomicInteger();
        PolicyDecisionPoint pdp = PolicyDecisionPoint.of(engine("p", () -> {
            calls.incrementAndGet();
            return Evaluation.permit("p", "r", "yes");
        }));

        Decision d = pdp.decide(() -> {
            throw new IllegalArgumentException("attribute value 's3cr3t' is not allowed");
        });

        assertThat(d).isInstanceOf(Decision.Deny.class);
        assertThat(((Decision.Deny) d).cause()).isEqualTo(Evaluation.Effect.INDETERMINATE);
        assertThat(d.policy()).isEqualTo(PolicyDecisionPoint.ID);
        assertThat(d.reason()).isEqualTo("indeterminate: request could not be evaluated");
        assertThat(calls).hasValue(0);
        assertThat(pdp.stats()).isEqualTo(new PolicyDecisionPoint.Stats(0, 1, 1));
    }

    @Test
    @SuppressWarnings("NullAway") // the supplier breaks its contract on purpose
    void decideWhenTheRequestSupplierReturnsNullThenDenies() {
        PolicyDecisionPoint pdp = PolicyDecisionPoint.of(engine("p", () -> Evaluation.permit("p", "r", "yes")));

        Decision d = pdp.decide(() -> null);

        assertThat(d.permitted()).isFalse();
        assertThat(pdp.stats()).isEqualTo(new PolicyDecisionPoint.Stats(0, 1, 1));
    }

    @Test
    void decideWhenTheRequestIsAssembledThenTheEngineDecides() {
        Decision d = PolicyDecisionPoint.of(engine("p", () -> Evaluation.permit("p", "r", "yes")))
                .decide(() -> REQUEST);

        assertThat(d.permitted()).isTrue();
    }

    @Test
    void unauthenticatedThenDeniesAndCountsWithoutAFailure() {
        PolicyDecisionPoint pdp = PolicyDecisionPoint.of(engine("p", () -> Evaluation.permit("p", "r", "yes")));

        Decision d = pdp.unauthenticated();

        assertThat(d)
                .isEqualTo(new Decision.Deny(
                        PolicyDecisionPoint.ID,
                        null,
                        "not authenticated",
                        java.util.List.of(),
                        Evaluation.Effect.DENY));
        assertThat(pdp.stats()).isEqualTo(new PolicyDecisionPoint.Stats(0, 1, 0));
    }
}
