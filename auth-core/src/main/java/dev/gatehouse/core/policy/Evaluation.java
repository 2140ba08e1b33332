package dev.gatehouse.core.policy;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one engine answered, before the {@link PolicyDecisionPoint} turns it into a {@link Decision}: one of XACML 3.0's four
 * results (§7.11) with the policy and rule responsible, a reason and obligations. Engines return
 * {@link Effect#NOT_APPLICABLE} when nothing of theirs matched and {@link Effect#INDETERMINATE} when they
 * could not decide (error, timeout, undefined result), so {@link CombiningAlgorithm}s compose exactly.
 *
 * @param effect the result
 * @param policy the policy that produced it
 * @param rule the rule that decided, or {@code null} if none did
 * @param reason a human-readable explanation, free of request attribute values
 * @param obligations obligations attached by the deciding rule
 */
public record Evaluation(
        Effect effect, String policy, @Nullable String rule, String reason, List<Obligation> obligations) {

    /** XACML 3.0 decision values (§7.11). */
    public enum Effect {
        /** Access allowed. */
        PERMIT,
        /** Access refused by a rule. */
        DENY,
        /** No rule of the policy applies. */
        NOT_APPLICABLE,
        /** The policy could not be evaluated (error, timeout, undefined); treated as deny at the edge. */
        INDETERMINATE
    }

    /** Checks and copies values. */
    public Evaluation {
        Objects.requireNonNull(effect, "effect must not be null");
        Objects.requireNonNull(policy, "policy must not be null");
        Objects.requireNonNull(reason, "reason must not be null");
        obligations = List.copyOf(Objects.requireNonNull(obligations, "obligations must not be null"));
    }

    /**
     * A permit.
     *
     * @param policy the policy
     * @param rule the rule
     * @param reason why
     * @return the evaluation
     */
    public static Evaluation permit(String policy, @Nullable String rule, String reason) {
        return new Evaluation(Effect.PERMIT, policy, rule, reason, List.of());
    }

    /**
     * A deny by a rule.
     *
     * @param policy the policy
     * @param rule the rule
     * @param reason why
     * @return the evaluation
     */
    public static Evaluation deny(String policy, @Nullable String rule, String reason) {
        return new Evaluation(Effect.DENY, policy, rule, reason, List.of());
    }

    /**
     * Nothing applied.
     *
     * @param policy the policy
     * @param reason why
     * @return the evaluation
     */
    public static Evaluation notApplicable(String policy, String reason) {
        return new Evaluation(Effect.NOT_APPLICABLE, policy, null, reason, List.of());
    }

    /**
     * The policy could not decide.
     *
     * @param policy the policy
     * @param rule the rule being evaluated, if known
     * @param reason why, free of request values and secrets
     * @return the evaluation
     */
    public static Evaluation indeterminate(String policy, @Nullable String rule, String reason) {
        return new Evaluation(Effect.INDETERMINATE, policy, rule, reason, List.of());
    }

    /**
     * This evaluation with obligations attached.
     *
     * @param obligations the obligations
     * @return a copy
     */
    public Evaluation withObligations(List<Obligation> obligations) {
        return new Evaluation(effect, policy, rule, reason, obligations);
    }

    /**
     * The decision at the API edge: {@link Decision.Permit} for {@link Effect#PERMIT}, a {@link Decision.Deny}
     * for everything else (fail closed). Only {@link PolicyDecisionPoint} calls it, after its own failure handling.
     *
     * @return the decision
     */
    Decision toDecision() {
        if (effect == Effect.PERMIT) {
            return new Decision.Permit(policy, rule, reason, obligations);
        }
        String why = switch (effect) {
            case NOT_APPLICABLE -> "not applicable: " + reason;
            case INDETERMINATE -> "indeterminate: " + reason;
            default -> reason;
        };
        return new Decision.Deny(policy, rule, why, obligations, effect);
    }
}
