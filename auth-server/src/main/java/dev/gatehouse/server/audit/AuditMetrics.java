package dev.gatehouse.server.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Counters derived from audit events, so every counted action is also an audited one and the producers call one
 * thing: {@code gatehouse.signin} (tag {@code outcome}: success, failure, locked), {@code gatehouse.mfa} (tags
 * {@code action}: verify, recovery, enrol; {@code outcome}: success, failure, locked; {@code factor}) and {@code
 * gatehouse.tokens} (tag {@code grant_type}). Tag values come from a fixed set, never from the request as such.
 */
final class AuditMetrics {

    private static final Set<String> GRANT_TYPES = Set.of(
            "authorization_code",
            "client_credentials",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code",
            "urn:ietf:params:oauth:grant-type:token-exchange",
            "urn:ietf:params:oauth:grant-type:jwt-bearer");
    private static final Set<String> FACTORS = Set.of("totp", "recovery_code");

    private final MeterRegistry registry;

    AuditMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void count(RecordedEvent e) {
        switch (e.type()) {
            case AuditEvents.SIGNIN_SUCCESS -> signin("success");
            case AuditEvents.SIGNIN_FAILURE -> signin("failure");
            case AuditEvents.SIGNIN_LOCKED -> signin("locked");
            case AuditEvents.MFA_VERIFY, AuditEvents.MFA_RECOVERY, AuditEvents.MFA_ENROL ->
                mfa(e.type().substring("mfa.".length()), outcome(e), e.details().get("factor"));
            case AuditEvents.MFA_LOCKED ->
                mfa(
                        e.details().getOrDefault("action", "verify"),
                        "locked",
                        e.details().get("factor"));
            case AuditEvents.TOKEN_ISSUE, AuditEvents.TOKEN_REFRESH -> {
                String grant = e.details().get("grant_type");
                Counter.builder("gatehouse.tokens")
                        .description("Tokens issued at the token endpoint, by grant type")
                        .tag("grant_type", grant != null && GRANT_TYPES.contains(grant) ? grant : "other")
                        .register(registry)
                        .increment();
            }
            default -> {
                // not counted
            }
        }
    }

    private void signin(String outcome) {
        Counter.builder("gatehouse.signin")
                .description("Password sign-in attempts, by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    private void mfa(String action, String outcome, @Nullable String factor) {
        Counter.builder("gatehouse.mfa")
                .description("Second-factor attempts, by action, outcome and factor")
                .tag("action", Set.of("verify", "recovery", "enrol").contains(action) ? action : "other")
                .tag("outcome", outcome)
                .tag("factor", factor != null && FACTORS.contains(factor) ? factor : "other")
                .register(registry)
                .increment();
    }

    private static String outcome(RecordedEvent e) {
        return AuditEvent.SUCCESS.equals(e.outcome()) ? "success" : "failure";
    }
}
