/**
 * The server's own configuration properties ({@code gatehouse.*} and {@code gatehouse.throttle.*}), bound once and
 * read by every package that wires itself. Depends on no other server package.
 */
@NullMarked
package dev.gatehouse.server.settings;

import org.jspecify.annotations.NullMarked;
