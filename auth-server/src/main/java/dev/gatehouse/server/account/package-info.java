/**
 * Gatehouse authorization server: account self-service at {@code /account} for a signed-in user (with every factor
 * they owe): the profile, password change, the second factor (set up, replace, remove, recovery codes; each after a
 * fresh confirmation of the factors), browser sessions on every node, and the applications the user consented to.
 * Every form post is CSRF-protected (Spring Security), rate limited ({@code ratelimit}, group {@code account}),
 * validated and audited ({@code account.*} events). Users, factors, tokens and sessions stay with their owning
 * packages; this package only calls them.
 */
@NullMarked
package dev.gatehouse.server.account;

import org.jspecify.annotations.NullMarked;
