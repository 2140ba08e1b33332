/** Example resource server: an API whose bearer tokens the Gatehouse starter verifies. */
@NullMarked
package dev.gatehouse.examples.api;

import org.jspecify.annotations.NullMarked;
