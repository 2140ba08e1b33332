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

    /** Conditions that need CEL proper: macros, arithmetic, timestamps, string functions, size, has. */
    private static final List<String> CEL_PROPER = List.of(
            "subject.attributes.groups.exists(g, g in resource.attributes.groups)",
            "subject.attributes.groups.all(g, g.startsWith('team-'))",
            "subject.attributes.groups.exists_one(g, g == 'ops')",
            "subject.attributes.groups.exists(g, resource.attributes.groups.exists(h, g == h))",
            "subject.roles.exists(r, r == 'admin') || subject.roles.all(r, r != 'viewer')",
            "size(resource.attributes.tags) == 0 || resource.attributes.tags.all(t, t != 'secret')",
            "resource.attributes.size * 2 < subject.attributes.quota",
            "resource.attributes.size + subject.attributes.quota > 0",
            "resource.attributes.size - subject.attributes.quota < 0",
            "subject.attributes.quota / resource.attributes.size >= 2",
            "subject.attributes.quota % resource.attributes.size == 1",
            "-resource.attributes.size < 0",
            "resource.attributes.size * resource.attributes.size > 0 || action == 'read'",
            "resource.attributes.size * resource.attributes.size > 0 && action == 'nope'",
            "resource.attributes.size in [1, 10, 100] || subject.id in subject.attributes.groups",
            "timestamp(context.now) < timestamp(resource.attributes.expires)",
            "timestamp(context.now) == timestamp('2026-12-07T21:00:00Z')",
            "timestamp(resource.attributes.expires) >= timestamp('2026-12-08T00:00:00.5Z')",
            "resource.attributes.path.startsWith(subject.attributes.home)",
            "resource.attributes.path.endsWith('.txt') || resource.attributes.path.contains('/tmp/')",
            "resource.attributes.path.startsWith('/home/' + subject.id + '/')",
            "size(resource.attributes.name) <= 5 && resource.attributes.name.matches('^[a-z0-9._-]+$')",
            "resource.attributes.name.matches('b')",
            "matches(resource.attributes.name, '[0-9]+')",
            "size(subject.attributes.groups) > 0 && subject.attributes.groups.size() < 3",
            "has(resource.attributes.expires) && 'size' in resource.attributes",
            "(resource.attributes.size > 10 ? 'big' : 'small') == resource.attributes.name",
            "subject.attributes.groups.map(g, g + '!').size() > 0",
            "subject.attributes.groups.filter(g, g.startsWith('t')).size() == 1");

    private static final List<AccessRequest> CEL_PROPER_REQUESTS = List.of(
            // ordinary permits and denies
            files(
                    "zoe",
                    Map.of("groups", List.of("team-a", "ops"), "quota", 100, "home", "/home/zoe/"),
                    Map.of(
                            "groups",
                            List.of("ops"),
                            "size",
                            10,
                            "expires",
                            "2026-12-08T00:00:00Z",
                            "path",
                            "/home/zoe/notes.txt",
                            "name",
                            "abc",
                            "tags",
                            List.of()),
                    Map.of("now", "2026-12-07T21:00:00Z")),
            files(
                    "bob",
                    Map.of("groups", List.of("team-b", "bob"), "quota", 15, "home", "/home/bob/"),
                    Map.of(
                            "groups",
                            List.of("ops", "dev"),
                            "size",
                            11,
                            "expires",
                            "2026-12-07T20:59:59.999Z",
                            "path",
                            "/tmp/x",
                            "name",
                            "big",
                            "tags",
                            List.of("a", "secret")),
                    Map.of("now", "2026-12-07T21:00:00.000000001Z")),
            // absent attributes
            files("amy", Map.of(), Map.of(), Map.of()),
            // wrong types
            files(
                    "eve",
                    Map.of("groups", "ops", "quota", 2.5, "home", 7),
                    Map.of(
                            "groups",
                            List.of(1, "ops"),
                            "size",
                            "10",
                            "expires",
                            12345,
                            "path",
                            true,
                            "name",
                            42,
                            "tags",
                            "x"),
                    Map.of("now", List.of())),
            files(
                    "eve",
                    Map.of("groups", List.of("ops", 3), "quota", "100"),
                    Map.of("groups", Map.of("ops", true), "size", 2.0, "expires", "soon"),
                    Map.of("now", "2026-12-07")),
            // overflow, division by zero, negative remainder
            files(
                    "max",
                    Map.of("groups", List.of(), "quota", Long.MIN_VALUE, "home", ""),
                    Map.of(
                            "groups",
                            List.of(),
                            "size",
                            Long.MAX_VALUE,
                            "expires",
                            "9999-12-31T23:59:59Z",
                            "path",
                            "",
                            "name",
                            "",
                            "tags",
                            List.of()),
                    Map.of("now", "0001-01-01T00:00:00Z")),
            files(
                    "zed",
                    Map.of("groups", List.of("ops"), "quota", -7, "home", "/"),
                    Map.of(
                            "groups",
                            List.of("ops"),
                            "size",
                            0,
                            "expires",
                            "2026-12-08T00:00:00+01:00",
                            "path",
                            "/home/zed/",
                            "name",
                            "b",
                            "tags",
                            List.of("x")),
                    Map.of("now", "2026-12-07t21:00:00z")),
            files(
                    "zed",
                    Map.of("groups", List.of("ops", "ops"), "quota", -7, "home", "/home/"),
                    Map.of(
                            "groups",
                            List.of("ops"),
                            "size",
                            3,
                            "expires",
                            "2026-13-01T00:00:00Z",
                            "path",
                            "/home/zed/a.txt",
                            "name",
                            "12",
                            "tags",
                            List.of()),
                    Map.of("now", "2016-12-31T23:59:60Z")),
            files(
                    "uni",
                    Map.of("groups", List.of("team-\uD83D\uDE00"), "quota", 4611686018427387904L),
                    Map.of(
                            "groups",
                            List.of("team-\uD83D\uDE00"),
                            "size",
                            4611686018427387904L,
                            "expires",
                            "0000-01-01T00:00:00Z",
                            "path",
                            "/home/uni/\uD83D\uDE00",
                            "name",
                            "h\u00e9\uD83D\uDE00llo",
                            "tags",
                            List.of()),
                    Map.of("now", "2026-12-07T21:00:00.1234567891Z")),
            files(
                    "tim",
                    Map.of("groups", List.of("a")),
                    Map.of("groups", List.of("b"), "expires", "2026-12-07T24:00:00Z", "name", "x\n"),
                    Map.of("now", "2026-02-29T00:00:00Z")),
            files(
                    "tim",
                    Map.of("groups", List.of("a")),
                    Map.of("groups", List.of("a"), "expires", "2028-02-29T23:59:59.999999999Z", "name", "b\n"),
                    Map.of("now", "2026-12-07T21:00:00.Z")),
            files(
                    "tim",
                    Map.of("groups", List.of("a")),
                    Map.of("groups", List.of("a"), "expires", "2026-12-07T21:00:00.000000001Z"),
                    Map.of("now", "2026-12-07T21:00:00.1Z")));

    private static AccessRequest files(
            String id, Map<String, ?> subjectAttrs, Map<String, ?> resourceAttrs, Map<String, ?> context) {
        return request(id, Set.of("editor", "viewer"), subjectAttrs, "write", resourceAttrs, null, context);
    }

    @Test
    void evalWhenCelProperConditionsThenAgreesWithCelInterpreterAndDefersOnErrors() {
        int decided = 0;
        int celErrors = 0;
        for (String expression : CEL_PROPER) {
            CelConditions.Compiled c = CelConditions.compile(expression, "test");
            assertThat(c.fast()).as(expression).isNotNull();
            for (AccessRequest r : CEL_PROPER_REQUESTS) {
                FastCondition.Outcome fast = c.fast().eval(r);
                Object cel;
                try {
                    cel = c.program().eval(CelConditions.activation(r));
                } catch (CelEvaluationException e) {
                    cel = e;
                    celErrors++;
                }
                if (fast instanceof FastCondition.Decided d) {
                    decided++;
                    // A CEL error is never equal to a boolean: the fast path must have deferred.
                    assertThat((Object) d.value()).as("%s on %s", expression, r).isEqualTo(cel);
                }
            }
        }
        // Most ordinary cases are decided directly; the corpus does reach CEL's errors.
        assertThat(decided).isGreaterThan(CEL_PROPER.size() * 3);
        assertThat(celErrors).isGreaterThan(CEL_PROPER.size() * 2);
    }

    @Test
    void evalWhenListLiteralHasAnErroringElementThenDefersToCelWhichErrs() {
        assertDefersToCelWhichErrs(
                files("zoe", Map.of(), Map.of("owner", "zoe"), Map.of()),
                "[resource.attributes.owner, resource.attributes.delegate].exists(u, u == subject.id)",
                "size([resource.attributes.missing]) == 1",
                "subject.id in [resource.attributes.owner, resource.attributes.delegate]");
    }

    @Test
    void evalWhenLogicalOperandIsNotBooleanThenDefersToCelWhichErrs() {
        assertDefersToCelWhichErrs(
                files("zoe", Map.of(), Map.of("public", "true", "hidden", "false"), Map.of()),
                "resource.attributes.public || subject.id == 'zoe'",
                "subject.id == 'zoe' && resource.attributes.public");
    }

    @Test
    void evalWhenIntOverflowsThenDefersToCelWhichErrs() {
        assertDefersToCelWhichErrs(
                CEL_PROPER_REQUESTS.get(5), "resource.attributes.size * 2 < subject.attributes.quota");
    }

    /** Each expression: the fast path is unsure on {@code r}, and CEL's interpreter errs on it (fails closed). */
    private static void assertDefersToCelWhichErrs(AccessRequest r, String... expressions) {
        for (String expression : expressions) {
            CelConditions.Compiled c = CelConditions.compile(expression, "t");
            assertThat(c.fast().eval(r)).as(expression).isInstanceOf(FastCondition.Unsure.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.program().eval(CelConditions.activation(r)))
                    .as(expression)
                    .isInstanceOf(CelEvaluationException.class);
        }
    }

    @Test
    void evaluateWhenConditionErrsThenRuleIsIndeterminateAndPolicyDenies() {
        AbacPolicy policy = AbacPolicy.parse("""
                id: files
                rules:
                  - id: quota
                    target: { resource: document }
                    effect: permit
                    condition: resource.attributes.size * 2 < subject.attributes.quota
                """);
        dev.gatehouse.core.policy.Evaluation e = policy.evaluate(CEL_PROPER_REQUESTS.get(5));
        assertThat(e.effect()).isEqualTo(dev.gatehouse.core.policy.Evaluation.Effect.INDETERMINATE);
        assertThat(policy.evaluate(CEL_PROPER_REQUESTS.get(0)).effect())
                .isEqualTo(dev.gatehouse.core.policy.Evaluation.Effect.PERMIT);
    }

    @Test
    void ofWhenOutsideSubsetThenNoFastPath() {
        assertThat(CelConditions.compile("subject.attributes.level > 2.5", "t").fast())
                .isNull();
        assertThat(CelConditions.compile("resource.attributes.name.matches(subject.id)", "t")
                        .fast())
                .isNull();
        assertThat(CelConditions.compile("duration('1h') > duration('1m')", "t").fast())
                .isNull();
    }
}
