/**
 * Gatehouse authorization server: second factors — auth-core's TOTP service and recovery codes over the starter's
 * JDBC factor stores ({@code dev.gatehouse.spring.jdbc}), and the factor policy (which sign-ins owe a factor, per
 * user and per client). The pages and filters of the sign-in that ask for a factor are in {@code signin}.
 */
@NullMarked
package dev.gatehouse.server.mfa;

import org.jspecify.annotations.NullMarked;
