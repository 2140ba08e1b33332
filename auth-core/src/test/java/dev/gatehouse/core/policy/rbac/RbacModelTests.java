package dev.gatehouse.core.policy.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.Evaluation;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.PolicyException;
import dev.gatehouse.core.policy.PolicyTestSupport;
import dev.gatehouse.core.policy.Resource;
import dev.gatehouse.core.policy.Subject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RbacModelTests {

    private final RbacModel model = RbacModel.load(PolicyTestSupport.resource("policy/rbac.yaml"));
    private final RbacEngine engine = RbacEngine.of(model);

    @Test
    void buildWhenRolesInheritThenClosureIsPrecomputed() {
        assertThat(model.closureOf("admin")).containsExactlyInAnyOrder("admin", "editor", "viewer");
        assertThat(model.closureOf("viewer")).containsExactly("viewer");
        assertThat(model.grants("admin", "document", "read")).isTrue();
        assertThat(model.grants("viewer", "document", "write")).isFalse();
        assertThat(model.grants("nobody", "document", "read")).isFalse();
    }

    @Test
    void buildWhenInheritanceHasCycleThenRefusedNamingTheCycle() {
        RbacModel.Builder b = RbacModel.builder("m")
                .role("a", List.of("b"))
                .role("b", List.of("c"))
                .role("c", List.of("a"))
                .role("d", List.of());

        assertThatThrownBy(b::build)
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("cycle: a -> b -> c -> a")
                .extracting(e -> ((PolicyException) e).code())
                .isEqualTo("policy.role_cycle");
    }

    @Test
    void buildWhenRoleInheritsItselfThenRefused() {
        assertThatThrownBy(() -> RbacModel.builder("m").role("a", List.of("a")).build())
                .hasMessageContaining("cycle: a -> a");
    }

    @Test
    void loadWhenFileHasCycleThenRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("cycle.yaml");
        Files.writeString(f, "id: c\nroles:\n  x: { inherits: [y] }\n  y: { inherits: [x] }\n");

        assertThatThrownBy(() -> RbacModel.load(f)).hasMessageContaining("cycle: x -> y -> x");
    }

    @Test
    void buildWhenParentUndefinedThenRefused() {
        assertThatThrownBy(
                        () -> RbacModel.builder("m").role("a", List.of("ghost")).build())
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("undefined role 'ghost'");
    }

    @Test
    void buildWhenAssignedRoleUndefinedThenRefused() {
        assertThatThrownBy(() -> RbacModel.builder("m")
                        .role("a", List.of())
                        .assign("u", "b")
                        .build())
                .hasMessageContaining("undefined role 'b'");
    }

    @Test
    void parseWhenPermissionMalformedThenRefused() {
        assertThatThrownBy(() -> Permission.parse("document")).hasMessageContaining("resource:action");
        assertThatThrownBy(() -> Permission.parse("doc*:read")).hasMessageContaining("exactly '*'");
        assertThatThrownBy(() -> Permission.parse("a:b:c")).isInstanceOf(PolicyException.class);
        assertThat(Permission.parse("*:read").matches("anything", "read")).isTrue();
    }

    @Test
    void loadWhenJsonThenSameModel(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.json");
        Files.writeString(
                f,
                "{\"id\": \"j\", \"roles\": {\"r\": {\"permissions\": [\"*:read\"]}, \"s\": {\"inherits\": [\"r\"]}}}");

        RbacModel m = RbacModel.load(f);

        assertThat(m.grants("s", "invoice", "read")).isTrue();
        assertThat(m.grants("s", "invoice", "write")).isFalse();
    }

    @Test
    void evaluateWhenRoleAssignedByModelThenPermit() {
        Evaluation e = engine.evaluate(PolicyTestSupport.request("erin", "", "read", "document"));

        assertThat(e.effect()).isEqualTo(Evaluation.Effect.PERMIT);
        assertThat(e.rule()).isEqualTo("role:viewer");
        assertThat(e.reason()).isEqualTo("role 'viewer' grants document:read");
    }

    @Test
    void evaluateWhenAssignmentScopedToOtherTenantThenDeny() {
        AccessRequest inAcme = AccessRequest.builder()
                .subject(Subject.of("frank"))
                .action("write")
                .resource(Resource.of("document", "d"))
                .tenant("acme")
                .build();
        AccessRequest inGlobex = AccessRequest.builder()
                .subject(Subject.of("frank"))
                .action("write")
                .resource(Resource.of("document", "d"))
                .tenant("globex")
                .build();
        AccessRequest noTenant = PolicyTestSupport.request("frank", "", "write", "document");

        assertThat(PolicyDecisionPoint.of(engine).decide(inAcme).permitted()).isTrue();
        assertThat(PolicyDecisionPoint.of(engine).decide(inGlobex).permitted()).isFalse();
        assertThat(PolicyDecisionPoint.of(engine).decide(noTenant).permitted()).isFalse();
        assertThat(engine.effectiveRoles(inAcme)).containsExactly("editor", "viewer");
    }

    @Test
    void evaluateWhenActionUnknownThenDenyEvenUnderWildcard() {
        Decision d =
                PolicyDecisionPoint.of(engine).decide(PolicyTestSupport.request("alice", "admin", "approve", "report"));

        assertThat(d).isInstanceOf(Decision.Deny.class);
        assertThat(((Decision.Deny) d).cause()).isEqualTo(Evaluation.Effect.INDETERMINATE);
        assertThat(d.reason()).contains("unknown action 'approve'");
    }

    @Test
    void evaluateWhenNoRoleGrantsThenNotApplicableExplained() {
        Decision d =
                PolicyDecisionPoint.of(engine).decide(PolicyTestSupport.request("bob", "editor", "delete", "document"));

        assertThat(d.permitted()).isFalse();
        assertThat(d.reason()).isEqualTo("not applicable: no role of the subject grants document:delete");
    }
}
