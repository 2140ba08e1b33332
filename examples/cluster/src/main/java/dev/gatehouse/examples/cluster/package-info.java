/** A Gatehouse cluster of real processes on loopback: PostgreSQL, N auth-server nodes, nginx in front. */
@NullMarked
package dev.gatehouse.examples.cluster;

import org.jspecify.annotations.NullMarked;
