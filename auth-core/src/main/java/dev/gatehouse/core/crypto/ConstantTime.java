package dev.gatehouse.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Comparisons of secrets whose running time does not depend on where the inputs differ. */
public final class ConstantTime {

    private ConstantTime() {}

    /**
     * Compares two byte arrays in time independent of their contents ({@link MessageDigest#isEqual}).
     *
     * @param a first value
     * @param b second value
     * @return whether they are equal
     */
    public static boolean equals(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /**
     * Compares two strings' UTF-8 bytes in time independent of their contents.
     *
     * @param a first value
     * @param b second value
     * @return whether they are equal
     */
    public static boolean equals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
