/** Gatehouse authorization server: client secrets (generation, HMAC-SHA256 keyed hashing). */
@NullMarked
package dev.gatehouse.server.clients;

import org.jspecify.annotations.NullMarked;
