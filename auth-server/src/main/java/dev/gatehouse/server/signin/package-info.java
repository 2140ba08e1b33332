/**
 * Gatehouse authorization server: the browser sign-in around Spring Authorization Server's authorization endpoint —
 * the sign-in and second-factor pages (TOTP step, recovery codes, enrolment), step-up for clients and users that owe
 * a factor, re-authentication for {@code prompt=login} and {@code max_age} (OIDC Core 1.0 §3.1.2.1), the consent and
 * device pages, and reading the parameters of pushed authorization requests (RFC 9126) for the filters that act
 * before the endpoint. Factor policy and storage are {@code mfa}'s.
 */
@NullMarked
package dev.gatehouse.server.signin;

import org.jspecify.annotations.NullMarked;
