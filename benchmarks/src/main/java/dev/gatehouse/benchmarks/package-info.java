/** JMH benchmarks of auth-core beside peer libraries. */
@NullMarked
package dev.gatehouse.benchmarks;

import org.jspecify.annotations.NullMarked;
