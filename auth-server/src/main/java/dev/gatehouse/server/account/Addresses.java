package dev.gatehouse.server.account;

import java.util.Locale;

/**
 * Client addresses as the sessions page shows them. The servlet container writes an IPv6 peer in full ({@code
 * 0:0:0:0:0:0:0:1}); people read the text form of RFC 5952 §4 ({@code ::1}): hexadecimal in lower case without
 * leading zeros, the longest run of two or more zero groups (the first of equal runs) written as {@code ::}.
 * Anything that is not eight groups of hexadecimal is shown as it is.
 */
final class Addresses {

    private Addresses() {}

    /** The address in the form people read; an IPv4 address or anything unrecognised unchanged. */
    static String display(String address) {
        String[] groups = address.split(":", -1);
        if (groups.length != 8) {
            return address;
        }
        int[] values = new int[8];
        for (int i = 0; i < 8; i++) {
            if (groups[i].isEmpty() || groups[i].length() > 4 || !groups[i].matches("[0-9A-Fa-f]+")) {
                return address;
            }
            values[i] = Integer.parseInt(groups[i], 16);
        }
        // RFC 5952 §4.2.2 and §4.2.3: the longest run of at least two zero groups, the first one if runs are equal.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (values[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && values[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append(i == 0 ? "::" : ":");
                i += bestLength - 1;
                continue;
            }
            text.append(Integer.toHexString(values[i]).toLowerCase(Locale.ROOT));
            if (i < 7) {
                text.append(':');
            }
        }
        return text.toString();
    }
}
