/**
 * Operations: actuator health for the key ring, the actuator endpoints' own security chain (health public with
 * status only, everything else for bearer tokens with the {@code actuator.read} scope), and the meters the shipped
 * dashboard and alert rules read (OAuth errors by endpoint and code, the active key's age, the database's state).
 */
@NullMarked
package dev.gatehouse.server.observability;

import org.jspecify.annotations.NullMarked;
