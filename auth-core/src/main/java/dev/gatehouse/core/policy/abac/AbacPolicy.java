package dev.gatehouse.core.policy.abac;

import dev.cel.runtime.CelEvaluationException;
import dev.gatehouse.core.internal.OptionalLibrary;
import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.CombiningAlgorithm;
import dev.gatehouse.core.policy.Evaluation;
import dev.gatehouse.core.policy.Obligation;
import dev.gatehouse.core.policy.PolicyDocuments;
import dev.gatehouse.core.policy.PolicyException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One ABAC policy: rules with a target, an effect and a CEL condition, combined by a {@link
 * CombiningAlgorithm} (default deny-overrides). Compiled once at load — parse and type errors name the
 * policy, the rule and the position — then immutable and thread-safe.
 *
 * <pre>{@code
 * id: documents-abac
 * algorithm: deny-overrides          # or permit-overrides, first-applicable
 * actions: [read, write, delete]     # optional: any other action is indeterminate ("unknown action")
 * rules:
 *   - id: owner-writes
 *     description: owners may edit their documents
 *     target: { resource: document, actions: [read, write] }   # resource "*" or no actions = any
 *     effect: permit
 *     condition: resource.attributes.owner == subject.id
 *     obligations: [ { id: audit } ]
 *   - id: locked
 *     target: { resource: document, actions: [write, delete] }
 *     effect: deny
 *     condition: "has(resource.attributes.locked) && resource.attributes.locked"
 * }</pre>
 */
public final class AbacPolicy {

    private final String id;
    private final CombiningAlgorithm algorithm;
    private final Set<String> actions;
    private final List<Rule> rules;
    private final Map<String, List<Rule>> byType;

    private AbacPolicy(String id, CombiningAlgorithm algorithm, Set<String> actions, List<Rule> rules) {
        this.id = id;
        this.algorithm = algorithm;
        this.actions = Set.copyOf(actions);
        this.rules = List.copyOf(rules);
        Map<String, List<Rule>> index = new HashMap<>();
        for (Rule r : rules) {
            if (!r.resource.equals("*")) {
                index.computeIfAbsent(r.resource, k -> new ArrayList<>());
            }
        }
        // Each type's list keeps document order, wildcard rules included, so first-applicable is exact.
        for (Map.Entry<String, List<Rule>> e : index.entrySet()) {
            for (Rule r : rules) {
                if (r.resource.equals("*") || r.resource.equals(e.getKey())) {
                    e.getValue().add(r);
                }
            }
        }
        index.replaceAll((k, v) -> List.copyOf(v));
        index.put("*", rules.stream().filter(r -> r.resource.equals("*")).toList());
        this.byType = Map.copyOf(index);
    }

    private static void requireCel() {
        if (!OptionalLibrary.CEL.isPresent()) {
            throw new PolicyException(
                    PolicyException.Reason.LIBRARY_MISSING,
                    OptionalLibrary.CEL.missingMessage("CEL conditions (policy.abac)"));
        }
    }

    /**
     * Loads and compiles a policy from a YAML or JSON file.
     *
     * @param file the file
     * @return the policy
     * @throws PolicyException ({@code policy.invalid_condition}) naming policy, rule and position of a CEL
     *     error; ({@code policy.invalid_policy}) for a malformed document
     */
    public static AbacPolicy load(Path file) {
        requireCel();
        return fromDocument(PolicyDocuments.read(file), file.toString());
    }

    /**
     * Compiles a policy from YAML or JSON text.
     *
     * @param text the document
     * @return the policy
     */
    public static AbacPolicy parse(String text) {
        requireCel();
        return fromDocument(PolicyDocuments.parse(text, "policy document"), "policy document");
    }

