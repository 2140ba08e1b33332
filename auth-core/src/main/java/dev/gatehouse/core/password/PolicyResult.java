package dev.gatehouse.core.password;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The outcome of {@link PasswordPolicy#check}: accepted, or refused with one or more violations whose
 * messages can be shown to the user as they are.
 *
 * @param violations what is wrong, empty when accepted
 */
public record PolicyResult(List<Violation> violations) {

    /** Copies the list. */
    public PolicyResult {
        violations = List.copyOf(Objects.requireNonNull(violations, "violations must not be null"));
    }

    /**
     * Whether the password may be used.
     *
     * @return {@code true} if there are no violations
     */
    public boolean accepted() {
        return violations.isEmpty();
    }

    /**
     * A user-presentable sentence joining the violations, or "accepted".
     *
     * @return the message
     */
    public String message() {
        return accepted()
                ? "accepted"
                : violations.stream().map(Violation::message).collect(Collectors.joining(" "));
    }

    /** Why a password was refused. */
    public enum Code {
        /** Fewer characters than the minimum. */
        TOO_SHORT,
        /** More characters than the maximum. */
        TOO_LONG,
        /** Control characters or unpaired surrogates. */
        INVALID_CHARACTERS,
        /** On the blocklist of common and breached passwords. */
        COMMON,
        /** Contains the user name, e-mail or another context word. */
        CONTEXT_SPECIFIC,
        /** Repetitive, sequential or otherwise easy to guess (estimated entropy too low). */
        TOO_PREDICTABLE
    }

    /**
     * One reason for refusal.
     *
     * @param code machine-readable reason
     * @param message sentence for the user; never contains the password
     */
    public record Violation(Code code, String message) {

        /** Checks arguments. */
        public Violation {
            Objects.requireNonNull(code, "code must not be null");
            Objects.requireNonNull(message, "message must not be null");
        }
    }
}
