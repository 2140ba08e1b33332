/**
 * The admin REST API under {@code /admin}: users, roles, sessions, clients and signing keys. Protected by the
 * server's own access tokens (OAuth 2.0 resource server, RFC 6750) and decided by auth-core's policy decision
 * point (RBAC); every change is audited. Problems are RFC 9457 {@code application/problem+json}.
 */
@NullMarked
package dev.gatehouse.server.admin;

import org.jspecify.annotations.NullMarked;
