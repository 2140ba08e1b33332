package dev.gatehouse.core.policy.abac;

import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.CombiningAlgorithm;
import dev.gatehouse.core.policy.Evaluation;
import dev.gatehouse.core.policy.PolicyEngine;
import dev.gatehouse.core.policy.PolicyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Evaluates one or more compiled {@link AbacPolicy} documents, combined by a {@link CombiningAlgorithm}
 * (default deny-overrides). Immutable and thread-safe.
 */
public final class AbacEngine implements PolicyEngine {

    private final String id;
    private final CombiningAlgorithm algorithm;
    private final List<AbacPolicy> policies;

    private AbacEngine(String id, CombiningAlgorithm algorithm, List<AbacPolicy> policies) {
        this.id = id;
        this.algorithm = algorithm;
        this.policies = List.copyOf(policies);
    }

    /**
     * An engine over one policy.
     *
     * @param policy the policy
     * @return the engine
     */
    public static AbacEngine of(AbacPolicy policy) {
        Objects.requireNonNull(policy, "policy must not be null");
        return new AbacEngine(policy.id(), CombiningAlgorithm.DENY_OVERRIDES, List.of(policy));
    }

    /**
     * A builder for several policies.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Evaluation evaluate(AccessRequest request) {
        if (policies.size() == 1) {
            return policies.get(0).evaluate(request);
        }
        return algorithm.combine(id, policies, p -> p.evaluate(request));
    }

    @Override
    public String id() {
        return id;
    }

    /** Builds an {@link AbacEngine}. Not thread-safe. */
    public static final class Builder {
        private String id = "abac";
        private CombiningAlgorithm algorithm = CombiningAlgorithm.DENY_OVERRIDES;
        private final List<AbacPolicy> policies = new ArrayList<>();

        private Builder() {}

        /**
         * The id in decisions; default {@code abac}.
         *
         * @param id the id
         * @return this builder
         */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id must not be null");
            return this;
        }

        /**
         * How policies combine; default deny-overrides.
         *
         * @param algorithm the algorithm
         * @return this builder
         */
        public Builder algorithm(CombiningAlgorithm algorithm) {
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm must not be null");
            return this;
        }

        /**
         * Adds a policy.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder policy(AbacPolicy policy) {
            policies.add(Objects.requireNonNull(policy, "policy must not be null"));
            return this;
        }

        /**
         * Builds the engine.
         *
         * @return the engine
         */
        public AbacEngine build() {
            if (policies.isEmpty()) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "add at least one policy");
            }
            return new AbacEngine(id, algorithm, policies);
        }
    }
}
