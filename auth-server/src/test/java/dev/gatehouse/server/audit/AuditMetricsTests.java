package dev.gatehouse.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Passkey registrations, removals and uses are counted in {@code gatehouse.mfa} like the other factors (issue #16);
 * every series of the fixed tag sets exists at 0 before its first event (issue #19).
 */
class AuditMetricsTests {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AuditMetrics metrics = new AuditMetrics(registry);

    @Test
    void countWhenPasskeyRegisteredOrRemovedThenMfaCounterWithFactorPasskey() {
        count(AuditEvents.PASSKEY_REGISTER, AuditEvent.SUCCESS);
        count(AuditEvents.PASSKEY_REGISTER, AuditEvent.FAILURE);
        count(AuditEvents.PASSKEY_REGISTER, AuditEvent.DENIED);
        count(AuditEvents.PASSKEY_REMOVE, AuditEvent.SUCCESS);

        assertThat(counter("enrol", "success")).isEqualTo(1);
        assertThat(counter("enrol", "failure")).isEqualTo(2);
        assertThat(counter("remove", "success")).isEqualTo(1);
        assertThat(registry.find("gatehouse.mfa").tag("factor", "other").counter())
                .isNull();
    }

    @Test
    void countWhenPasskeyUsedOrSuspectedClonedThenMfaVerifyCounterWithFactorPasskey() {
        count(AuditEvents.PASSKEY_USE, AuditEvent.SUCCESS);
        count(AuditEvents.PASSKEY_USE, AuditEvent.FAILURE);
        count(AuditEvents.PASSKEY_CLONE_SUSPECTED, AuditEvent.DENIED);

        assertThat(counter("verify", "success")).isEqualTo(1);
        assertThat(counter("verify", "failure")).isEqualTo(1);
        assertThat(counter("verify", "locked")).isEqualTo(1);
    }

    @Test
    void newWhenNothingCountedYetThenEveryFixedSeriesRegisteredAtZero() {
        assertThat(registry.get("gatehouse.signin").counters()).hasSize(3);
        assertThat(registry.get("gatehouse.mfa").counters()).hasSize(3 * 4 * 3);
        assertThat(registry.get("gatehouse.tokens").counters()).hasSize(6);
        assertThat(registry.get("gatehouse.mail.failures").counters()).hasSize(6);
        assertThat(registry.get("gatehouse.logout.backchannel").counters()).hasSize(3);
        assertThat(registry.get("gatehouse.logout.backchannel.circuit").counters())
                .hasSize(2);
        assertThat(registry.get("gatehouse.signin")
                        .tag("outcome", "locked")
                        .counter()
                        .count())
                .isZero();
        assertThat(registry.get("gatehouse.tokens")
                        .tag("grant_type", "refresh_token")
                        .counter()
                        .count())
                .isZero();
        assertThat(registry.getMeters())
                .noneMatch(m ->
                        m.getId().getTags().stream().anyMatch(t -> t.getValue().equals("other")));
    }

    private void count(String type, String outcome) {
        metrics.count(RecordedEvent.of(
                new AuditEvent(type, outcome, "alice", "alice", Map.of("credential", "0123456789abcdef")),
                Instant.parse("2026-12-07T05:00:00Z"),
                null));
    }

    private double counter(String action, String outcome) {
        Counter c = registry.find("gatehouse.mfa")
                .tags("action", action, "outcome", outcome, "factor", "passkey")
                .counter();
        return c == null ? 0 : c.count();
    }
}
