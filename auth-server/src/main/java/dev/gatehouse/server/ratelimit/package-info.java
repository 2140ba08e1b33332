/**
 * Rate limits on the authorization server's protocol endpoints (token, authorization, PAR, device authorization) and
 * the sign-in form, per claimed client id and per client address, with Bucket4j token buckets: in memory on the
 * embedded H2 default (one node), in PostgreSQL when the server runs on it (shared by every node). Settings:
 * {@link dev.gatehouse.server.ratelimit.RateLimitProperties}.
 */
@NullMarked
package dev.gatehouse.server.ratelimit;

import org.jspecify.annotations.NullMarked;
