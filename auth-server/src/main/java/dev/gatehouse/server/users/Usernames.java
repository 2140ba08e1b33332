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
}
