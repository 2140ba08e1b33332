package dev.gatehouse.core.mfa;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/** RFC 4648 §6 Base32, as authenticator apps read secrets: upper case, no padding on output. */
final class Base32 {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private Base32() {}

    static String encode(byte[] data) {
        StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET.charAt((buffer >>> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }

    /**
     * Decodes leniently about presentation (case, spaces, dashes, trailing padding) and strictly about
     * content: any other character, an impossible length or non-zero trailing bits is an error.
     */
    static byte[] decode(String text) {
        if (!text.chars().allMatch(c -> c < 0x80)) {
            // Before upper-casing: Unicode case mapping turns the long s (U+017F) into 'S' and the dotless i into 'I'.
            throw invalid("it contains a character outside A-Z and 2-7");
        }
        String s = text.replace(" ", "").replace("-", "").toUpperCase(Locale.ROOT);
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        int rem = end % 8;
        if (end == 0 || rem == 1 || rem == 3 || rem == 6) {
            throw invalid("its length is not a possible Base32 length");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(end * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < end; i++) {
            int v = ALPHABET.indexOf(s.charAt(i));
            if (v < 0) {
                throw invalid("it contains a character outside A-Z and 2-7");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >>> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            throw invalid("its last character has non-zero unused bits");
        }
        return out.toByteArray();
    }

    private static MfaException invalid(String why) {
        return new MfaException(MfaException.Reason.INVALID_SECRET, "secret is not valid Base32 (RFC 4648): " + why);
    }
}
