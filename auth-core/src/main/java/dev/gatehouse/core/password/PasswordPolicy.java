package dev.gatehouse.core.password;

import static dev.gatehouse.core.password.PasswordException.Reason.INVALID_PARAMETERS;

import dev.gatehouse.core.internal.OptionalLibrary;
import dev.gatehouse.core.password.PolicyResult.Code;
import dev.gatehouse.core.password.PolicyResult.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import me.gosimple.nbvcxz.Nbvcxz;
import me.gosimple.nbvcxz.resources.ConfigurationBuilder;
import org.jspecify.annotations.Nullable;

/**
 * A password policy after NIST SP 800-63B §5.1.1.2 (memorized secrets): a length range counted in Unicode
 * code points after NFKC normalisation, no composition rules (no "one digit, one symbol"), a blocklist of
 * common and breached passwords, refusal of context-specific words (user name, e-mail, service name), and
 * optionally a minimum estimated entropy that catches repetitive and sequential passwords.
 *
 * <p>Built once, immutable and thread-safe. Defaults: 8..64 characters, the shipped {@link
 * PasswordBlocklist#common()} list, context words of 4+ characters, minimum estimated entropy 20 bits.
 */
public final class PasswordPolicy {

    private final int minLength;
    private final int maxLength;
    private final PasswordBlocklist blocklist;
    private final double minimumEntropyBits;
    private final @Nullable Nbvcxz estimator;

    private PasswordPolicy(Builder b) {
        if (b.blocklist == null || b.minimumEntropyBits > 0) {
            // Without nbvcxz a policy still works when asked for neither: blocklist(of(...)), minimumEntropyBits(0).
            PasswordException.requireLibrary(
                    OptionalLibrary.NBVCXZ,
                    "password policies with the common-password blocklist or an entropy minimum");
        }
        this.minLength = b.minLength;
        this.maxLength = b.maxLength;
        this.blocklist = b.blocklist == null ? PasswordBlocklist.common() : b.blocklist;
        this.minimumEntropyBits = b.minimumEntropyBits;
        this.estimator = b.minimumEntropyBits > 0
                ? new Nbvcxz(new ConfigurationBuilder()
                        .setMinimumEntropy(b.minimumEntropyBits)
                        .setMaxLength(Math.max(maxLength, 64))
                        .setLocale(Locale.ROOT)
                        .createConfiguration())
                : null;
    }

    /**
     * A builder with the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The default policy.
     *
     * @return a policy with every default
     */
    public static PasswordPolicy defaults() {
        return builder().build();
    }

    /**
     * Checks a candidate password (on sign-up or change; not on sign-in).
     *
     * @param password the candidate
     * @param contextWords words the password must not contain: user name, e-mail, service name (case-insensitive;
     *     words shorter than 4 characters are ignored, and an e-mail also contributes its local part)
     * @return accepted, or the violations with user-presentable messages
     */
    public PolicyResult check(CharSequence password, String... contextWords) {
        Objects.requireNonNull(password, "password must not be null");
        Objects.requireNonNull(contextWords, "contextWords must not be null");
        List<Violation> violations = new ArrayList<>();
        if (password.length() > 4 * maxLength) {
            // Refuse before normalising or estimating: bounded work for hostile input.
            violations.add(tooLong());
            return new PolicyResult(violations);
        }
        String normalized = PasswordHasher.normalize(password);
        int length = normalized.codePointCount(0, normalized.length());
        if (normalized.codePoints().anyMatch(PasswordPolicy::invalid)) {
            violations.add(new Violation(
                    Code.INVALID_CHARACTERS, "Passwords cannot contain control characters or broken Unicode."));
        }
        if (length < minLength) {
            violations.add(new Violation(Code.TOO_SHORT, "Use at least " + minLength + " characters."));
        } else if (length > maxLength) {
            violations.add(tooLong());
        }
        if (!violations.isEmpty()) {
            return new PolicyResult(violations);
        }
        if (blocklist.contains(normalized)) {
            violations.add(new Violation(
                    Code.COMMON, "This password is too common; it appears in lists of leaked passwords."));
            return new PolicyResult(violations);
        }
        String lower = normalized.toLowerCase(Locale.ROOT);
        for (String word : contextWords) {
            if (word != null && containsContext(lower, word)) {
                violations.add(new Violation(
                        Code.CONTEXT_SPECIFIC,
                        "Passwords cannot contain your user name, e-mail address or the site name."));
                return new PolicyResult(violations);
            }
        }
        if (estimator != null && estimator.estimate(normalized).getEntropy() < minimumEntropyBits) {
            violations.add(
                    new Violation(
                            Code.TOO_PREDICTABLE,
                            "This password is easy to guess (repeated, sequential or keyboard patterns); try a longer phrase."));
        }
        return new PolicyResult(violations);
    }

