package dev.gatehouse.core.policy.abac;

import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.gatehouse.core.policy.AccessRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A direct evaluator for the common, simple shape of conditions — attribute reads, string/bool/int
 * constants, {@code == != < <= > >=}, {@code && || !}, {@code in} a list — walking the type-checked CEL AST
 * over the request itself, without building CEL's activation. It never decides on its own where CEL might
 * differ: any value of an unexpected type, a missing key, or any construct outside the subset yields {@link
 * Unsure}, and the caller then runs CEL's own program, whose answer (or error) is authoritative. So the
 * semantics stay CEL's; this only saves time on the cases it can prove.
 */
final class FastCondition {

    /** What the direct evaluator concluded: {@link Decided}, or {@link Unsure} (run CEL). */
    sealed interface Outcome permits Decided, Unsure {}

    /**
     * The condition is true or false, exactly as CEL would say.
     *
     * @param value the condition's value
     */
    record Decided(boolean value) implements Outcome {

        static final Decided TRUE = new Decided(true);
        static final Decided FALSE = new Decided(false);

        static Decided of(boolean value) {
            return value ? TRUE : FALSE;
        }
    }

    /**
     * Let CEL decide. Also what a sub-expression evaluates to inside the tree when the evaluator cannot be sure
     * of CEL's value for it (a missing key, an unexpected type), so it propagates up to {@link #eval}.
     */
    record Unsure() implements Outcome {

        static final Unsure INSTANCE = new Unsure();
    }

    private static final Set<String> VARIABLES = Set.of(
            "subject.id",
            "subject.roles",
            "subject.attributes",
            "resource.type",
            "resource.id",
            "resource.attributes",
            "action",
            "tenant",
            "context");

    /** One node of the compiled tree: evaluates to a CEL value, or to {@link Unsure}. */
    private interface Node {
        Object eval(AccessRequest r);
    }

    private final Node root;

    private FastCondition(Node root) {
        this.root = root;
    }

    /**
     * Compiles a type-checked expression, or returns {@code null} if it uses anything outside the subset.
     *
     * @param expr the checked AST's root
     * @return the evaluator, or {@code null}
     */
    static @Nullable FastCondition of(CelExpr expr) {
        Node n = node(expr);
        return n == null ? null : new FastCondition(n);
    }

    /**
     * Evaluates the condition.
     *
     * @param request the request
     * @return {@link Decided} with CEL's answer, or {@link Unsure}
     */
    Outcome eval(AccessRequest request) {
        return root.eval(request) instanceof Boolean b ? Decided.of(b) : Unsure.INSTANCE;
    }

    private static @Nullable Node node(CelExpr e) {
        switch (e.getKind()) {
            case CONSTANT -> {
                CelConstant c = e.constant();
                Object v = switch (c.getKind()) {
                    case STRING_VALUE -> c.stringValue();
                    case BOOLEAN_VALUE -> c.booleanValue();
                    case INT64_VALUE -> c.int64Value();
                    default -> null;
                };
                if (v == null) {
                    return null;
                }
                return r -> v;
            }
            case IDENT -> {
                String name = e.ident().name();
                return VARIABLES.contains(name) ? variable(name) : null;
            }
            case SELECT -> {
                if (e.select().testOnly()) {
                    return null;
                }
                Node operand = node(e.select().operand());
                return operand == null ? null : lookup(operand, e.select().field());
            }
            case LIST -> {
                List<Node> items = new ArrayList<>();
                for (CelExpr item : e.list().elements()) {
                    Node n = node(item);
                    if (n == null) {
                        return null;
                    }
                    items.add(n);
                }
                return r -> {
                    List<Object> out = new ArrayList<>(items.size());
                    for (Node n : items) {
                        out.add(n.eval(r));
                    }
                    return out;
                };
            }
            case CALL -> {
                return call(e);
            }
            default -> {
                return null;
            }
        }
    }

