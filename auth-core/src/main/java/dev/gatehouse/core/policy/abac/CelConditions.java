package dev.gatehouse.core.policy.abac;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.PolicyException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The CEL environment of conditions. Declared variables (anything else is a compile error):
 *
 * <ul>
 *   <li>{@code subject.id} string, {@code subject.roles} list(string), {@code subject.attributes}
 *       map(string, dyn)
 *   <li>{@code resource.type} string, {@code resource.id} string, {@code resource.attributes} map(string,
 *       dyn)
 *   <li>{@code action} string, {@code tenant} string ({@code ""} when none), {@code context} map(string,
 *       dyn)
 * </ul>
 *
 * Conditions must type-check to {@code bool}. Reading an attribute that is absent is an evaluation error
 * (an indeterminate rule, so a deny unless another rule decides); guard with {@code has(...)} or
 * {@code 'k' in resource.attributes}.
 */
final class CelConditions {

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("subject.id", SimpleType.STRING)
            .addVar("subject.roles", ListType.create(SimpleType.STRING))
            .addVar("subject.attributes", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("resource.type", SimpleType.STRING)
            .addVar("resource.id", SimpleType.STRING)
            .addVar("resource.attributes", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("action", SimpleType.STRING)
            .addVar("tenant", SimpleType.STRING)
            .addVar("context", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .setResultType(SimpleType.BOOL)
            .build();

    /**
     * Whether this CEL's {@code matches} finds the pattern anywhere in the string (the CEL specification) or
     * requires the whole string to match (cel-java's default options): asked of CEL itself, so the fast path
     * follows whatever the runtime does.
     */
    static final boolean REGEX_FIND = regexFind();

    private CelConditions() {}

    private static boolean regexFind() {
        try {
            return Boolean.TRUE.equals(
                    CEL.createProgram(CEL.compile("'xay'.matches('a')").getAst())
                            .eval(Map.of()));
        } catch (CelValidationException | CelEvaluationException e) {
            throw new IllegalStateException("CEL cannot evaluate a constant regex match", e);
        }
    }

    /**
     * Parses, type-checks and plans a condition.
     *
     * @param expression the CEL source
     * @param where e.g. {@code policy 'p' rule 'r' (rules[2])}, for messages
     * @return the program (thread-safe) and fast path
     * @throws PolicyException ({@code policy.invalid_condition}) with line and column of each error
     */
    static Compiled compile(String expression, String where) {
        CelValidationResult result = CEL.compile(expression);
        if (result.hasError()) {
            String issues =
                    result.getErrors().stream().map(CelConditions::describe).collect(Collectors.joining("; "));
            throw new PolicyException(PolicyException.Reason.INVALID_CONDITION, where + " condition: " + issues);
        }
        try {
            dev.cel.common.CelAbstractSyntaxTree ast = result.getAst();
            return new Compiled(CEL.createProgram(ast), FastCondition.of(ast.getExpr(), REGEX_FIND));
        } catch (CelValidationException | CelEvaluationException e) {
            throw new PolicyException(
                    PolicyException.Reason.INVALID_CONDITION, where + " condition: " + e.getMessage(), e);
        }
    }

    /**
     * A compiled condition: CEL's program, and a direct evaluator when the expression is simple enough.
     *
     * @param program CEL's program, authoritative
     * @param fast the direct evaluator, or {@code null}
     */
    record Compiled(
            CelRuntime.Program program,
            @org.jspecify.annotations.Nullable FastCondition fast) {}

    private static String describe(CelIssue issue) {
        // CEL columns are 0-based; people count from 1.
        return "at " + issue.getSourceLocation().getLine() + ":"
                + (issue.getSourceLocation().getColumn() + 1) + " " + issue.getMessage();
    }

    /**
     * The variables of a request.
     *
     * @param r the request
     * @return the activation
     */
    static Map<String, Object> activation(AccessRequest r) {
        Map<String, Object> vars = new HashMap<>(16);
        vars.put("subject.id", r.subject().id());
        vars.put("subject.roles", List.copyOf(r.subject().roles()));
        vars.put("subject.attributes", r.subject().attributes());
        vars.put("resource.type", r.resource().type());
        vars.put("resource.id", r.resource().id());
        vars.put("resource.attributes", r.resource().attributes());
        vars.put("action", r.action());
        vars.put("tenant", r.tenant() == null ? "" : r.tenant());
        vars.put("context", r.context());
        return vars;
    }
}
