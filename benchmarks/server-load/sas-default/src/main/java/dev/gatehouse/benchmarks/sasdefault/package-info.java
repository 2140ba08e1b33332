/** Server-load peer: Spring Authorization Server as Boot auto-configures it, measured beside auth-server. */
@NullMarked
package dev.gatehouse.benchmarks.sasdefault;

import org.jspecify.annotations.NullMarked;
