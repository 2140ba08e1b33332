package dev.gatehouse.server.logout;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of back-channel logout delivery (OIDC Back-Channel Logout 1.0), under {@code
 * gatehouse.server.backchannel-logout.*}.
 *
 * @param enabled whether this node sends logout tokens (sessions are recorded and deliveries queued either way, so
 *     another node can send them); default {@code true}
 * @param poll how often the outbox is looked at; default 2 s
 * @param lease how long a claimed delivery is this node's before another node may take it, at least twice
 *     connect-timeout + timeout + the 2 s DNS budget; default 60 s
 * @param connectTimeout the TCP connect timeout to a client's endpoint; default 2 s
 * @param timeout how long to wait for the response's status line; default 5 s
 * @param maxAttempts attempts per delivery before it is given up (audited as a failure); default 6
 * @param initialBackoff the wait after the first failed attempt, tripled after each further one; default 10 s
 * @param maxBackoff the longest wait between attempts; default 30 min
 * @param retention how long a relying party's session is remembered after it was last given an ID token; default 30
 *     days
 * @param maxPerHost the most deliveries this node sends to one host at a time (of its 4 senders), so one slow host
 *     cannot take them all; default 2
 * @param circuitFailures consecutive slow or failed sends (timeout, connection error, 5xx, 408, 429) to one client
 *     that open its circuit: its deliveries then wait {@code circuit-open} (on every node) instead of taking senders;
 *     default 5
 * @param circuitOpen how long an open circuit stays open; then one send tries again (one more failure opens it
 *     again, a delivery closes it); default 5 min
 */
@ConfigurationProperties("gatehouse.server.backchannel-logout")
public record BackchannelLogoutProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("2s") Duration poll,
        @DefaultValue("60s") Duration lease,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("5s") Duration timeout,
        @DefaultValue("6") int maxAttempts,
        @DefaultValue("10s") Duration initialBackoff,
        @DefaultValue("30m") Duration maxBackoff,
        @DefaultValue("30d") Duration retention,
        @DefaultValue("2") int maxPerHost,
        @DefaultValue("5") int circuitFailures,
        @DefaultValue("5m") Duration circuitOpen) {

    /** Checks the values, so a misconfiguration stops the server at start-up. */
    public BackchannelLogoutProperties {
        positive("poll", poll);
        positive("connect-timeout", connectTimeout);
        positive("timeout", timeout);
        positive("initial-backoff", initialBackoff);
        positive("retention", retention);
        positive("circuit-open", circuitOpen);
        if (maxPerHost < 1 || maxPerHost > LogoutDeliveries.THREADS) {
            throw new IllegalArgumentException("gatehouse.server.backchannel-logout.max-per-host must be between 1 and "
                    + LogoutDeliveries.THREADS);
        }
        if (circuitFailures < 1 || circuitFailures > 100) {
            throw new IllegalArgumentException(
                    "gatehouse.server.backchannel-logout.circuit-failures must be between 1 and 100");
        }
        // A claim takes one row per sender, so a batch lasts at most one send: connect, response and the DNS
        // budget (review finding 5); twice that, so a delivery in flight is never taken by another node.
        Duration batch = connectTimeout
                .plus(timeout)
                .plus(BackchannelLogoutUris.DNS_BUDGET)
                .multipliedBy((LogoutDeliveries.BATCH + LogoutDeliveries.THREADS - 1) / LogoutDeliveries.THREADS);
        if (lease.compareTo(batch.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("gatehouse.server.backchannel-logout.lease must be at least twice"
                    + " connect-timeout + timeout + 2s (the DNS budget), so a delivery in flight is not taken by"
                    + " another node");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "gatehouse.server.backchannel-logout.max-backoff must not be shorter than initial-backoff");
        }
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new IllegalArgumentException(
                    "gatehouse.server.backchannel-logout.max-attempts must be between 1 and 20");
        }
    }

    private static void positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("gatehouse.server.backchannel-logout." + name + " must be positive");
        }
    }
}
