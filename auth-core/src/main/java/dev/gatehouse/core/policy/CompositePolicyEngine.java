package dev.gatehouse.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Several engines as one, combined by a {@link CombiningAlgorithm} (default {@link
 * CombiningAlgorithm#DENY_OVERRIDES}): e.g. RBAC for the coarse grant and ABAC or OPA for the exceptions.
 * Engines run in the order added and stop as soon as the result is known. Immutable and thread-safe.
 */
public final class CompositePolicyEngine implements PolicyEngine {

    private final String id;
    private final CombiningAlgorithm algorithm;
    private final List<PolicyEngine> engines;

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
        return algorithm.combine(id, engines, e -> PolicyDecisionPoint.evaluateSafely(e, request));
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

    /** Builds a {@link CompositePolicyEngine}. Not thread-safe. */
    public static final class Builder {
        private String id = "composite";
        private CombiningAlgorithm algorithm = CombiningAlgorithm.DENY_OVERRIDES;
        private final List<PolicyEngine> engines = new ArrayList<>();

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
            engines.add(Objects.requireNonNull(engine, "engine must not be null"));
            return this;
        }

        /**
         * Builds the engine.
         *
         * @return the engine
         * @throws PolicyException ({@code policy.invalid_policy}) without engines
         */
        public CompositePolicyEngine build() {
            if (engines.isEmpty()) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "add at least one engine");
            }
            return new CompositePolicyEngine(this);
        }
    }
}
