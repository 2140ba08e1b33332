/** Gatehouse authorization server: the JDBC user store and password authentication with auth-core's hasher. */
@NullMarked
package dev.gatehouse.server.users;

import org.jspecify.annotations.NullMarked;
