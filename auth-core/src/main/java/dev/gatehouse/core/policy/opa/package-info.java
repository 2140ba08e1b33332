/**
 * Open Policy Agent behind the same {@link dev.gatehouse.core.policy.PolicyEngine}: {@link
 * dev.gatehouse.core.policy.opa.OpaRestEngine} queries an OPA server's Data API (POST {@code /v1/data/...}
 * with the request as {@code input}) with timeouts, a hard deadline, an optional bearer token and a health
 * check; {@link dev.gatehouse.core.policy.opa.OpaWasmEngine} evaluates a policy compiled with {@code opa build
 * -t wasm} inside the JVM from a pool of instances with their data preloaded. Both read a boolean or a
 * decision object {@code {"allow": bool, "reason": string}}, and treat an undefined document, an error, a
 * timeout or anything unexpected as indeterminate — a deny at the edge. Only this package knows OPA's
 * client libraries.
 */
@NullMarked
package dev.gatehouse.core.policy.opa;

import org.jspecify.annotations.NullMarked;
