package dev.gatehouse.server.transport;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits of the HTTP transport, under {@code gatehouse.server.transport.*} (environment: {@code GATEHOUSE_SERVER_TRANSPORT_*}).
 *
 * @param requestBodyTimeout the longest a request may take to send its whole body once its headers are in; past it
 *     the server answers {@code 408} and closes the connection. Each single read also ends after
 *     {@code server.tomcat.connection-timeout} without a byte. Default 10 seconds
 * @param anonymousSessionTimeout how long a session lives without activity until someone signs in with it (the
 *     saved authorization request and the CSRF token of the sign-in form); signing in restores
 *     {@code server.servlet.session.timeout}. Default 5 minutes
 * @param maxSessions sizes the default of {@code maxAnonymousSessions} (half of it). It was the most HTTP sessions one
 *     node kept (Tomcat's {@code maxActiveSessions}); sessions are rows in the shared database now (issue #14), where
 *     anonymous ones are capped cluster-wide and signed-in ones are bounded by the sign-in limits and the session
 *     timeout, purged by Spring Session's cleanup. Default 10000
 * @param maxAnonymousSessions the most sessions nobody has signed in with yet (a sign-in form's CSRF token, a saved
 *     authorization request), across all nodes; every few seconds the oldest beyond it are deleted, never a signed-in
 *     session, so anonymous visitors cannot grow the session table without bound. At most {@code maxSessions};
 *     {@code 0} (the default) means half of {@code maxSessions} (5000)
 * @param maxPasswordChecksInFlight the most requests that will hash or verify a password (sign-in form, password
 *     change, re-authentication, registration, password reset) in flight at once on this node; the next one is
 *     answered {@code 503} with {@code Retry-After} at once instead of waiting for a request thread or a hashing
 *     slot. {@code 0} (the default) means twice {@code gatehouse.password.max-concurrent-hashes}, at most half of
 *     {@code server.tomcat.threads.max} (4 on 2 cores with H2), so other requests always find a free thread
 */
@ConfigurationProperties("gatehouse.server.transport")
public record TransportProperties(
        @DefaultValue("10s") Duration requestBodyTimeout,
        @DefaultValue("5m") Duration anonymousSessionTimeout,
        @DefaultValue("10000") int maxSessions,
        @DefaultValue("0") int maxAnonymousSessions,
        @DefaultValue("0") int maxPasswordChecksInFlight) {

    /** Checks the limits at start-up: a zero or negative limit would mean "none", which is never wanted. */
    public TransportProperties {
        if (requestBodyTimeout.isNegative() || requestBodyTimeout.isZero()) {
            throw new IllegalArgumentException("gatehouse.server.transport.request-body-timeout must be positive");
        }
        if (anonymousSessionTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException(
                    "gatehouse.server.transport.anonymous-session-timeout must be at least 1s");
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("gatehouse.server.transport.max-sessions must be at least 1");
        }
        if (maxPasswordChecksInFlight < 0) {
            throw new IllegalArgumentException(
                    "gatehouse.server.transport.max-password-checks-in-flight must be 0 (automatic) or more");
        }
        if (maxAnonymousSessions == 0) {
            maxAnonymousSessions = Math.max(1, maxSessions / 2);
        }
        if (maxAnonymousSessions < 1 || maxAnonymousSessions > maxSessions) {
            throw new IllegalArgumentException(
                    "gatehouse.server.transport.max-anonymous-sessions must be between 1 and gatehouse.server.transport.max-sessions");
        }
    }
}
