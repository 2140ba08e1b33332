package dev.gatehouse.server.account;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Checks of form inputs before anything else reads them: a length bound and no control characters (nor unpaired
 * surrogates). The message never repeats the value.
 */
final class Inputs {

    /** Longest password read (auth-core's policy refuses long ones itself; this bounds the work before it). */
    static final int MAX_PASSWORD = 1024;

    /** Longest one-time code read. */
    static final int MAX_CODE = 16;

    /** Longest recovery code read. */
    static final int MAX_RECOVERY_CODE = 64;

    /** Longest identifier read (a client id, a session handle). */
    static final int MAX_ID = 200;

    private Inputs() {}

    /**
     * Adds an error to {@code errors} when the value is missing, too long, or holds a control character.
     *
     * @param errors where errors go
     * @param field the input's id
     * @param value the value, or {@code null} when absent
     * @param max the longest allowed
     * @return whether the value may be used
     */
    static boolean check(List<FormError> errors, String field, @Nullable String value, int max) {
        if (value == null || value.isEmpty()) {
            errors.add(FormError.of(field, "account.error.required"));
            return false;
        }
        if (value.length() > max) {
            errors.add(FormError.of(field, "account.error.too_long", max));
            return false;
        }
        if (hasControlCharacters(value)) {
            errors.add(FormError.of(field, "account.error.control_characters"));
            return false;
        }
        return true;
    }

    /** Whether a value holds a control character (C0, DEL, C1) or an unpaired surrogate. */
    static boolean hasControlCharacters(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return true;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
