/**
 * Gatehouse authorization server: the sign-in flow around Spring Authorization Server's authorization endpoint —
 * the consent page, re-authentication for {@code prompt=login} and {@code max_age} (OIDC Core 1.0 §3.1.2.1), and
 * reading the parameters of pushed authorization requests (RFC 9126) for the filters that act before the endpoint.
 */
@NullMarked
package dev.gatehouse.server.signin;

import org.jspecify.annotations.NullMarked;
