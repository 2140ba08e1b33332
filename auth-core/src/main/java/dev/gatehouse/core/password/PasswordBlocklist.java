package dev.gatehouse.core.password;

import dev.gatehouse.core.internal.OptionalLibrary;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import me.gosimple.nbvcxz.resources.DictionaryUtil;

/**
 * Passwords refused because attackers try them first (NIST SP 800-63B §5.1.1.2: "commonly-used, expected, or
 * compromised values"). Matching is on the NFKC, lower-cased form.
 */
public final class PasswordBlocklist {

    private final Set<String> entries;

    private PasswordBlocklist(Set<String> entries) {
        this.entries = Set.copyOf(entries);
    }

    /**
     * The 100,000 most common passwords from leaked-password corpora, as shipped and maintained in the nbvcxz
     * library's {@code passwords} dictionary. Loaded once, on first use.
     *
     * @return the shipped blocklist
     */
    public static PasswordBlocklist common() {
        PasswordException.requireLibrary(
                OptionalLibrary.NBVCXZ, "common-password blocklists (PasswordBlocklist.common())");
        return Common.INSTANCE;
    }

    /**
     * A blocklist of the given entries (for example an organisation's own list of breached passwords).
     *
     * @param entries the passwords to refuse
     * @return the blocklist
     */
    public static PasswordBlocklist of(Collection<String> entries) {
        Objects.requireNonNull(entries, "entries must not be null");
        Set<String> set = new HashSet<>();
        for (String e : entries) {
            set.add(key(Objects.requireNonNull(e, "entries must not contain null")));
        }
        return new PasswordBlocklist(set);
    }

    /**
     * A blocklist holding this one's entries and the other's.
     *
     * @param other another blocklist
     * @return the union
     */
    public PasswordBlocklist and(PasswordBlocklist other) {
        Set<String> set = new HashSet<>(entries);
        set.addAll(other.entries);
        return new PasswordBlocklist(set);
    }

    /**
     * Whether the password is on the list (NFKC-normalised, case-insensitive).
     *
     * @param password a password
     * @return {@code true} if listed
     */
    public boolean contains(CharSequence password) {
        return entries.contains(key(password));
    }

    /**
     * Number of entries.
     *
     * @return the size
     */
    public int size() {
        return entries.size();
    }

    private static String key(CharSequence password) {
        return PasswordHasher.normalize(password).toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "PasswordBlocklist[" + entries.size() + " entries]";
    }

    private static final class Common {
        static final PasswordBlocklist INSTANCE =
                of(DictionaryUtil.loadRankedDictionary(DictionaryUtil.passwords).keySet());
    }
}
