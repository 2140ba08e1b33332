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
     * A field value for a plain-text log line: {@code -} for none, otherwise the value in double quotes with
     * {@code \} and {@code "} backslash-escaped and every control character (CR, LF, tab, ANSI escapes, and the
     * Unicode line and paragraph separators) written as a backslash, {@code u} and four hex digits (as in JSON). A
     * reader splits the line on {@code key="..."} pairs, so no value (an attempted username such as
     * {@code bob" outcome="success}) can end its field, start another, or start another line.
     */
    static String quoted(@Nullable String s) {
        if (s == null) {
            return "-";
        }
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
