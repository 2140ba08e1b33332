package dev.gatehouse.core.policy;

/**
 * Evaluates access requests against one policy source: {@code RbacEngine}, {@code AbacEngine}, {@code
 * OpaRestEngine}, {@code OpaWasmEngine}, or a {@link CompositePolicyEngine} / {@link CachingPolicyEngine}
 * over others. Implementations are immutable and thread-safe.
 *
 * <p>{@link #evaluate} should not throw: an engine that cannot decide answers {@link
 * Evaluation.Effect#INDETERMINATE} with a reason. {@link PolicyDecisionPoint} still turns any exception
 * that escapes into a deny.
 */
public interface PolicyEngine {

    /**
     * Evaluates a request to one of XACML's four results.
     *
     * @param request the request
     * @return the evaluation, never {@code null}
     */
    Evaluation evaluate(AccessRequest request);

    /**
     * Evaluates a request to a decision, failing closed: anything but a permit is a deny.
     *
     * @param request the request
     * @return the decision
     */
    default Decision decide(AccessRequest request) {
        return evaluate(request).toDecision();
    }

    /**
     * The id used in decisions and logs.
     *
     * @return the id
     */
    String id();
}
