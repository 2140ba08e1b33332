/**
 * Attribute-based access control with conditions in CEL, the Common Expression Language
 * (https://github.com/google/cel-spec): an {@link dev.gatehouse.core.policy.abac.AbacPolicy} is a document
 * of rules (target resource type and actions, effect, CEL condition) compiled and type-checked once at
 * load; {@link dev.gatehouse.core.policy.abac.AbacEngine} evaluates the compiled programs without reparsing
 * and says which rule matched. CEL is not Turing-complete and has no side effects, which is why Kubernetes
 * and Cerbos use it for the same job. Only this package knows CEL.
 */
@NullMarked
package dev.gatehouse.core.policy.abac;

import org.jspecify.annotations.NullMarked;
