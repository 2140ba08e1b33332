package dev.gatehouse.core.policy;

import java.util.List;
import java.util.function.Function;

/**
 * How several engines' (or rules') results combine: the XACML 3.0 combining algorithms (Appendix C) without
 * the extended {@code Indeterminate{D,P,DP}} values, which only matter when an indeterminate is later
 * compared with a permit or deny: here every indeterminate result is a deny at the edge, so the simpler
 * form never turns a refusal into a permit.
 */
public enum CombiningAlgorithm {
    /**
     * Any deny wins; else any indeterminate; else any permit; else not applicable (XACML 3.0 §C.2). The safe
     * default: one refusing policy is enough.
     */
    DENY_OVERRIDES,
    /** Any permit wins; else any indeterminate; else any deny; else not applicable (XACML 3.0 §C.3). */
    PERMIT_OVERRIDES,
    /** The first result that is not "not applicable" decides, in order (XACML 3.0 §C.8). */
    FIRST_APPLICABLE;

    /**
     * Combines the results of {@code items}, evaluating them lazily and stopping as soon as the result is
     * known (a deny under deny-overrides, a permit under permit-overrides, the first applicable result).
     *
     * @param policy the id of the combining policy, used for the not-applicable result
     * @param items the children, in order
     * @param evaluate evaluates one child
     * @param <T> the child type
     * @return the combined result; the deciding child's policy, rule, reason and obligations are kept
     */
    public <T> Evaluation combine(String policy, List<T> items, Function<T, Evaluation> evaluate) {
        Evaluation firstIndeterminate = null;
        Evaluation firstDeny = null;
        Evaluation firstPermit = null;
        for (T item : items) {
            Evaluation e = evaluate.apply(item);
            switch (e.effect()) {
                case DENY -> {
                    if (this == DENY_OVERRIDES || this == FIRST_APPLICABLE) {
                        return e;
                    }
                    if (firstDeny == null) {
                        firstDeny = e;
                    }
                }
                case PERMIT -> {
                    if (this == PERMIT_OVERRIDES || this == FIRST_APPLICABLE) {
                        return e;
                    }
                    if (firstPermit == null) {
                        firstPermit = e;
                    }
                }
                case INDETERMINATE -> {
                    if (this == FIRST_APPLICABLE) {
                        return e;
                    }
                    if (firstIndeterminate == null) {
                        firstIndeterminate = e;
                    }
                }
                case NOT_APPLICABLE -> {
                    // keep looking
                }
            }
        }
        if (firstIndeterminate != null) {
            return firstIndeterminate;
        }
        if (this == DENY_OVERRIDES && firstPermit != null) {
            return firstPermit;
        }
        if (this == PERMIT_OVERRIDES && firstDeny != null) {
            return firstDeny;
        }
        return Evaluation.notApplicable(policy, "no policy or rule applies");
    }

    /**
     * Parses {@code deny-overrides}, {@code permit-overrides} or {@code first-applicable} (case-insensitive,
     * {@code _} or {@code -}).
     *
     * @param name the name
     * @return the algorithm
     * @throws PolicyException ({@code policy.invalid_policy}) for an unknown name
     */
    public static CombiningAlgorithm parse(String name) {
        String n = name.strip().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        for (CombiningAlgorithm a : values()) {
            if (a.name().equals(n)) {
                return a;
            }
        }
        throw new PolicyException(
                PolicyException.Reason.INVALID_POLICY,
                "unknown combining algorithm '" + name + "'; use deny-overrides, permit-overrides or first-applicable");
    }
}
