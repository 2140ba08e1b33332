package dev.gatehouse.server.audit;

import org.jspecify.annotations.Nullable;

/** Length caps for event fields, applied before an event is logged or stored so both always agree. */
final class AuditText {

    static final int MAX_TYPE = 100;
    static final int MAX_OUTCOME = 20;
    static final int MAX_NAME = 200;
    static final int MAX_CORRELATION_ID = 64;

    private AuditText() {}

    /** {@code s} cut to {@code max} characters (never splitting a surrogate pair). */
    static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end);
    }

    static @Nullable String cutNullable(@Nullable String s, int max) {
        return s == null ? null : cut(s, max);
    }

    /**
     * For a plain-text log line: control characters (CR, LF, ANSI escapes) replaced, so a value such as an
     * attempted username cannot forge further lines.
     */
    static String printable(@Nullable String s) {
        if (s == null) {
            return "-";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) || c == 0x2028 || c == 0x2029 ? '?' : c);
        }
        return out.toString();
    }
}
