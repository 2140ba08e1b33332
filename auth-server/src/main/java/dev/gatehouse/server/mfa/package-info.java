/**
 * Gatehouse authorization server: multi-factor sign-in (TOTP step, recovery codes, TOTP enrolment) on Spring
 * Security 7's factor authorities, with the starter's JDBC factor stores ({@code dev.gatehouse.spring.jdbc}) in the
 * database.
 */
@NullMarked
package dev.gatehouse.server.mfa;

import org.jspecify.annotations.NullMarked;
