/**
 * One policy decision point for roles, attributes and Open Policy Agent: an {@link
 * dev.gatehouse.core.policy.AccessRequest} (subject, action, resource, context) goes to a {@link
 * dev.gatehouse.core.policy.PolicyEngine} and comes back as a sealed {@link dev.gatehouse.core.policy.Decision}
 * that says which policy and rule decided and why. Engines answer with XACML 3.0's four results ({@link
 * dev.gatehouse.core.policy.Evaluation.Effect}) so {@link dev.gatehouse.core.policy.CombiningAlgorithm}s
 * compose them exactly; at the edge ({@link dev.gatehouse.core.policy.PolicyDecisionPoint}) anything but a
 * permit is a deny. Engines live in {@code .rbac}, {@code .abac} (CEL) and {@code .opa}.
 */
@NullMarked
package dev.gatehouse.core.policy;

import org.jspecify.annotations.NullMarked;
