package dev.gatehouse.server.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Counters derived from audit events, so every counted action is also an audited one and the producers call one
 * thing: {@code gatehouse.signin} (tag {@code outcome}: success, failure, locked), {@code gatehouse.mfa} (tags
 * {@code action}: verify, recovery, enrol, remove; {@code outcome}: success, failure, locked; {@code factor}: totp,
 * recovery_code, passkey; a passkey's registration counts as {@code enrol}, its removal as {@code remove}, its use as
 * {@code verify} and a suspected clone as {@code verify} {@code locked}) and {@code
 * gatehouse.tokens} (tag {@code grant_type}), {@code gatehouse.mail.failures} (tag {@code purpose}: register, reset,
 * change, changed_notice, passkey_added, passkey_removed; an alert on it tells operators the mail server is refusing),
 * {@code gatehouse.logout.backchannel} (tag {@code outcome}: success, failure, denied; one per finished delivery),
 * {@code gatehouse.logout.backchannel.circuit} (tag {@code state}: open, closed; one per change of a client's circuit).
 * Tag values come from a fixed set, never from the request as such.
 *
 * <p>Every series of those fixed sets is registered at start with the value 0 ({@link #preRegister}): a series that
 * appears only with its first event makes Prometheus' {@code increase()} miss that event, and leaves dashboards and
 * alert rules without a series to read. The catch-all value {@code other} is not pre-registered: it appears only if
 * an unexpected value is ever counted.
 */
final class AuditMetrics {

    private static final Set<String> GRANT_TYPES = Set.of(
            "authorization_code",
            "client_credentials",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code",
            "urn:ietf:params:oauth:grant-type:token-exchange",
            "urn:ietf:params:oauth:grant-type:jwt-bearer");
    private static final Set<String> FACTORS = Set.of("totp", "recovery_code", "passkey");
    private static final Set<String> MFA_ACTIONS = Set.of("verify", "recovery", "enrol", "remove");
    private static final Set<String> MAIL_PURPOSES =
            Set.of("register", "reset", "change", "changed_notice", "passkey_added", "passkey_removed");
    private static final List<String> OUTCOMES = List.of("success", "failure", "locked");

    private static final String SIGNIN = "Password sign-in attempts, by outcome";
    private static final String MFA = "Second-factor attempts, by action, outcome and factor";
    private static final String TOKENS = "Tokens issued at the token endpoint, by grant type";
    private static final String MAIL = "Mails of the e-mail flows the mail server did not take, by purpose";
    private static final String BACKCHANNEL = "Back-channel logout deliveries by outcome (success, failure, denied)";
    private static final String CIRCUIT =
            "Back-channel logout circuits opened (a client failing repeatedly) or closed, by state";

    private final MeterRegistry registry;

    /**
     * Counters by name and tag values. {@code Counter.builder(..).register(..)} looks the meter up by a freshly
     * built, sorted id on every call, which showed up in the token endpoint's profile; the tag values come from
     * fixed sets, so this map stays small.
     */
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();

    AuditMetrics(MeterRegistry registry) {
        this.registry = registry;
        preRegister();
    }

    /** Registers every series of the fixed tag sets (value 0), so each exists before its first event. */
    private void preRegister() {
        for (String outcome : OUTCOMES) {
            counter("gatehouse.signin", SIGNIN, "outcome", outcome);
            for (String action : MFA_ACTIONS) {
                for (String factor : FACTORS) {
                    counter("gatehouse.mfa", MFA, "action", action, "outcome", outcome, "factor", factor);
                }
            }
        }
        for (String grant : GRANT_TYPES) {
            counter("gatehouse.tokens", TOKENS, "grant_type", grant);
        }
        for (String purpose : MAIL_PURPOSES) {
            counter("gatehouse.mail.failures", MAIL, "purpose", purpose);
        }
        for (String outcome : List.of("success", "failure", "denied")) {
            counter("gatehouse.logout.backchannel", BACKCHANNEL, "outcome", outcome);
        }
        for (String state : List.of("open", "closed")) {
            counter("gatehouse.logout.backchannel.circuit", CIRCUIT, "state", state);
        }
    }

    private Counter counter(String name, String description, String... tags) {
        List<String> key = new ArrayList<>(tags.length + 1);
        key.add(name);
        key.addAll(Arrays.asList(tags));
        return counters.computeIfAbsent(
                key,
                k -> Counter.builder(name).description(description).tags(tags).register(registry));
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
            case AuditEvents.PASSKEY_REGISTER -> mfa("enrol", outcome(e), "passkey");
            case AuditEvents.PASSKEY_REMOVE -> mfa("remove", outcome(e), "passkey");
            // A passkey's use (sign-in or second step) is a verification; a suspected clone, a lockout-like refusal.
            case AuditEvents.PASSKEY_USE -> mfa("verify", outcome(e), "passkey");
            case AuditEvents.PASSKEY_CLONE_SUSPECTED -> mfa("verify", "locked", "passkey");
            case AuditEvents.TOKEN_ISSUE, AuditEvents.TOKEN_REFRESH -> {
                String grant = e.details().get("grant_type");
                counter(
                                "gatehouse.tokens",
                                TOKENS,
                                "grant_type",
                                grant != null && GRANT_TYPES.contains(grant) ? grant : "other")
                        .increment();
            }
            case AuditEvents.MAIL_FAILURE -> {
                String purpose = e.details().get("purpose");
                counter(
                                "gatehouse.mail.failures",
                                MAIL,
                                "purpose",
                                purpose != null && MAIL_PURPOSES.contains(purpose) ? purpose : "other")
                        .increment();
            }
            case AuditEvents.LOGOUT_BACKCHANNEL ->
                counter(
                                "gatehouse.logout.backchannel",
                                BACKCHANNEL,
                                "outcome",
                                AuditEvent.DENIED.equals(e.outcome()) ? "denied" : outcome(e))
                        .increment();
            case AuditEvents.LOGOUT_BACKCHANNEL_CIRCUIT ->
                counter(
                                "gatehouse.logout.backchannel.circuit",
                                CIRCUIT,
                                "state",
                                AuditEvent.SUCCESS.equals(e.outcome()) ? "closed" : "open")
                        .increment();
            default -> {
                // not counted
            }
        }
    }

    private void signin(String outcome) {
        counter("gatehouse.signin", SIGNIN, "outcome", outcome).increment();
    }

    private void mfa(String action, String outcome, @Nullable String factor) {
        counter(
                        "gatehouse.mfa",
                        MFA,
                        "action",
                        MFA_ACTIONS.contains(action) ? action : "other",
                        "outcome",
                        outcome,
                        "factor",
                        factor != null && FACTORS.contains(factor) ? factor : "other")
                .increment();
    }

    private static String outcome(RecordedEvent e) {
        return AuditEvent.SUCCESS.equals(e.outcome()) ? "success" : "failure";
    }
}
