/** JDBC implementations of auth-core's storage SPIs, for applications with a {@code DataSource}. */
@NullMarked
package dev.gatehouse.spring.jdbc;

import org.jspecify.annotations.NullMarked;
