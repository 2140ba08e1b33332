/**
 * Role-based access control: {@link dev.gatehouse.core.policy.rbac.RbacModel} holds roles in a DAG of
 * inheritance, {@link dev.gatehouse.core.policy.rbac.Permission}s as {@code resource:action} with {@code *}
 * wildcards, and optionally tenant-scoped role assignments, from a builder or a YAML/JSON file; {@link
 * dev.gatehouse.core.policy.rbac.RbacEngine} answers requests from the precomputed role closure.
 */
@NullMarked
package dev.gatehouse.core.policy.rbac;

import org.jspecify.annotations.NullMarked;
