package dev.gatehouse.server.audit;

import java.util.Map;
import java.util.TreeMap;

/**
 * Writes an event's details as one compact JSON object with sorted keys (RFC 8259 escaping), so the same details
 * always give the same text: the chain's hash covers the stored text exactly. Keys, values and the number of
 * entries are capped, so a hostile value (an attempted username) cannot make a row too large to store.
 */
final class AuditJson {

    static final int MAX_ENTRIES = 32;
    static final int MAX_KEY_LENGTH = 64;
    static final int MAX_VALUE_LENGTH = 256;

    private AuditJson() {}

    static String write(Map<String, String> details) {
        StringBuilder out = new StringBuilder(64).append('{');
        int n = 0;
        for (Map.Entry<String, String> e : new TreeMap<>(details).entrySet()) {
            if (n == MAX_ENTRIES) {
                break;
            }
            if (n++ > 0) {
                out.append(',');
            }
            string(out, AuditText.cut(e.getKey(), MAX_KEY_LENGTH));
            out.append(':');
            string(out, AuditText.cut(e.getValue(), MAX_VALUE_LENGTH));
        }
        return out.append('}').toString();
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
