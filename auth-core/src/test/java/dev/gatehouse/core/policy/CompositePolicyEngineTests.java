package dev.gatehouse.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The veto combinator: an engine added with {@code veto} can refuse (or fail, which refuses) but never grant. */
class CompositePolicyEngineTests {

    private static final AccessRequest REQUEST = PolicyTestSupport.request("alice", "admin", "read", "document");

    private static Decision decide(PolicyEngine grant, PolicyEngine veto) {
        return PolicyDecisionPoint.of(CompositePolicyEngine.builder()
                        .id("admin")
                        .add(grant)
                        .veto(veto)
                        .build())
                .decide(REQUEST);
    }

    @Test
    void vetoWhenVetoDeniesThenDenyOverridesTheGrant() {
        Decision d = decide(
                PolicyTestSupport.fixed("roles", Evaluation.Effect.PERMIT),
                PolicyTestSupport.fixed("opa", Evaluation.Effect.DENY));

        assertThat(d).isEqualTo(new Decision.Deny("opa", "r", "opa says DENY", List.of(), Evaluation.Effect.DENY));
    }

    @Test
    void vetoWhenVetoPermitsOrHasNoOpinionThenTheGrantDecides() {
        for (Evaluation.Effect opa : List.of(Evaluation.Effect.PERMIT, Evaluation.Effect.NOT_APPLICABLE)) {
            Decision d = decide(
                    PolicyTestSupport.fixed("roles", Evaluation.Effect.PERMIT), PolicyTestSupport.fixed("opa", opa));

            assertThat(d).as("opa %s", opa).isInstanceOf(Decision.Permit.class);
            assertThat(d.policy()).isEqualTo("roles");
        }
    }

    @Test
    void vetoWhenOnlyTheVetoPermitsThenNothingIsGranted() {
        Decision d = decide(
                PolicyTestSupport.fixed("roles", Evaluation.Effect.NOT_APPLICABLE),
                PolicyTestSupport.fixed("opa", Evaluation.Effect.PERMIT));

        assertThat(d).isInstanceOf(Decision.Deny.class);
        assertThat(((Decision.Deny) d).cause()).isEqualTo(Evaluation.Effect.NOT_APPLICABLE);
        assertThat(d.reason()).isEqualTo("not applicable: no policy or rule applies");
    }

    @Test
    void vetoWhenVetoEngineThrowsThenDeniesWithTheReason() {
        PolicyEngine broken = new PolicyEngine() {
            @Override
            public Evaluation evaluate(AccessRequest request) {
                throw new IllegalStateException("opa unreachable: token=s3cret");
            }

            @Override
            public String id() {
                return "opa";
            }
        };

        Decision d = decide(PolicyTestSupport.fixed("roles", Evaluation.Effect.PERMIT), broken);

        assertThat(d).isInstanceOf(Decision.Deny.class);
        assertThat(((Decision.Deny) d).cause()).isEqualTo(Evaluation.Effect.INDETERMINATE);
        assertThat(d.policy()).isEqualTo("opa");
        assertThat(d.reason()).isEqualTo("indeterminate: evaluation failed (IllegalStateException)");
    }

    @Test
    void vetoWhenVetoIsIndeterminateThenDeniesWithItsReason() {
        Decision d = decide(
                PolicyTestSupport.fixed("roles", Evaluation.Effect.PERMIT),
                PolicyTestSupport.fixed("opa", Evaluation.Effect.INDETERMINATE));

        assertThat(d)
                .isEqualTo(new Decision.Deny(
                        "opa",
                        "r",
                        "indeterminate: opa says INDETERMINATE",
                        List.of(),
                        Evaluation.Effect.INDETERMINATE));
    }

    @Test
    void vetoWhenGrantDeniesThenVetoIsNotConsulted() {
        AtomicInteger vetoCalls = new AtomicInteger();
        PolicyEngine counting = new PolicyEngine() {
            @Override
            public Evaluation evaluate(AccessRequest request) {
                vetoCalls.incrementAndGet();
                return Evaluation.notApplicable("opa", "no opinion");
            }

            @Override
            public String id() {
                return "opa";
            }
        };

        Decision d = decide(PolicyTestSupport.fixed("roles", Evaluation.Effect.DENY), counting);

        assertThat(d.permitted()).isFalse();
        assertThat(d.policy()).isEqualTo("roles");
        assertThat(vetoCalls).hasValue(0);
    }

    @Test
    void buildWhenVetoUnderAnotherAlgorithmThenRefused() {
        for (CombiningAlgorithm a : List.of(CombiningAlgorithm.PERMIT_OVERRIDES, CombiningAlgorithm.FIRST_APPLICABLE)) {
            CompositePolicyEngine.Builder b = CompositePolicyEngine.builder()
                    .algorithm(a)
                    .add(PolicyTestSupport.fixed("roles", Evaluation.Effect.PERMIT))
                    .veto(PolicyTestSupport.fixed("opa", Evaluation.Effect.DENY));

            assertThatThrownBy(b::build)
                    .isInstanceOf(PolicyException.class)
                    .hasMessageContaining("a veto needs the deny-overrides algorithm");
        }
    }
}
