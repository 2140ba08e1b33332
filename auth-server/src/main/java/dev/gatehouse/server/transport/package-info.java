/**
 * The HTTP transport in front of the protocol: bounded request-body reads, session limits (how many, how long an
 * anonymous one lives, which requests are saved in one) and the error page.
 */
@NullMarked
package dev.gatehouse.server.transport;

import org.jspecify.annotations.NullMarked;