    private static @Nullable Node call(CelExpr e) {
        if (e.call().target().isPresent()) {
            return null;
        }
        List<Node> args = new ArrayList<>();
        for (CelExpr a : e.call().args()) {
            Node n = node(a);
            if (n == null) {
                return null;
            }
            args.add(n);
        }
        String f = e.call().function();
        if (args.size() == 1 && f.equals("!_")) {
            Node a = args.get(0);
            return r -> a.eval(r) instanceof Boolean b ? !b : Unsure.INSTANCE;
        }
        if (args.size() != 2) {
            return null;
        }
        Node a = args.get(0);
        Node b = args.get(1);
        return switch (f) {
            case "_&&_" ->
                r -> {
                    Object x = a.eval(r);
                    if (Boolean.FALSE.equals(x)) {
                        return false;
                    }
                    Object y = b.eval(r);
                    if (Boolean.FALSE.equals(y)) {
                        return false; // CEL: false && error == false
                    }
                    return Boolean.TRUE.equals(x) && Boolean.TRUE.equals(y) ? Boolean.TRUE : Unsure.INSTANCE;
                };
            case "_||_" ->
                r -> {
                    Object x = a.eval(r);
                    if (Boolean.TRUE.equals(x)) {
                        return true;
                    }
                    Object y = b.eval(r);
                    if (Boolean.TRUE.equals(y)) {
                        return true; // CEL: error || true == true
                    }
                    return Boolean.FALSE.equals(x) && Boolean.FALSE.equals(y) ? Boolean.FALSE : Unsure.INSTANCE;
                };
            case "_==_" -> r -> equal(a.eval(r), b.eval(r));
            case "_!=_" ->
                r -> {
                    Object eq = equal(a.eval(r), b.eval(r));
                    return eq instanceof Boolean x ? !x : Unsure.INSTANCE;
                };
            case "_<_", "_<=_", "_>_", "_>=_" -> r -> compare(f, a.eval(r), b.eval(r));
            case "@in" -> r -> in(a.eval(r), b.eval(r));
            case "_[_]" ->
                r -> {
                    Object key = b.eval(r);
                    return key instanceof String k ? get(a.eval(r), k) : Unsure.INSTANCE;
                };
            default -> null;
        };
    }

    private static Node variable(String name) {
        return switch (name) {
            case "subject.id" -> r -> r.subject().id();
            case "subject.roles" -> r -> r.subject().roles();
            case "subject.attributes" -> r -> r.subject().attributes();
            case "resource.type" -> r -> r.resource().type();
            case "resource.id" -> r -> r.resource().id();
            case "resource.attributes" -> r -> r.resource().attributes();
            case "action" -> AccessRequest::action;
            case "tenant" -> r -> r.tenant() == null ? "" : r.tenant();
            case "context" -> AccessRequest::context;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static Node lookup(Node operand, String field) {
        return r -> get(operand.eval(r), field);
    }

    private static Object get(Object container, String key) {
        if (container instanceof Map<?, ?> m) {
            Object v = m.get(key);
            return v == null ? Unsure.INSTANCE : v; // absent: CEL raises an error; let it
        }
        return Unsure.INSTANCE;
    }

    private static Object equal(Object x, Object y) {
        if (x instanceof Unsure || y instanceof Unsure) {
            return Unsure.INSTANCE;
        }
        // Only same-typed scalars: CEL's rules for mixed numeric types, lists and maps stay CEL's.
        if ((x instanceof String && y instanceof String)
                || (x instanceof Boolean && y instanceof Boolean)
                || (x instanceof Long && y instanceof Long)) {
            return x.equals(y);
        }
        return Unsure.INSTANCE;
    }

    private static Object compare(String f, Object x, Object y) {
        int c;
        if (x instanceof Long a && y instanceof Long b) {
            c = Long.compare(a, b);
        } else {
            // Strings (code-point order), doubles and mixed numbers: CEL's rules, CEL's evaluator.
            return Unsure.INSTANCE;
        }
        return switch (f) {
            case "_<_" -> c < 0;
            case "_<=_" -> c <= 0;
            case "_>_" -> c > 0;
            default -> c >= 0;
        };
    }

    private static Object in(Object x, Object collection) {
        if (!(x instanceof String) || !(collection instanceof Collection<?> c)) {
            return Unsure.INSTANCE;
        }
        for (Object o : c) {
            if (!(o instanceof String)) {
                return Unsure.INSTANCE;
            }
        }
        return c.contains(x);
    }
}
