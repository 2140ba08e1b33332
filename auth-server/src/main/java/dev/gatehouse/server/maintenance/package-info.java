/** Gatehouse authorization server: scheduled jobs (purge of expired state, key rotation). */
@NullMarked
package dev.gatehouse.server.maintenance;

import org.jspecify.annotations.NullMarked;
