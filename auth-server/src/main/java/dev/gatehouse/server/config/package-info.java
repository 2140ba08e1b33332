/** Gatehouse authorization server: configuration, master key, security filter chains, demo bootstrap. */
@NullMarked
package dev.gatehouse.server.config;

import org.jspecify.annotations.NullMarked;
