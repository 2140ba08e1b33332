/**
 * Secrets the server keeps for itself: the operator's master key that seals everything at rest, and the server-wide
 * random secrets (such as the client-secret HMAC key) stored sealed and shared by all nodes. Other packages depend on
 * this one, never the other way round.
 */
@NullMarked
package dev.gatehouse.server.secrets;

import org.jspecify.annotations.NullMarked;
