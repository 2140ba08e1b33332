package dev.gatehouse.server.dynamicclients;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a dynamically registered client's redirect URI may be. Spring Authorization Server compares redirect URIs
 * exactly (RFC 9700 §4.1.3), so these rules decide only what may be registered:
 *
 * <ul>
 *   <li>{@code https} with a host, no user information, no fragment (RFC 6749 §3.1.2), no wildcard;
 *   <li>{@code http} only on a loopback IP literal, {@code 127.0.0.1} or {@code [::1]}, any port (RFC 8252 §7.3);
 *       {@code localhost} is refused: RFC 8252 §8.3 recommends against it (a name can resolve elsewhere, and a
 *       listener on the IP literal is what the client opens);
 *   <li>a private-use scheme for native apps in reverse domain name form with at least one dot, such as {@code
 *       com.example.app:/callback} (RFC 8252 §7.1);
 *   <li>everything else refused, in particular {@code javascript:}, {@code data:}, {@code file:}, {@code vbscript:} and
 *       plain {@code http} to another host.
 * </ul>
 */
final class RegistrationRedirectUris {

    static final int MAX_LENGTH = 2000;

    /** RFC 8252 §7.1: a reverse domain name (RFC 3986 scheme characters, at least one dot). */
    private static final Pattern PRIVATE_USE_SCHEME = Pattern.compile("[a-z][a-z0-9+\\-]*(\\.[a-z0-9+\\-]+)+");

    /** Schemes a browser would run or render rather than hand to an app, whatever form they are in. */
    private static final java.util.Set<String> DANGEROUS =
            java.util.Set.of("javascript", "data", "vbscript", "file", "blob", "about", "filesystem");

    private RegistrationRedirectUris() {}

    /**
     * Why a URI may not be registered.
     *
     * @param value the candidate
     * @return the reason, or empty if it may be registered
     */
    static Optional<String> problem(String value) {
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            return Optional.of("must be 1 to " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return Optional.of("must be ASCII without spaces or control characters (RFC 3986)");
            }
        }
        if (value.indexOf('*') >= 0) {
            return Optional.of("must not contain a wildcard '*': redirect URIs are matched exactly");
        }
        if (value.indexOf('#') >= 0) {
            return Optional.of("must not contain a fragment (RFC 6749 §3.1.2)");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.of("is not a valid URI (RFC 3986)");
        }
        if (!uri.isAbsolute()) {
            return Optional.of("must be an absolute URI (RFC 6749 §3.1.2)");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (DANGEROUS.contains(scheme)) {
            return Optional.of("must not use the " + scheme + ": scheme");
        }
        if (uri.getRawUserInfo() != null
                || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
            return Optional.of("must not contain user information");
        }
        if (scheme.equals("https")) {
            return uri.getHost() == null || uri.getHost().isEmpty()
                    ? Optional.of("must name a host")
                    : Optional.empty();
        }
        if (scheme.equals("http")) {
            String host = uri.getHost();
            if ("127.0.0.1".equals(host) || "[::1]".equals(host)) {
                return Optional.empty();
            }
            return Optional.of("must use https; plain http only on a loopback IP literal, http://127.0.0.1:{port} or"
                    + " http://[::1]:{port} (RFC 8252 §7.3; localhost is not accepted, RFC 8252 §8.3)");
        }
        if (PRIVATE_USE_SCHEME.matcher(scheme).matches()) {
            // RFC 8252 §7.1: "com.example.app:/oauth2redirect" (one slash; no authority).
            if (uri.getRawAuthority() != null) {
                return Optional.of(
                        "a private-use scheme URI takes no authority: use " + scheme + ":/path" + " (RFC 8252 §7.1)");
            }
            return Optional.empty();
        }
        return Optional.of("must use https, http on a loopback IP literal (RFC 8252 §7.3), or a private-use scheme in"
                + " reverse domain name form such as com.example.app:/callback (RFC 8252 §7.1)");
    }
}
