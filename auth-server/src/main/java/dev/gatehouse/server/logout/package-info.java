/**
 * OpenID Connect Back-Channel Logout 1.0: the OP session id ({@code sid}) Gatehouse puts in ID tokens (random,
 * stable across factors and nodes), which relying parties were given one for which session ({@code gh_rp_session}),
 * and the delivery of logout tokens to their {@code backchannel_logout_uri} when a session ends: an outbox
 * ({@code gh_logout_delivery}) the request thread only inserts into, worked by every node.
 */
@NullMarked
package dev.gatehouse.server.logout;

import org.jspecify.annotations.NullMarked;
