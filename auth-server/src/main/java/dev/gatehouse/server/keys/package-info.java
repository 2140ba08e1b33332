/** Gatehouse authorization server: the auth-core key ring persisted over JDBC and adapted to Spring Security (JwtEncoder, JwtDecoder, JWKSource). */
@NullMarked
package dev.gatehouse.server.keys;

import org.jspecify.annotations.NullMarked;
