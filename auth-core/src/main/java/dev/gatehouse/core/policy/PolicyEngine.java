package dev.gatehouse.core.policy;

/**
 * Evaluates access requests against one policy source: {@code RbacEngine}, {@code AbacEngine}, {@code
 * OpaRestEngine}, {@code OpaWasmEngine}, or a {@link CompositePolicyEngine} / {@link CachingPolicyEngine}
 * over others. Implementations are immutable and thread-safe.
 *
 * <p>{@link #evaluate} should not throw: an engine that cannot decide answers {@link
 * Evaluation.Effect#INDETERMINATE} with a reason. An engine gives evaluations, never decisions: the only way to a
 * {@link Decision} is {@link PolicyDecisionPoint#decide}, which also turns any exception that escapes, or a
 * missing result, into a deny.
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
     * The id used in decisions and logs.
     *
     * @return the id
     */
    String id();
}
