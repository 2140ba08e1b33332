/** Spring Boot auto-configuration of Gatehouse; filled in by the auth-spring-starter issue. */
@NullMarked
package dev.gatehouse.spring;

import org.jspecify.annotations.NullMarked;
