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
 * @param maxSessions the most HTTP sessions the node keeps at once, signed in or not; past it a request that needs a
 *     new session is refused with {@code 503} (existing sessions keep working). Default 10000
 * @param maxAnonymousSessions the most sessions nobody has signed in with yet (a sign-in form's CSRF token, a saved
 *     authorization request); a new one drops the oldest of them, never a signed-in session, so anonymous visitors
 *     can neither grow memory nor fill {@code maxSessions} and lock new visitors out. At most {@code maxSessions};
 *     {@code 0} (the default) means half of {@code maxSessions} (5000)
 */
@ConfigurationProperties("gatehouse.server.transport")
public record TransportProperties(
        @DefaultValue("10s") Duration requestBodyTimeout,
        @DefaultValue("5m") Duration anonymousSessionTimeout,
        @DefaultValue("10000") int maxSessions,
        @DefaultValue("0") int maxAnonymousSessions) {

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
        if (maxAnonymousSessions == 0) {
            maxAnonymousSessions = Math.max(1, maxSessions / 2);
        }
        if (maxAnonymousSessions < 1 || maxAnonymousSessions > maxSessions) {
            throw new IllegalArgumentException(
                    "gatehouse.server.transport.max-anonymous-sessions must be between 1 and gatehouse.server.transport.max-sessions");
        }
    }
}
