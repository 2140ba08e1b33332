package dev.gatehouse.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PolicyCompositionTests {

    private static final AccessRequest REQUEST = PolicyTestSupport.request("alice", "admin", "read", "document");

    private static Evaluation.Effect combine(CombiningAlgorithm a, Evaluation.Effect... effects) {
        CompositePolicyEngine.Builder b = CompositePolicyEngine.builder().algorithm(a);
        for (int i = 0; i < effects.length; i++) {
            b.add(PolicyTestSupport.fixed("e" + i, effects[i]));
        }
        return b.build().evaluate(REQUEST).effect();
    }

    @Test
    void combineWhenDenyOverridesThenAnyDenyWinsAndIndeterminateBeatsPermit() {
        assertThat(combine(CombiningAlgorithm.DENY_OVERRIDES, Evaluation.Effect.PERMIT, Evaluation.Effect.DENY))
                .isEqualTo(Evaluation.Effect.DENY);
        assertThat(combine(
                        CombiningAlgorithm.DENY_OVERRIDES, Evaluation.Effect.PERMIT, Evaluation.Effect.INDETERMINATE))
                .isEqualTo(Evaluation.Effect.INDETERMINATE);
        assertThat(combine(
                        CombiningAlgorithm.DENY_OVERRIDES, Evaluation.Effect.NOT_APPLICABLE, Evaluation.Effect.PERMIT))
                .isEqualTo(Evaluation.Effect.PERMIT);
        assertThat(combine(CombiningAlgorithm.DENY_OVERRIDES, Evaluation.Effect.NOT_APPLICABLE))
                .isEqualTo(Evaluation.Effect.NOT_APPLICABLE);
    }

    @Test
    void combineWhenPermitOverridesThenAnyPermitWins() {
        assertThat(combine(
                        CombiningAlgorithm.PERMIT_OVERRIDES,
                        Evaluation.Effect.DENY,
                        Evaluation.Effect.INDETERMINATE,
                        Evaluation.Effect.PERMIT))
                .isEqualTo(Evaluation.Effect.PERMIT);
        assertThat(combine(
                        CombiningAlgorithm.PERMIT_OVERRIDES, Evaluation.Effect.DENY, Evaluation.Effect.INDETERMINATE))
                .isEqualTo(Evaluation.Effect.INDETERMINATE);
        assertThat(combine(
                        CombiningAlgorithm.PERMIT_OVERRIDES, Evaluation.Effect.NOT_APPLICABLE, Evaluation.Effect.DENY))
                .isEqualTo(Evaluation.Effect.DENY);
    }

    @Test
    void combineWhenFirstApplicableThenFirstNonNotApplicableDecides() {
        assertThat(combine(
                        CombiningAlgorithm.FIRST_APPLICABLE,
                        Evaluation.Effect.NOT_APPLICABLE,
                        Evaluation.Effect.PERMIT,
                        Evaluation.Effect.DENY))
                .isEqualTo(Evaluation.Effect.PERMIT);
        assertThat(combine(
                        CombiningAlgorithm.FIRST_APPLICABLE, Evaluation.Effect.INDETERMINATE, Evaluation.Effect.PERMIT))
                .isEqualTo(Evaluation.Effect.INDETERMINATE);
    }

    @Test
    void decideWhenEngineThrowsThenDenyWithoutLeakingInput() {
        PolicyEngine broken = new PolicyEngine() {
            @Override
            public Evaluation evaluate(AccessRequest request) {
                throw new IllegalStateException("secret=" + request.subject().attributes());
            }

            @Override
            public String id() {
                return "broken";
            }
        };
        PolicyDecisionPoint pdp = PolicyDecisionPoint.of(broken);
        AccessRequest r = AccessRequest.builder()
                .subject(new Subject("a", Set.of(), Map.of("apiKey", "sk-live-123")))
                .action("read")
                .resource(Resource.of("document", "d"))
                .build();

        Decision d = pdp.decide(r);

        assertThat(d.permitted()).isFalse();
        assertThat(d.reason()).isEqualTo("indeterminate: evaluation failed (IllegalStateException)");
        assertThat(d.reason()).doesNotContain("sk-live");
        assertThat(pdp.stats()).isEqualTo(new PolicyDecisionPoint.Stats(0, 1, 1));
    }

    @Test
    void decideWhenNotApplicableOrIndeterminateThenDeny() {
        for (Evaluation.Effect e : Evaluation.Effect.values()) {
            Decision d = PolicyDecisionPoint.of(PolicyTestSupport.fixed("x", e)).decide(REQUEST);
            assertThat(d.permitted()).isEqualTo(e == Evaluation.Effect.PERMIT);
            if (d instanceof Decision.Deny deny) {
                assertThat(deny.cause()).isEqualTo(e);
            }
        }
    }

    @Test
    void cacheWhenDifferentSubjectsThenNeverSharesDecisions() {
        AtomicInteger calls = new AtomicInteger();
        PolicyEngine bySubject = new PolicyEngine() {
            @Override
            public Evaluation evaluate(AccessRequest request) {
                calls.incrementAndGet();
                return request.subject().id().equals("alice")
                        ? Evaluation.permit("s", "r", "alice may")
                        : Evaluation.deny("s", "r", "others may not");
            }

            @Override
            public String id() {
                return "s";
            }
        };
        CachingPolicyEngine cached = CachingPolicyEngine.builder(bySubject).build();

        AccessRequest alice = PolicyTestSupport.request("alice", "admin", "read", "document");
        AccessRequest mallory = PolicyTestSupport.request("mallory", "admin", "read", "document");
        AccessRequest aliceOtherRole = PolicyTestSupport.request("alice", "viewer", "read", "document");
        AccessRequest aliceOtherTenant =
                new AccessRequest(alice.subject(), alice.action(), alice.resource(), "globex", alice.context());

        assertThat(PolicyDecisionPoint.of(cached).decide(alice).permitted()).isTrue();
        assertThat(PolicyDecisionPoint.of(cached).decide(mallory).permitted()).isFalse();
        assertThat(PolicyDecisionPoint.of(cached).decide(alice).permitted()).isTrue();
        assertThat(calls).hasValue(2);
        PolicyDecisionPoint.of(cached).decide(aliceOtherRole);
        PolicyDecisionPoint.of(cached).decide(aliceOtherTenant);
        assertThat(calls).hasValue(4);
        assertThat(cached.size()).isEqualTo(4);
    }

    @Test
    void cacheWhenIndeterminateThenNotCachedAndTtlExpires() {
        AtomicInteger calls = new AtomicInteger();
        AtomicLong nanos = new AtomicLong();
        PolicyEngine flaky = new PolicyEngine() {
            @Override
            public Evaluation evaluate(AccessRequest request) {
                return calls.incrementAndGet() == 1
                        ? Evaluation.indeterminate("f", null, "down")
                        : Evaluation.permit("f", "r", "up");
            }

            @Override
            public String id() {
                return "f";
            }
        };
        Ticker ticker = nanos::get;
        CachingPolicyEngine cached = CachingPolicyEngine.builder(flaky)
                .ttl(Duration.ofSeconds(10))
                .ticker(ticker)
                .build();

        assertThat(PolicyDecisionPoint.of(cached).decide(REQUEST).permitted()).isFalse();
        assertThat(PolicyDecisionPoint.of(cached).decide(REQUEST).permitted()).isTrue();
        assertThat(PolicyDecisionPoint.of(cached).decide(REQUEST).permitted()).isTrue();
        assertThat(calls).hasValue(2);
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());
        PolicyDecisionPoint.of(cached).decide(REQUEST);
        assertThat(calls).hasValue(3);
    }

    @Test
    void requestWhenAttributesGivenThenDeepCopiedAndNormalised() {
        java.util.List<Object> tags = new java.util.ArrayList<>(List.of("a"));
        AccessRequest r = AccessRequest.builder()
                .subject(new Subject("a", Set.of(), Map.of("level", 3, "tags", tags)))
                .action("read")
                .resource(Resource.of("document", "d"))
                .build();
        tags.add("b");

        assertThat(r.subject().attributes()).containsEntry("level", 3L).containsEntry("tags", List.of("a"));
        assertThat(AccessRequest.fromMap(r.toMap())).isEqualTo(r);
    }
}
