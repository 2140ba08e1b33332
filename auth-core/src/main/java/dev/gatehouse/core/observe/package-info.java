/**
 * Observing the library's own outbound calls (the resource server's JWKS fetch, OPA queries) without tying the core
 * to a tracing library: {@link dev.gatehouse.core.observe.OutboundCalls} is handed to the builders of {@code
 * RemoteJwks} and {@code OpaRestEngine}; an application's tracing (the Spring starter's, on Micrometer Observation)
 * implements it, starts a client span and names the headers that carry its context (W3C Trace Context {@code
 * traceparent}). The default observes nothing.
 */
@NullMarked
package dev.gatehouse.core.observe;

import org.jspecify.annotations.NullMarked;
