package dev.gatehouse.spring.readme;

import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;

// tag::method-security-configuration[]
@Configuration
@EnableMethodSecurity // turns on @PreAuthorize; the starter's policy settings define the bean named authz
class MethodSecurityConfiguration {}
// end::method-security-configuration[]
