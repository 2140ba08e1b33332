/**
 * Spring Boot auto-configuration of Gatehouse. Each capability has a {@code public final} {@code
 * @AutoConfiguration}; every bean backs off when the application defines its own; properties live under
 * {@code gatehouse.*} ({@link dev.gatehouse.spring.autoconfigure.GatehouseProperties}).
 */
@NullMarked
package dev.gatehouse.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
