package dev.gatehouse.server.logout;

import dev.gatehouse.server.clients.PublicAddresses;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * A client's back-channel logout settings (OIDC Back-Channel Logout 1.0 §2.2) and what its URI may be:
 *
 * <ul>
 *   <li>an absolute URI without a fragment (§2.2), without user information, at most {@value #MAX_LENGTH} characters;
 *   <li>{@code https}; plain {@code http} only on a loopback host (a relying party on the same machine), as for
 *       remote JWK Sets;
 *   <li>for a dynamically registered client (RFC 7591): {@code https} only, and every address its host resolves to
 *       public ({@link PublicAddresses}, the same rules as for a {@code jwks_uri}), checked at registration and again
 *       before each delivery. An operator's client (admin API) may name a private address.
 * </ul>
 */
public final class BackchannelLogoutUris {

    /**
     * How a {@link #problem} about the host's addresses starts; the reason after it (private, does not resolve, timed
     * out) is for the audit record and the operator, never for an anonymous registrant (it would tell how an internal
     * name resolves).
     */
    public static final String NOT_PUBLIC = "must name a public host";

    /** Client setting: the {@code backchannel_logout_uri} (§2.2), a string; absent when the client has none. */
    public static final String URI_SETTING = "settings.client.gatehouse.backchannel-logout-uri";

    /** Client setting: {@code backchannel_logout_session_required} (§2.2), a boolean; absent means false. */
    public static final String SESSION_REQUIRED_SETTING =
            "settings.client.gatehouse.backchannel-logout-session-required";

    /** The dynamic registration package's marker of a client registered through RFC 7591. */
    static final String DYNAMIC_SETTING = "settings.client.gatehouse.dynamically-registered";

    /** As for redirect URIs. */
    public static final int MAX_LENGTH = 2000;

    private BackchannelLogoutUris() {}

    /**
     * The client's back-channel logout URI, or {@code null}.
     *
     * @param client the client
     * @return the URI, or {@code null}
     */
    public static @Nullable String uri(RegisteredClient client) {
        return client.getClientSettings().getSetting(URI_SETTING) instanceof String s && !s.isEmpty() ? s : null;
    }

    /**
     * Whether the client requires {@code sid} in logout tokens.
     *
     * @param client the client
     * @return the setting, false when absent
     */
    public static boolean sessionRequired(RegisteredClient client) {
        return Boolean.TRUE.equals(client.getClientSettings().getSetting(SESSION_REQUIRED_SETTING));
    }

    /**
     * Whether the client registered itself (RFC 7591): its URI then follows the dynamic rules of {@link #problem}.
     *
     * @param client the client
     * @return the setting, false when absent
     */
    public static boolean dynamic(RegisteredClient client) {
        return Boolean.TRUE.equals(client.getClientSettings().getSetting(DYNAMIC_SETTING));
    }

    /**
     * Why a URI may not be a client's back-channel logout URI.
     *
     * @param value the candidate
     * @param dynamic whether the client registers itself (RFC 7591): then https only, and public addresses only
     * @return the reason, or empty if it may be registered
     */
    public static Optional<String> problem(String value, boolean dynamic) {
        return problem(value, dynamic, PublicAddresses.REGISTRATION);
    }

    private static Optional<String> problem(String value, boolean dynamic, PublicAddresses.Resolver resolver) {
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            return Optional.of("must be 1 to " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return Optional.of("must be ASCII without spaces or control characters (RFC 3986)");
            }
        }
        if (value.indexOf('#') >= 0) {
            return Optional.of("must not contain a fragment (OIDC Back-Channel Logout 1.0 section 2.2)");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URI (RFC 3986)");
        }
        if (!uri.isAbsolute() || uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("must be an absolute URI with a host (OIDC Back-Channel Logout 1.0 section 2.2)");
        }
        if (uri.getRawUserInfo() != null || uri.getRawAuthority().contains("@")) {
            return Optional.of("must not contain user information");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (dynamic) {
            if (!scheme.equals("https")) {
                return Optional.of("must use https");
            }
            return resolver.refusedHost(uri.getHost()).map(reason -> NOT_PUBLIC + ": " + reason);
        }
        if (scheme.equals("https") || (scheme.equals("http") && loopback(uri.getHost()))) {
            return Optional.empty();
        }
        return Optional.of("must use https; plain http only on a loopback host");
    }

    /**
     * Checks a stored URI again before a delivery: the client's settings could have been written by other means,
     * and a dynamically registered client's host could resolve elsewhere now.
     *
     * @param client the client
     * @param value its URI
     * @param resolver the lookups of logout delivery (its own pool)
     * @return the reason not to send, or empty
     */
    static Optional<String> refusedAtSend(RegisteredClient client, String value, PublicAddresses.Resolver resolver) {
        return problem(value, dynamic(client), resolver);
    }

    private static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]");
    }

    /** The reason given when the host does not resolve within {@link #DNS_BUDGET}: worth trying again later. */
    static final String RESOLVE_TIMEOUT = PublicAddresses.RESOLVE_TIMEOUT;

    /** The reason given when the delivery resolver pool is saturated: the server's state, not the host's. */
    static final String RESOLVER_BUSY = PublicAddresses.RESOLVER_BUSY;

    /** The longest a host name is resolved for (the JDK resolver has no timeout of its own). */
    static final Duration DNS_BUDGET = PublicAddresses.DNS_BUDGET;

    /** Why a host is not public ({@link PublicAddresses}, the rules shared with key fetches), resolved now. */
    static Optional<String> refusedAddress(String host) {
        return PublicAddresses.refusedHost(host);
    }
}
