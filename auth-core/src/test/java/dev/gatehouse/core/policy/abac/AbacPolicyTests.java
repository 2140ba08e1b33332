package dev.gatehouse.core.policy.abac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.Evaluation;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.PolicyException;
import dev.gatehouse.core.policy.PolicyTestSupport;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AbacPolicyTests {

    private final AbacEngine engine = AbacEngine.of(AbacPolicy.load(PolicyTestSupport.resource("policy/abac.yaml")));

    private static String policy(String condition) {
        return """
                id: p
                rules:
                  - id: ok
                    target: { resource: document }
                    effect: permit
                  - id: r1
                    target: { resource: document, actions: [read] }
                    effect: permit
                    condition: "%s"
                """.formatted(condition);
    }

    @Test
    void parseWhenConditionHasTypeErrorThenRefusedWithPolicyRuleAndPosition() {
        assertThatThrownBy(() -> AbacPolicy.parse(policy("action + 1 == 2")))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("policy 'p' rule 'r1' (rules[1]) condition: at 1:8")
                .hasMessageContaining("no matching overload")
                .extracting(e -> ((PolicyException) e).code())
                .isEqualTo("policy.invalid_condition");
    }

    @Test
    void parseWhenConditionIsNotBooleanThenRefused() {
        assertThatThrownBy(() -> AbacPolicy.parse(policy("resource.type")))
                .hasMessageContaining("expected type 'bool' but found 'string'");
    }

    @Test
    void parseWhenConditionReadsUnknownAttributeThenRefused() {
        assertThatThrownBy(() -> AbacPolicy.parse(policy("subject.department == 'sales'")))
                .hasMessageContaining("rule 'r1'")
                .hasMessageContaining("undeclared reference to 'subject'");
        assertThatThrownBy(() -> AbacPolicy.parse(policy("user.id == 'a'")))
                .hasMessageContaining("undeclared reference to 'user'");
    }

    @Test
    void parseWhenSyntaxErrorThenRefused() {
        assertThatThrownBy(() -> AbacPolicy.parse(policy("subject.id == ")))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("at 1:");
    }

    @Test
    void parseWhenEffectOrAlgorithmUnknownThenRefused() {
        assertThatThrownBy(() -> AbacPolicy.parse("id: p\nrules:\n  - { id: a, effect: maybe }\n"))
                .hasMessageContaining("effect must be permit or deny");
        assertThatThrownBy(() -> AbacPolicy.parse("id: p\nalgorithm: majority\nrules:\n  - { id: a, effect: deny }\n"))
                .hasMessageContaining("unknown combining algorithm");
        assertThatThrownBy(() ->
                        AbacPolicy.parse("id: p\nrules:\n  - { id: a, effect: deny }\n  - { id: a, effect: deny }\n"))
                .hasMessageContaining("duplicate rule id");
    }

    @Test
    void evaluateWhenOwnerThenPermitExplainedWithObligation() {
        Decision d = PolicyDecisionPoint.of(engine)
                .decide(PolicyTestSupport.request("zoe", "", "write", "document", Map.of("owner", "zoe")));

        assertThat(d.permitted()).isTrue();
        assertThat(d.rule()).isEqualTo("owner-edits");
        assertThat(d.reason()).startsWith("rule 'owner-edits' matched (owners may edit their own documents)");
        assertThat(d.obligations()).singleElement().satisfies(o -> {
            assertThat(o.id()).isEqualTo("audit");
            assertThat(o.attributes()).containsEntry("level", "owner");
        });
    }

    @Test
    void evaluateWhenLockedThenDenyOverridesPermit() {
        Decision d = PolicyDecisionPoint.of(engine)
                .decide(PolicyTestSupport.request("alice", "admin", "write", "document", Map.of("locked", true)));

        assertThat(d.permitted()).isFalse();
        assertThat(d.rule()).isEqualTo("locked");
        assertThat(((Decision.Deny) d).cause()).isEqualTo(Evaluation.Effect.DENY);
    }

    @Test
    void evaluateWhenAttributeMissingAtRuntimeThenIndeterminateDeny() {
        AbacPolicy p = AbacPolicy.parse("""
                id: p
                rules:
                  - id: clearance
                    target: { resource: document }
                    effect: permit
                    condition: "subject.attributes.clearance >= 3"
                """);

        Evaluation e = p.evaluate(PolicyTestSupport.request("a", "", "read", "document"));

        assertThat(e.effect()).isEqualTo(Evaluation.Effect.INDETERMINATE);
        assertThat(e.rule()).isEqualTo("clearance");
        assertThat(PolicyDecisionPoint.of(AbacEngine.of(p))
                        .decide(PolicyTestSupport.request("a", "", "read", "document"))
                        .permitted())
                .isFalse();
    }

    @Test
    void evaluateWhenFirstApplicableThenOrderDecides() {
        AbacPolicy p = AbacPolicy.parse("""
                id: p
                algorithm: first-applicable
                rules:
                  - { id: allow-reads, target: { resource: '*', actions: [read] }, effect: permit }
                  - { id: deny-all, effect: deny }
                """);

        assertThat(p.evaluate(PolicyTestSupport.request("a", "", "read", "x")).rule())
                .isEqualTo("allow-reads");
        assertThat(p.evaluate(PolicyTestSupport.request("a", "", "write", "x")).rule())
                .isEqualTo("deny-all");
    }

    @Test
    void evaluateWhenContextAndTenantUsedThenVisibleToCel() {
        AbacPolicy p = AbacPolicy.parse("""
                id: p
                rules:
                  - id: office-hours
                    effect: permit
                    condition: "tenant == 'acme' && context.hour >= 9 && context.hour < 17"
                """);
        var base = PolicyTestSupport.request("a", "", "read", "x");
        var in = new dev.gatehouse.core.policy.AccessRequest(
                base.subject(), "read", base.resource(), "acme", Map.of("hour", 10));
        var late = new dev.gatehouse.core.policy.AccessRequest(
                base.subject(), "read", base.resource(), "acme", Map.of("hour", 20));

        assertThat(p.evaluate(in).effect()).isEqualTo(Evaluation.Effect.PERMIT);
        assertThat(p.evaluate(late).effect()).isEqualTo(Evaluation.Effect.NOT_APPLICABLE);
    }
}
