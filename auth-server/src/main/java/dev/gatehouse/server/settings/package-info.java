/**
 * The server's own configuration properties ({@code gatehouse.dev-mode}, {@code gatehouse.token.*},
 * {@code gatehouse.server.*} and {@code gatehouse.server.throttle.*}), bound once and
 * read by every package that wires itself. Depends on no other server package.
 */
@NullMarked
package dev.gatehouse.server.settings;

import org.jspecify.annotations.NullMarked;
