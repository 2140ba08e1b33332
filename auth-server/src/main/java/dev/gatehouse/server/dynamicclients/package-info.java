/**
 * Gatehouse authorization server: dynamic client registration (RFC 7591) and client configuration (RFC 7592) on
 * Spring Authorization Server's registration endpoint, off by default; the initial and registration access tokens.
 */
@NullMarked
package dev.gatehouse.server.dynamicclients;

import org.jspecify.annotations.NullMarked;
