package dev.gatehouse.server.transport;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits of the HTTP transport, under {@code gatehouse.transport.*} (environment: {@code GATEHOUSE_TRANSPORT_*}).
 *
 * @param requestBodyTimeout the longest a request may take to send its whole body once its headers are in; past it
 *     the server answers {@code 408} and closes the connection. Each single read also ends after
 *     {@code server.tomcat.connection-timeout} without a byte. Default 10 seconds
 * @param anonymousSessionTimeout how long a session lives without activity until someone signs in with it (the
 *     saved authorization request and the CSRF token of the sign-in form); signing in restores
 *     {@code server.servlet.session.timeout}. Default 5 minutes
 * @param maxSessions the most HTTP sessions the node keeps at once, signed in or not; past it a request that needs a
 *     new session is refused with {@code 503} (existing sessions keep working). Default 10000
 */
@ConfigurationProperties("gatehouse.transport")
public record TransportProperties(
        @DefaultValue("10s") Duration requestBodyTimeout,
        @DefaultValue("5m") Duration anonymousSessionTimeout,
        @DefaultValue("10000") int maxSessions) {

    /** Checks the limits at start-up: a zero or negative limit would mean "none", which is never wanted. */
    public TransportProperties {
        if (requestBodyTimeout.isNegative() || requestBodyTimeout.isZero()) {
            throw new IllegalArgumentException("gatehouse.transport.request-body-timeout must be positive");
        }
        if (anonymousSessionTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("gatehouse.transport.anonymous-session-timeout must be at least 1s");
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("gatehouse.transport.max-sessions must be at least 1");
        }
    }
}
