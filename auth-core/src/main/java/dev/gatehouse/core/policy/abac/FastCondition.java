package dev.gatehouse.core.policy.abac;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.gatehouse.core.policy.AccessRequest;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A direct evaluator for the common shapes of conditions, walking the type-checked CEL AST over the request
 * itself, without building CEL's activation: attribute reads, {@code has()}, string/bool/int constants and
 * lists, {@code == != < <= > >=}, {@code && || ! ?:}, {@code in} (lists of strings or ints, map keys), int
 * arithmetic {@code + - * / %} and string concatenation, {@code size}, {@code startsWith}, {@code endsWith},
 * {@code contains}, {@code matches} with a constant pattern, {@code timestamp(string)} compared with timestamps,
 * and comprehensions over lists (the macros {@code exists}, {@code all}, {@code exists_one}).
 *
 * <p>It never decides on its own where CEL might differ: any value of an unexpected type, a missing key, an
 * int overflow or a division by zero (errors in CEL), a timestamp string outside plain {@code
 * YYYY-MM-DDThh:mm:ss[.f]Z}, or any construct outside the subset yields {@link Unsure}, and the caller then
 * runs CEL's own program, whose answer (or error) is authoritative. {@code &&}, {@code ||} and the macros
 * absorb an unsure operand exactly where CEL absorbs an error ({@code false && x}, {@code true || x}). So the
 * semantics stay CEL's; this only saves time on the cases it can prove ({@code FastConditionTests} checks it
 * against CEL's interpreter).
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
     * of CEL's value for it (a missing key, an unexpected type, an overflow), so it propagates up to {@link
     * #eval}.
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
        Object eval(AccessRequest r, Object[] frame);
    }

    /** Comprehension variables in scope while compiling: name to frame slot. */
    private static final class Scope {
        final Map<String, Integer> slots = new HashMap<>();
        final boolean regexFind;
        int size;

        Scope(boolean regexFind) {
            this.regexFind = regexFind;
        }
    }

    private static final Object[] NO_FRAME = new Object[0];

    private final Node root;
    private final int frameSize;

    private FastCondition(Node root, int frameSize) {
        this.root = root;
        this.frameSize = frameSize;
    }

    /**
     * Compiles a type-checked expression, or returns {@code null} if it uses anything outside the subset.
     *
     * @param expr the checked AST's root
     * @param regexFind whether CEL's {@code matches} finds the pattern anywhere (true) or must match the whole
     *     string (false), as CEL's options say
     * @return the evaluator, or {@code null}
     */
    static @Nullable FastCondition of(CelExpr expr, boolean regexFind) {
        Scope scope = new Scope(regexFind);
        Node n = node(expr, scope);
        return n == null ? null : new FastCondition(n, scope.size);
    }

    /**
     * Evaluates the condition.
     *
     * @param request the request
     * @return {@link Decided} with CEL's answer, or {@link Unsure}
     */
    Outcome eval(AccessRequest request) {
        Object[] frame = frameSize == 0 ? NO_FRAME : new Object[frameSize];
        return root.eval(request, frame) instanceof Boolean b ? Decided.of(b) : Unsure.INSTANCE;
    }

    private static @Nullable Node node(CelExpr e, Scope scope) {
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
                return (r, f) -> v;
            }
            case IDENT -> {
                String name = e.ident().name();
                Integer slot = scope.slots.get(name);
                if (slot != null) {
                    int i = slot;
                    return (r, f) -> f[i];
                }
                return VARIABLES.contains(name) ? variable(name) : null;
            }
            case SELECT -> {
                Node operand = node(e.select().operand(), scope);
                if (operand == null) {
                    return null;
                }
                String field = e.select().field();
                if (e.select().testOnly()) {
                    // has(m.f) on a map is whether the key is present; on anything else, CEL's rules.
                    return (r, f) -> operand.eval(r, f) instanceof Map<?, ?> m ? m.containsKey(field) : Unsure.INSTANCE;
                }
                return (r, f) -> get(operand.eval(r, f), field);
            }
            case LIST -> {
                if (!e.list().optionalIndices().isEmpty()) {
                    return null;
                }
                List<Node> items = new ArrayList<>();
                for (CelExpr item : e.list().elements()) {
                    Node n = node(item, scope);
                    if (n == null) {
                        return null;
                    }
                    items.add(n);
                }
                return (r, f) -> {
                    List<Object> out = new ArrayList<>(items.size());
                    for (Node n : items) {
                        Object v = n.eval(r, f);
                        if (v == Unsure.INSTANCE) {
                            // CEL: a list literal with an erroring element is an error as a whole; macros, size()
                            // and `in` must never decide around it.
                            return Unsure.INSTANCE;
                        }
                        out.add(v);
                    }
                    return out;
                };
            }
            case CALL -> {
                return call(e, scope);
            }
            case COMPREHENSION -> {
                return comprehension(e.comprehension(), scope);
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * A fold over a list, as CEL runs it: the accumulator starts at {@code accuInit}; for each element, stop if
     * {@code loopCondition} is false, else the accumulator becomes {@code loopStep}; then {@code result}. If the
     * loop condition is unsure, so is the whole (CEL might have stopped there).
     */
    private static @Nullable Node comprehension(CelExpr.CelComprehension c, Scope scope) {
        if (!c.iterVar2().isEmpty()) {
            return null;
        }
        Node range = node(c.iterRange(), scope);
        Node init = node(c.accuInit(), scope);
        if (range == null || init == null) {
            return null;
        }
        Map<String, Integer> saved = new HashMap<>(scope.slots);
        int iter = scope.size++;
        int accu = scope.size++;
        scope.slots.put(c.iterVar(), iter);
        scope.slots.put(c.accuVar(), accu);
        Node condition = node(c.loopCondition(), scope);
        Node step = node(c.loopStep(), scope);
        Node result = node(c.result(), scope);
        scope.slots.clear();
        scope.slots.putAll(saved);
        if (condition == null || step == null || result == null) {
            return null;
        }
        return (r, f) -> {
            // subject.roles is a set here and a list copied from it in CEL's activation: same order.
            if (!(range.eval(r, f) instanceof Collection<?> list)) {
                return Unsure.INSTANCE; // maps iterate keys in CEL; an error or anything else is CEL's
            }
            f[accu] = init.eval(r, f);
            for (Object element : list) {
                f[iter] = element;
                Object go = condition.eval(r, f);
                if (Boolean.FALSE.equals(go)) {
                    break;
                }
                if (!Boolean.TRUE.equals(go)) {
                    return Unsure.INSTANCE;
                }
                f[accu] = step.eval(r, f);
            }
            return result.eval(r, f);
        };
    }

    private static @Nullable Node call(CelExpr e, Scope scope) {
        String f = e.call().function();
        Node target = null;
        if (e.call().target().isPresent()) {
            target = node(e.call().target().get(), scope);
            if (target == null) {
                return null;
            }
        }
        List<Node> args = new ArrayList<>();
        for (CelExpr a : e.call().args()) {
            Node n = node(a, scope);
            if (n == null) {
                return null;
            }
            args.add(n);
        }
        if (target != null) {
            return member(f, target, args, e, scope);
        }
        if (args.size() == 1) {
            Node a = args.get(0);
            return switch (f) {
                case "!_" -> (r, fr) -> a.eval(r, fr) instanceof Boolean b ? !b : Unsure.INSTANCE;
                case "-_" ->
                    (r, fr) -> a.eval(r, fr) instanceof Long x && x != Long.MIN_VALUE ? (Object) (-x) : Unsure.INSTANCE;
                // CEL: true unless the argument is false; an error counts as true. Unsure might be either.
                case "@not_strictly_false" -> (r, fr) -> a.eval(r, fr) instanceof Boolean b ? b : Unsure.INSTANCE;
                case "size" -> (r, fr) -> size(a.eval(r, fr));
                case "timestamp" -> (r, fr) -> timestamp(a.eval(r, fr));
                default -> null;
            };
        }
        if (args.size() == 3 && f.equals("_?_:_")) {
            Node c = args.get(0);
            Node x = args.get(1);
            Node y = args.get(2);
            return (r, fr) -> {
                Object v = c.eval(r, fr);
                return Boolean.TRUE.equals(v)
                        ? x.eval(r, fr)
                        : Boolean.FALSE.equals(v) ? y.eval(r, fr) : Unsure.INSTANCE;
            };
        }
        if (args.size() != 2) {
            return null;
        }
        Node a = args.get(0);
        Node b = args.get(1);
        return switch (f) {
            case "_&&_" ->
                (r, fr) -> {
                    Object x = a.eval(r, fr);
                    if (Boolean.FALSE.equals(x)) {
                        return false;
                    }
                    if (!isBooleanOrUnsure(x)) {
                        return Unsure.INSTANCE; // cel-java: a non-boolean operand is an error, never absorbed
                    }
                    Object y = b.eval(r, fr);
                    if (!isBooleanOrUnsure(y)) {
                        return Unsure.INSTANCE;
                    }
                    if (Boolean.FALSE.equals(y)) {
                        return false; // CEL: error && false == false
                    }
                    return Boolean.TRUE.equals(x) && Boolean.TRUE.equals(y) ? Boolean.TRUE : Unsure.INSTANCE;
                };
            case "_||_" ->
                (r, fr) -> {
                    Object x = a.eval(r, fr);
                    if (Boolean.TRUE.equals(x)) {
                        return true;
                    }
                    if (!isBooleanOrUnsure(x)) {
                        return Unsure.INSTANCE; // cel-java: a non-boolean operand is an error, never absorbed
                    }
                    Object y = b.eval(r, fr);
                    if (!isBooleanOrUnsure(y)) {
                        return Unsure.INSTANCE;
                    }
                    if (Boolean.TRUE.equals(y)) {
                        return true; // CEL: error || true == true
                    }
                    return Boolean.FALSE.equals(x) && Boolean.FALSE.equals(y) ? Boolean.FALSE : Unsure.INSTANCE;
                };
            case "_==_" -> (r, fr) -> equal(a.eval(r, fr), b.eval(r, fr));
            case "_!=_" ->
                (r, fr) -> {
                    Object eq = equal(a.eval(r, fr), b.eval(r, fr));
                    return eq instanceof Boolean x ? !x : Unsure.INSTANCE;
                };
            case "_<_", "_<=_", "_>_", "_>=_" -> (r, fr) -> compare(f, a.eval(r, fr), b.eval(r, fr));
            case "@in" -> (r, fr) -> in(a.eval(r, fr), b.eval(r, fr));
            case "_[_]" ->
                (r, fr) -> {
                    Object key = b.eval(r, fr);
                    return key instanceof String k ? get(a.eval(r, fr), k) : Unsure.INSTANCE;
                };
            case "_+_", "_-_", "_*_", "_/_", "_%_" -> (r, fr) -> arithmetic(f, a.eval(r, fr), b.eval(r, fr));
            case "matches" -> matches(a, e.call().args().get(1), scope);
            default -> null;
        };
    }

    /** Receiver-style calls: {@code s.startsWith(p)}, {@code s.matches(re)}, {@code l.size()}, ... */
    private static @Nullable Node member(String f, Node target, List<Node> args, CelExpr e, Scope scope) {
        if (args.isEmpty()) {
            return f.equals("size") ? (r, fr) -> size(target.eval(r, fr)) : null;
        }
        if (args.size() != 1) {
            return null;
        }
        Node a = args.get(0);
        return switch (f) {
            case "startsWith" ->
                (r, fr) -> target.eval(r, fr) instanceof String s && a.eval(r, fr) instanceof String p
                        ? (Object) s.startsWith(p)
                        : Unsure.INSTANCE;
            case "endsWith" ->
                (r, fr) -> target.eval(r, fr) instanceof String s && a.eval(r, fr) instanceof String p
                        ? (Object) s.endsWith(p)
                        : Unsure.INSTANCE;
            case "contains" ->
                (r, fr) -> target.eval(r, fr) instanceof String s && a.eval(r, fr) instanceof String p
                        ? (Object) s.contains(p)
                        : Unsure.INSTANCE;
            case "matches" -> matches(target, e.call().args().get(0), scope);
            default -> null;
        };
    }

    /** {@code matches} with a constant pattern, compiled once with the engine CEL uses (RE2/J). */
    private static @Nullable Node matches(Node subject, CelExpr pattern, Scope scope) {
        if (pattern.getKind() != CelExpr.ExprKind.Kind.CONSTANT
                || pattern.constant().getKind() != CelConstant.Kind.STRING_VALUE) {
            return null;
        }
        Pattern p;
        try {
            p = Pattern.compile(pattern.constant().stringValue());
        } catch (PatternSyntaxException ex) {
            return null; // CEL raises its own error on every evaluation; let it
        }
        boolean find = scope.regexFind;
        return (r, fr) -> subject.eval(r, fr) instanceof String s
                ? (Object) (find ? p.matcher(s).find() : p.matcher(s).matches())
                : Unsure.INSTANCE;
    }

    private static Node variable(String name) {
        return switch (name) {
            case "subject.id" -> (r, f) -> r.subject().id();
            case "subject.roles" -> (r, f) -> r.subject().roles();
            case "subject.attributes" -> (r, f) -> r.subject().attributes();
            case "resource.type" -> (r, f) -> r.resource().type();
            case "resource.id" -> (r, f) -> r.resource().id();
            case "resource.attributes" -> (r, f) -> r.resource().attributes();
            case "action" -> (r, f) -> r.action();
            case "tenant" -> (r, f) -> r.tenant() == null ? "" : r.tenant();
            case "context" -> (r, f) -> r.context();
            default -> throw new IllegalArgumentException(name);
        };
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
                || (x instanceof Long && y instanceof Long)
                || (x instanceof Instant && y instanceof Instant)) {
            return x.equals(y);
        }
        return Unsure.INSTANCE;
    }

    private static Object compare(String f, Object x, Object y) {
        int c;
        if (x instanceof Long a && y instanceof Long b) {
            c = Long.compare(a, b);
        } else if (x instanceof Instant a && y instanceof Instant b) {
            c = a.compareTo(b);
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

    /** int64 arithmetic; overflow and division by zero are errors in CEL, so unsure here. */
    private static Object arithmetic(String f, Object x, Object y) {
        if (f.equals("_+_") && x instanceof String a && y instanceof String b) {
            return a.concat(b);
        }
        if (!(x instanceof Long a) || !(y instanceof Long b)) {
            return Unsure.INSTANCE;
        }
        try {
            return switch (f) {
                case "_+_" -> Math.addExact(a, b);
                case "_-_" -> Math.subtractExact(a, b);
                case "_*_" -> Math.multiplyExact(a, b);
                default -> {
                    if (b == 0 || (a == Long.MIN_VALUE && b == -1)) {
                        yield Unsure.INSTANCE;
                    }
                    // Both truncate toward zero, like CEL's int64 division and remainder.
                    yield f.equals("_/_") ? a / b : a % b;
                }
            };
        } catch (ArithmeticException overflow) {
            return Unsure.INSTANCE;
        }
    }

    private static Object size(Object x) {
        if (x instanceof String s) {
            return (long) s.codePointCount(0, s.length()); // CEL counts code points
        }
        if (x instanceof Collection<?> l) {
            return (long) l.size();
        }
        if (x instanceof Map<?, ?> m) {
            return (long) m.size();
        }
        return Unsure.INSTANCE;
    }

    private static Object timestamp(Object x) {
        // Parsed by hand (a regex and DateTimeFormatter cost microseconds); LocalDateTime checks the fields.
        if (!(x instanceof String s)) {
            return Unsure.INSTANCE;
        }
        int n = s.length();
        if (n < 20
                || n > 30
                || n == 21
                || s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != 'T'
                || s.charAt(13) != ':'
                || s.charAt(16) != ':'
                || (n > 20 && s.charAt(19) != '.')
                || s.charAt(n - 1) != 'Z') {
            return Unsure.INSTANCE;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        int nanos = 0;
        if (n > 20) {
            nanos = digits(s, 20, n - 21);
            for (int i = n - 21; i < 9 && nanos >= 0; i++) {
                nanos *= 10;
            }
        }
        if (year < 1 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || second > 59 || nanos < 0) {
            return Unsure.INSTANCE; // year 0 is outside CEL's range; leap seconds and the rest are CEL's to judge
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return Unsure.INSTANCE; // e.g. month 13: CEL reports its own error
        }
    }

    /** The decimal value of {@code length} ASCII digits from {@code from}, or -1. */
    private static int digits(String s, int from, int length) {
        int v = 0;
        for (int i = from; i < from + length; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static Object in(Object x, Object collection) {
        if (collection instanceof Map<?, ?> m) {
            return x instanceof String ? (Object) m.containsKey(x) : Unsure.INSTANCE;
        }
        if (!(collection instanceof Collection<?> c) || !(x instanceof String || x instanceof Long)) {
            return Unsure.INSTANCE;
        }
        Class<?> type = x.getClass();
        boolean found = false;
        for (Object o : c) {
            if (o.getClass() != type) {
                return Unsure.INSTANCE; // mixed types: CEL's heterogeneous equality decides
            }
            found |= o.equals(x);
        }
        return found;
    }

    private static boolean isBooleanOrUnsure(@Nullable Object v) {
        return v instanceof Boolean || v == Unsure.INSTANCE;
    }
}
