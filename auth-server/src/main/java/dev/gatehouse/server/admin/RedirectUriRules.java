package dev.gatehouse.server.admin;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * What a registered redirect URI (or post-logout redirect URI) may be. Spring Authorization Server compares them
 * exactly at the authorization endpoint (OAuth 2.1 §2.3.1 / RFC 9700 §4.1.3: exact string matching), so the rules
 * only decide what may be registered:
 *
 * <ul>
 *   <li>absolute, with a scheme and host (RFC 6749 §3.1.2);
 *   <li>no fragment (RFC 6749 §3.1.2: "MUST NOT include a fragment component");
 *   <li>no wildcard {@code *} anywhere (exact matching has no patterns; RFC 9700 §4.1.3);
 *   <li>{@code https}, or {@code http} on a loopback IP literal ({@code 127.0.0.1}, {@code [::1]}) for native and
 *       development clients (RFC 8252 §7.3; {@code localhost} is not accepted, RFC 8252 §8.3);
 *   <li>no user information ({@code user@host}), which only serves to disguise the real host.
 * </ul>
 *
 * Everything else ({@code javascript:}, {@code data:}, relative references, plain {@code http} to a remote host) is
 * refused with a reason.
 */
final class RedirectUriRules {

    static final int MAX_LENGTH = 2000;

    private RedirectUriRules() {}

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
            // java.net.URI throws NumberFormatException, not URISyntaxException, for a port beyond int.
            return Optional.of("is not a valid URI (RFC 3986)");
        }
        if (!uri.isAbsolute() || uri.isOpaque()) {
            return Optional.of("must be an absolute https URI (RFC 6749 §3.1.2)");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return Optional.of("must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not contain user information");
        }
        if (scheme.equals("https")) {
            return Optional.empty();
        }
        if (scheme.equals("http")) {
            if (host.equals("127.0.0.1") || host.equals("[::1]")) {
                return Optional.empty();
            }
            return Optional.of("must use https; plain http only on a loopback IP literal such as http://127.0.0.1"
                    + " (RFC 8252 §7.3)");
        }
        return Optional.of("must use https (or http on a loopback IP literal)");
    }
}
