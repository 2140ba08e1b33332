package dev.gatehouse.core.policy;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The answer at the API edge: {@link Permit} or {@link Deny}, explained. Sealed; code that does not
 * recognise a decision must treat it as a deny. Anything an engine could not decide (not applicable,
 * indeterminate) is already a {@link Deny} here, with {@link Deny#cause()} saying which.
 */
public sealed interface Decision permits Decision.Permit, Decision.Deny {

    /**
     * Whether access is allowed.
     *
     * @return {@code true} only for {@link Permit}
     */
    boolean permitted();

    /**
     * The policy that decided.
     *
     * @return the policy id
     */
    String policy();

    /**
     * The rule that decided, if one did.
     *
     * @return the rule id, or {@code null}
     */
    @Nullable
    String rule();

    /**
     * A human-readable explanation, never echoing request attribute values or secrets.
     *
     * @return the reason
     */
    String reason();

    /**
     * Obligations the enforcement point must fulfil (or deny).
     *
     * @return the obligations, possibly empty
     */
    List<Obligation> obligations();

    /**
     * Access allowed.
     *
     * @param policy the deciding policy
     * @param rule the deciding rule
     * @param reason why
     * @param obligations obligations to fulfil
     */
    record Permit(String policy, @Nullable String rule, String reason, List<Obligation> obligations)
            implements Decision {

        /** Checks and copies values. */
        public Permit {
            Objects.requireNonNull(policy, "policy must not be null");
            Objects.requireNonNull(reason, "reason must not be null");
            obligations = List.copyOf(obligations);
        }

        @Override
        public boolean permitted() {
            return true;
        }
    }

    /**
     * Access refused.
     *
     * @param policy the deciding policy
     * @param rule the deciding rule, if any
     * @param reason why
     * @param obligations obligations to fulfil
     * @param cause the engine's result: {@code DENY}, {@code NOT_APPLICABLE} or {@code INDETERMINATE}
     */
    record Deny(
            String policy, @Nullable String rule, String reason, List<Obligation> obligations, Evaluation.Effect cause)
            implements Decision {

        /** Checks and copies values. */
        public Deny {
            Objects.requireNonNull(policy, "policy must not be null");
            Objects.requireNonNull(reason, "reason must not be null");
            Objects.requireNonNull(cause, "cause must not be null");
            if (cause == Evaluation.Effect.PERMIT) {
                throw new IllegalArgumentException("a deny cannot be caused by a permit");
            }
            obligations = List.copyOf(obligations);
        }

        @Override
        public boolean permitted() {
            return false;
        }
    }
}
