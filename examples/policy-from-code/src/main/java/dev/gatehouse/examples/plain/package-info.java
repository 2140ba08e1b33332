/** Example: authorization policies built in code with auth-core alone, no Spring. */
@NullMarked
package dev.gatehouse.examples.plain;

import org.jspecify.annotations.NullMarked;
