/** Gatehouse authorization server: configuration, security filter chains, demo bootstrap. */
@NullMarked
package dev.gatehouse.server.config;

import org.jspecify.annotations.NullMarked;
