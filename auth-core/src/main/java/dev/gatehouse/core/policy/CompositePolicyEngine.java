package dev.gatehouse.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Several engines as one, combined by a {@link CombiningAlgorithm} (default {@link
 * CombiningAlgorithm#DENY_OVERRIDES}): e.g. RBAC for the coarse grant and ABAC or OPA for the exceptions.
 * Engines run in the order added and stop as soon as the result is known. Immutable and thread-safe.
 *
 * <p>An engine added with {@link Builder#veto} can only take away: its permits count as "not applicable", its
 * denies win (deny-overrides), and its failures are indeterminate, so a deny with the reason. A change freeze or a
 * risk check kept in OPA can then refuse what the roles grant, but never grant anything itself:
 *
 * <pre>{@code
 * PolicyEngine admin = CompositePolicyEngine.builder().id("admin").add(roles).veto(opa).build();
 * }</pre>
 */
public final class CompositePolicyEngine implements PolicyEngine {

    private static final String VETO_PERMIT = "a permit from a veto-only engine grants nothing";

    private final String id;
    private final CombiningAlgorithm algorithm;
    private final List<Member> engines;

    private CompositePolicyEngine(Builder b) {
        this.id = b.id;
        this.algorithm = b.algorithm;
        this.engines = List.copyOf(b.engines);
    }

    /**
     * A new builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Evaluation evaluate(AccessRequest request) {
        return algorithm.combine(id, engines, m -> m.evaluate(request));
    }

    @Override
    public String id() {
        return id;
    }

    /**
     * The combining algorithm.
     *
     * @return the algorithm
     */
    public CombiningAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public String toString() {
        return "CompositePolicyEngine[" + id + ", " + algorithm + ", " + engines.size() + " engines]";
    }

    /** An engine and whether it may only veto. */
    private record Member(PolicyEngine engine, boolean vetoOnly) {

        Evaluation evaluate(AccessRequest request) {
            Evaluation e = PolicyDecisionPoint.evaluateSafely(engine, request);
            return vetoOnly && e.effect() == Evaluation.Effect.PERMIT
                    ? Evaluation.notApplicable(e.policy(), VETO_PERMIT)
                    : e;
        }
    }

    /** Builds a {@link CompositePolicyEngine}. Not thread-safe. */
    public static final class Builder {
        private String id = "composite";
        private CombiningAlgorithm algorithm = CombiningAlgorithm.DENY_OVERRIDES;
        private final List<Member> engines = new ArrayList<>();

        private Builder() {}

        /**
         * The id in decisions; default {@code composite}.
         *
         * @param id the id
         * @return this builder
         */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id must not be null");
            return this;
        }

        /**
         * The combining algorithm; default deny-overrides.
         *
         * @param algorithm the algorithm
         * @return this builder
         */
        public Builder algorithm(CombiningAlgorithm algorithm) {
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm must not be null");
            return this;
        }

        /**
         * Adds an engine, after those already added.
         *
         * @param engine the engine
         * @return this builder
         */
        public Builder add(PolicyEngine engine) {
            engines.add(new Member(Objects.requireNonNull(engine, "engine must not be null"), false));
            return this;
        }

        /**
         * Adds an engine that can only refuse, after those already added: its denies and failures count, its
         * permits are read as "not applicable". Needs {@link CombiningAlgorithm#DENY_OVERRIDES} (the default), so
         * that any deny vetoes; an engine with vetoes only never permits.
         *
         * @param engine the engine
         * @return this builder
         */
        public Builder veto(PolicyEngine engine) {
            engines.add(new Member(Objects.requireNonNull(engine, "engine must not be null"), true));
            return this;
        }

        /**
         * Builds the engine.
         *
         * @return the engine
         * @throws PolicyException ({@code policy.invalid_policy}) without engines, or with a veto under another
         *     algorithm than deny-overrides
         */
        public CompositePolicyEngine build() {
            if (engines.isEmpty()) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "add at least one engine");
            }
            if (algorithm != CombiningAlgorithm.DENY_OVERRIDES
                    && engines.stream().anyMatch(Member::vetoOnly)) {
                // Under permit-overrides or first-applicable another engine's permit would outvote the veto.
                throw new PolicyException(
                        PolicyException.Reason.INVALID_POLICY,
                        "a veto needs the deny-overrides algorithm; remove algorithm(" + algorithm + ") or use add()");
            }
            return new CompositePolicyEngine(this);
        }
    }
}
