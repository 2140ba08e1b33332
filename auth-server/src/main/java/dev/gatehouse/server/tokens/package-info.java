/** Gatehouse authorization server: token claims and refresh-token reuse detection. */
@NullMarked
package dev.gatehouse.server.tokens;

import org.jspecify.annotations.NullMarked;
