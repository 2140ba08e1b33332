package dev.gatehouse.server.registration;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The e-mail addresses the flows accept: a sane subset of RFC 5321 §4.1.2 / RFC 5322 §3.4.1 that every mail server
 * takes. A dot-atom local part of at most 64 characters (letters, digits and {@code !#$%&'*+/=?^_`{|}~-}, dots only
 * between them), one {@code @}, and a domain of at least two LDH labels (RFC 1035 §2.3.1, each 1 to 63 characters,
 * no hyphen at either end, the last not all digits), at most 254 characters in all (RFC 5321 §4.5.3.1.3 path limit
 * less the angle brackets). Not accepted: quoted local parts, comments, address literals, non-ASCII (SMTPUTF8). The
 * domain is lower-cased; the local part is kept as typed (RFC 5321 §2.4), while uniqueness ignores case.
 */
final class EmailAddresses {

    /** RFC 5321 §4.5.3.1.3: a path of 256 octets, less the angle brackets. */
    static final int MAX_LENGTH = 254;

    private static final int MAX_LOCAL_PART = 64;
    private static final int MAX_LABEL = 63;
    private static final String ATEXT_SPECIALS = "!#$%&'*+/=?^_`{|}~-";

    private EmailAddresses() {}

    /** An address as typed, checked. */
    sealed interface Parsed permits Valid, Invalid {}

    /**
     * An acceptable address.
     *
     * @param address the address, domain lower-cased
     */
    record Valid(String address) implements Parsed {}

    /**
     * A refused address.
     *
     * @param reason the message key saying why
     */
    record Invalid(String reason) implements Parsed {}

    /**
     * Checks an address as typed; surrounding white space is ignored.
     *
     * @param input the form field, or {@code null} when missing
     * @return the address or why it was refused
     */
    static Parsed parse(@Nullable String input) {
        if (input == null || input.isBlank()) {
            return new Invalid("mail.error.email.missing");
        }
        if (input.length() > MAX_LENGTH + 20) {
            return new Invalid("mail.error.email.too_long");
        }
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                return new Invalid("mail.error.email.control");
            }
        }
        String address = input.strip();
        if (address.length() > MAX_LENGTH) {
            return new Invalid("mail.error.email.too_long");
        }
        int at = address.indexOf('@');
        if (at <= 0 || at != address.lastIndexOf('@') || at == address.length() - 1) {
            return new Invalid("mail.error.email.malformed");
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
        if (!localPart(local) || !domain(domain)) {
            return new Invalid("mail.error.email.malformed");
        }
        return new Valid(local + "@" + domain);
    }

    private static boolean localPart(String local) {
        if (local.length() > MAX_LOCAL_PART || local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return false;
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (!(letterOrDigit(c) || c == '.' || ATEXT_SPECIALS.indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean domain(String domain) {
        String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            return false;
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > MAX_LABEL || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(letterOrDigit(c) || c == '-')) {
                    return false;
                }
            }
        }
        return !labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static boolean letterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
