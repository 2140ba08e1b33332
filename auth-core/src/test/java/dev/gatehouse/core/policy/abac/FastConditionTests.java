package dev.gatehouse.core.policy.abac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.runtime.CelEvaluationException;
import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.Resource;
import dev.gatehouse.core.policy.Subject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The direct evaluator must agree with CEL wherever it answers, and defer wherever CEL errs. */
class FastConditionTests {

    private static final List<String> EXPRESSIONS = List.of(
            "resource.attributes.owner == subject.id",
            "subject.attributes.department == resource.attributes.department && action == 'read'",
            "'admin' in subject.roles || action != 'delete'",
            "!(subject.attributes.level >= 3) || tenant == 'acme'",
            "subject.attributes.level < 5 && subject.attributes.level > 1",
            "resource.attributes['owner'] == 'zoe'",
            "action in ['read', 'write']",
            "context.flag == true",
            "subject.attributes.level == 3",
            "resource.type == 'document' && resource.id != ''",
            "resource.attributes.missing == 'x' || action == 'read'",
            "resource.attributes.missing == 'x' && action == 'nope'",
            "subject.attributes.department == subject.attributes.level");

    private static final List<AccessRequest> REQUESTS = List.of(
            request(
                    "zoe",
                    Set.of("admin"),
                    Map.of("department", "d1", "level", 3),
                    "read",
                    Map.of("owner", "zoe", "department", "d1"),
                    null,
                    Map.of()),
            request(
                    "bob",
                    Set.of(),
                    Map.of("department", "d2", "level", 7),
                    "delete",
                    Map.of("owner", "zoe", "department", "d1"),
                    "acme",
                    Map.of("flag", true)),
            request(
                    "eve",
                    Set.of("viewer"),
                    Map.of("level", 2.5),
                    "write",
                    Map.of("owner", 42),
                    null,
                    Map.of("flag", "yes")),
            request("amy", Set.of(), Map.of(), "read", Map.of(), "globex", Map.of()));

    private static AccessRequest request(
            String id,
            Set<String> roles,
            Map<String, ?> subjectAttrs,
            String action,
            Map<String, ?> resourceAttrs,
            String tenant,
            Map<String, ?> context) {
        return new AccessRequest(
                new Subject(id, roles, dev.gatehouse.core.policy.Attributes.copy(subjectAttrs)),
                action,
                new Resource("document", "d-1", dev.gatehouse.core.policy.Attributes.copy(resourceAttrs)),
                tenant,
                dev.gatehouse.core.policy.Attributes.copy(context));
    }

    @Test
    void evalWhenAnsweredThenAgreesWithCelAndDefersOnCelErrors() {
        int decided = 0;
        for (String expression : EXPRESSIONS) {
            CelConditions.Compiled c = CelConditions.compile(expression, "test");
            assertThat(c.fast()).as(expression).isNotNull();
            for (AccessRequest r : REQUESTS) {
                FastCondition.Outcome fast = c.fast().eval(r);
                Object cel;
                try {
                    cel = c.program().eval(CelConditions.activation(r));
                } catch (CelEvaluationException e) {
                    cel = e;
                }
                if (fast instanceof FastCondition.Decided d) {
                    decided++;
                    assertThat(d.value()).as("%s on %s", expression, r).isEqualTo(cel);
                }
            }
        }
        assertThat(decided).isGreaterThan(EXPRESSIONS.size() * 2);
    }

    @Test
    void ofWhenMacroOrFunctionUsedThenNoFastPath() {
        assertThat(CelConditions.compile("subject.roles.exists(r, r == 'a')", "t")
                        .fast())
                .isNull();
        assertThat(CelConditions.compile("has(resource.attributes.owner)", "t").fast())
                .isNull();
        assertThat(CelConditions.compile("subject.id.startsWith('a')", "t").fast())
                .isNull();
        assertThat(CelConditions.compile("size(subject.roles) > 0", "t").fast()).isNull();
    }
}