    private Violation tooLong() {
        return new Violation(Code.TOO_LONG, "Use at most " + maxLength + " characters.");
    }

    private static boolean containsContext(String lowerPassword, String word) {
        String w = PasswordHasher.normalize(word).toLowerCase(Locale.ROOT).strip();
        List<String> candidates = new ArrayList<>(List.of(w));
        int at = w.indexOf('@');
        if (at > 0) {
            candidates.add(w.substring(0, at));
        }
        for (String c : candidates) {
            if (c.length() >= 4 && lowerPassword.contains(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean invalid(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.CONTROL || type == Character.SURROGATE;
    }

    /**
     * The minimum length in code points.
     *
     * @return the minimum
     */
    public int minLength() {
        return minLength;
    }

    /**
     * The maximum length in code points.
     *
     * @return the maximum
     */
    public int maxLength() {
        return maxLength;
    }

    @Override
    public String toString() {
        return "PasswordPolicy[length=" + minLength + ".." + maxLength + ", " + blocklist + ", minimumEntropyBits="
                + minimumEntropyBits + "]";
    }

    /** Builds a {@link PasswordPolicy}. */
    public static final class Builder {

        private int minLength = 8;
        private int maxLength = 64;
        private @Nullable PasswordBlocklist blocklist;
        private double minimumEntropyBits = 20;

        private Builder() {}

        /**
         * Minimum length in code points; default 8. NIST SP 800-63B requires at least 8 (15 when the password
         * is the only factor, per SP 800-63B-4).
         *
         * @param minLength at least 8
         * @return this builder
         */
        public Builder minLength(int minLength) {
            if (minLength < 8) {
                throw new PasswordException(INVALID_PARAMETERS, "minLength must be at least 8 (NIST SP 800-63B)");
            }
            this.minLength = minLength;
            return this;
        }

        /**
         * Maximum length in code points; default 64. NIST SP 800-63B requires allowing at least 64.
         *
         * @param maxLength at least 64
         * @return this builder
         */
        public Builder maxLength(int maxLength) {
            if (maxLength < 64 || maxLength > 1024) {
                throw new PasswordException(INVALID_PARAMETERS, "maxLength must be between 64 and 1024");
            }
            this.maxLength = maxLength;
            return this;
        }

        /**
         * The blocklist; default {@link PasswordBlocklist#common()}. Combine with {@link PasswordBlocklist#and}
         * to add your own entries.
         *
         * @param blocklist the list of refused passwords
         * @return this builder
         */
        public Builder blocklist(PasswordBlocklist blocklist) {
            this.blocklist = Objects.requireNonNull(blocklist, "blocklist must not be null");
            return this;
        }

        /**
         * Minimum entropy estimated by nbvcxz (zxcvbn-style pattern matching); default 20 bits, enough to refuse
         * repeats, sequences and keyboard walks without imposing composition rules. 0 turns the estimate off.
         *
         * @param bits 0 to 128
         * @return this builder
         */
        public Builder minimumEntropyBits(double bits) {
            if (!(bits >= 0 && bits <= 128)) {
                throw new PasswordException(INVALID_PARAMETERS, "minimumEntropyBits must be between 0 and 128");
            }
            this.minimumEntropyBits = bits;
            return this;
        }

        /**
         * Builds the policy.
         *
         * @return an immutable policy
         */
        public PasswordPolicy build() {
            if (maxLength < minLength) {
                throw new PasswordException(INVALID_PARAMETERS, "maxLength must not be less than minLength");
            }
            return new PasswordPolicy(this);
        }
    }
}
