/** Gatehouse core: plain-Java building blocks for authentication and authorization. No Spring here. */
@NullMarked
package dev.gatehouse.core;

import org.jspecify.annotations.NullMarked;