    /**
     * Compiles a policy from a parsed document.
     *
     * @param doc the document
     * @param source where it came from, for messages
     * @return the policy
     */
    public static AbacPolicy fromDocument(Map<String, Object> doc, String source) {
        requireCel();
        String id = PolicyDocuments.string(doc, "id", source);
        String algorithmName = PolicyDocuments.optionalString(doc, "algorithm", source);
        CombiningAlgorithm algorithm =
                algorithmName == null ? CombiningAlgorithm.DENY_OVERRIDES : CombiningAlgorithm.parse(algorithmName);
        List<?> list = PolicyDocuments.list(doc, "rules", source);
        if (list.isEmpty()) {
            throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "policy '" + id + "' has no rules");
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "policy '" + id + "' rules[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, where + " must be a mapping");
            }
            String ruleId = PolicyDocuments.string(m, "id", where);
            where = "policy '" + id + "' rule '" + ruleId + "' (rules[" + i + "])";
            if (!seen.add(ruleId)) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, where + ": duplicate rule id");
            }
            Map<String, Object> target = PolicyDocuments.map(m, "target", where);
            String resource = target.isEmpty() ? "*" : PolicyDocuments.string(target, "resource", where + " target");
            List<String> actions = PolicyDocuments.strings(target, "actions", where + " target");
            Effect effect = effect(PolicyDocuments.string(m, "effect", where), where);
            String condition = PolicyDocuments.optionalString(m, "condition", where);
            List<Obligation> obligations = new ArrayList<>();
            for (Object o : PolicyDocuments.list(m, "obligations", where)) {
                if (!(o instanceof Map<?, ?> om)) {
                    throw new PolicyException(
                            PolicyException.Reason.INVALID_POLICY, where + ": obligations must be mappings");
                }
                obligations.add(new Obligation(
                        PolicyDocuments.string(om, "id", where + " obligation"),
                        PolicyDocuments.map(om, "attributes", where + " obligation")));
            }
            rules.add(new Rule(
                    ruleId,
                    PolicyDocuments.optionalString(m, "description", where),
                    resource,
                    actions.contains("*") ? Set.of() : Set.copyOf(actions),
                    effect,
                    condition,
                    condition == null ? null : CelConditions.compile(condition, where),
                    obligations));
        }
        return new AbacPolicy(id, algorithm, Set.copyOf(PolicyDocuments.strings(doc, "actions", source)), rules);
    }

    private static Effect effect(String s, String where) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "permit", "allow" -> Effect.PERMIT;
            case "deny" -> Effect.DENY;
            default ->
                throw new PolicyException(
                        PolicyException.Reason.INVALID_POLICY,
                        where + ": effect must be permit or deny, not '" + s + "'");
        };
    }

    /**
     * Evaluates the policy: the matching rules combined by the policy's algorithm. A rule whose condition
     * fails to evaluate (missing attribute, type mismatch at run time) is indeterminate.
     *
     * @param request the request
     * @return the evaluation, naming the deciding rule
     */
    public Evaluation evaluate(AccessRequest request) {
        if (!actions.isEmpty() && !actions.contains(request.action())) {
            return Evaluation.indeterminate(id, null, "unknown action '" + request.action() + "'");
        }
        List<Rule> candidates = byType.get(request.resource().type());
        if (candidates == null) {
            // The constructor always indexes "*" (the wildcard rules, possibly none).
            candidates = Objects.requireNonNull(byType.get("*"));
        }
        Activation activation = new Activation(request);
        Evaluation e = algorithm.combine(id, candidates, r -> r.evaluate(id, request, activation));
        if (e.effect() == Evaluation.Effect.NOT_APPLICABLE) {
            return Evaluation.notApplicable(
                    id, "no rule matches " + request.resource().type() + ":" + request.action());
        }
        return e;
    }

    /**
     * The policy id.
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * The rule ids, in document order.
     *
     * @return the ids
     */
    public List<String> ruleIds() {
        return rules.stream().map(r -> r.id).toList();
    }

    @Override
    public String toString() {
        return "AbacPolicy[" + id + ", " + algorithm + ", " + rules.size() + " rules]";
    }

    /** Builds the CEL variables once per request, and only if a condition needs them. */
    private static final class Activation {
        private final AccessRequest request;
        private @Nullable Map<String, Object> vars;

        Activation(AccessRequest request) {
            this.request = request;
        }

        Map<String, Object> vars() {
            Map<String, Object> v = vars;
            if (v == null) {
                v = CelConditions.activation(request);
                vars = v;
            }
            return v;
        }
    }

    private static final class Rule {
        final String id;
        final @Nullable String description;
        final String resource;
        final Set<String> actions;
        final Effect effect;
        final @Nullable String condition;
        final CelConditions.@Nullable Compiled program;
        final List<Obligation> obligations;

        Rule(
                String id,
                @Nullable String description,
                String resource,
                Set<String> actions,
                Effect effect,
                @Nullable String condition,
                CelConditions.@Nullable Compiled program,
                List<Obligation> obligations) {
            this.id = id;
            this.description = description;
            this.resource = resource;
            this.actions = actions;
            this.effect = effect;
            this.condition = condition;
            this.program = program;
            this.obligations = List.copyOf(obligations);
        }

        Evaluation evaluate(String policy, AccessRequest request, Activation activation) {
            if (!actions.isEmpty() && !actions.contains(request.action())) {
                return notTargeted(policy);
            }
            if (program != null) {
                FastCondition fast = program.fast();
                Object result;
                try {
                    // Inside the try: a fault in the fast path fails closed (indeterminate) like one in CEL.
                    FastCondition.Outcome quick = fast == null ? FastCondition.Unsure.INSTANCE : fast.eval(request);
                    result = quick instanceof FastCondition.Decided decided
                            ? decided.value()
                            : program.program().eval(activation.vars());
                } catch (CelEvaluationException | RuntimeException e) {
                    // CEL messages name keys and types from the policy, not attribute values; keep them short.
                    String m = Objects.toString(e.getMessage(), e.getClass().getSimpleName());
                    return Evaluation.indeterminate(
                            policy,
                            id,
                            "condition of rule '" + id + "' failed: " + (m.length() > 200 ? m.substring(0, 200) : m));
                }
                if (!Boolean.TRUE.equals(result)) {
                    return conditionFalse(policy);
                }
            }
            return matched(policy);
        }

        // The results are immutable and depend only on the rule, so they are made once, not per request.
        private @Nullable Evaluation matched;
        private @Nullable Evaluation notTargeted;
        private @Nullable Evaluation conditionFalse;

        private Evaluation matched(String policy) {
            Evaluation e = matched;
            if (e == null) {
                String why = "rule '" + id + "' matched"
                        + (description == null ? "" : " (" + description + ")")
                        + (condition == null ? "" : ": " + condition);
                e = effect == Effect.PERMIT ? Evaluation.permit(policy, id, why) : Evaluation.deny(policy, id, why);
                e = obligations.isEmpty() ? e : e.withObligations(obligations);
                matched = e;
            }
            return e;
        }

        private Evaluation notTargeted(String policy) {
            Evaluation e = notTargeted;
            if (e == null) {
                e = Evaluation.notApplicable(policy, "rule " + id + " targets other actions");
                notTargeted = e;
            }
            return e;
        }

        private Evaluation conditionFalse(String policy) {
            Evaluation e = conditionFalse;
            if (e == null) {
                e = Evaluation.notApplicable(policy, "condition of rule " + id + " is false");
                conditionFalse = e;
            }
            return e;
        }
    }
}
