package dev.gatehouse.server.users;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Objects;

/**
 * The one canonical form of a username: Unicode NFKC (compatibility forms folded, so a full-width {@code Ａlice} is
 * {@code alice}), then lower case with {@link Locale#ROOT}, then NFKC again (lower-casing can leave a sequence that is
 * not normalised). Usernames are stored in this form when created, looked up by it at sign-in, and attempt counters
 * are keyed by it, so {@code Alice} and {@code alice} are one account with one {@code sub} and one lockout counter.
 * (Case folding by {@code toLowerCase(Locale.ROOT)} is close to, not exactly, Unicode case folding; what matters is
 * that every part of the server uses this one function.)
 */
public final class Usernames {

    private Usernames() {}

    /**
     * The canonical form of {@code username}.
     *
     * @param username a username as typed or stored
     * @return its canonical form
     */
    public static String canonical(String username) {
        Objects.requireNonNull(username, "username must not be null");
        String folded = Normalizer.normalize(username, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return Normalizer.normalize(folded, Normalizer.Form.NFKC);
    }

    /**
     * The one form a name or address typed at the sign-in form is looked up and counted by: {@link #canonical} of
     * the input without leading and trailing white space, where the white space is judged after NFKC, so a
     * no-break space, an em space or an ideographic space (all compatibility forms of a space) are trimmed like a
     * space. Lookup and the attempt counters both use this form, so no spelling of a name or address resolves to an
     * account while being counted under a key of its own.
     *
     * @param typed a name or address as typed
     * @return its sign-in form
     */
    public static String forSignIn(String typed) {
        Objects.requireNonNull(typed, "typed must not be null");
        return canonical(Normalizer.normalize(typed, Normalizer.Form.NFKC).strip());
    }
}
