/**
 * Operations: actuator health for the key ring and the actuator endpoints' own security chain (health public with
 * status only, everything else for bearer tokens with the {@code actuator.read} scope).
 */
@NullMarked
package dev.gatehouse.server.observability;

import org.jspecify.annotations.NullMarked;
