package dev.gatehouse.server.logout;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *       public (not loopback, private, link-local incl. 169.254/16, unique-local, shared CGNAT 100.64/10, multicast
 *       or unspecified), checked at registration and again before each delivery. An operator's client (admin API)
 *       may name a private address.
 * </ul>
 */
public final class BackchannelLogoutUris {

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
            return refusedAddress(uri.getHost()).map(reason -> "must name a public host: " + reason);
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
     * @return the reason not to send, or empty
     */
    static Optional<String> refusedAtSend(RegisteredClient client, String value) {
        return problem(value, dynamic(client));
    }

    private static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]");
    }

    /** The reason given when the host does not resolve within {@link #DNS_BUDGET}: worth trying again later. */
    static final String RESOLVE_TIMEOUT = "the host did not resolve in time";

    /** The longest a host name is resolved for (the JDK resolver has no timeout of its own). */
    static final Duration DNS_BUDGET = Duration.ofSeconds(2);

    private static final ExecutorService RESOLVERS = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "gatehouse-backchannel-resolve");
        t.setDaemon(true);
        return t;
    });

    /** Why a host is not public: one of its addresses, resolved now (within {@link #DNS_BUDGET}), is not. */
    static Optional<String> refusedAddress(String host) {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        Future<InetAddress[]> lookup = RESOLVERS.submit(() -> InetAddress.getAllByName(name));
        try {
            addresses = lookup.get(DNS_BUDGET.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return Optional.of("the host does not resolve");
        } catch (TimeoutException | RejectedExecutionException e) {
            lookup.cancel(true);
            return Optional.of(RESOLVE_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(RESOLVE_TIMEOUT);
        }
        for (InetAddress a : addresses) {
            if (!publicAddress(a)) {
                return Optional.of("it resolves to a loopback, private, link-local or reserved address");
            }
        }
        return Optional.empty();
    }

    static boolean publicAddress(InetAddress a) {
        if (a.isAnyLocalAddress()
                || a.isLoopbackAddress()
                || a.isLinkLocalAddress()
                || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            // 0/8 this network, 100.64/10 shared (CGNAT, RFC 6598), 192.0.0/24 IETF, 198.18/15 benchmarking, 240/4
            return first != 0
                    && !(first == 100 && second >= 64 && second < 128)
                    && !(first == 192 && second == 0 && (b[2] & 0xff) == 0)
                    && !(first == 198 && (second == 18 || second == 19))
                    && first < 240;
        }
        // fc00::/7 unique local (RFC 4193); IPv4-mapped addresses were already unmapped by InetAddress
        if ((b[0] & 0xfe) == 0xfc) {
            return false;
        }
        // ::/96 IPv4-compatible (RFC 4291 §2.5.5.1, deprecated): the last 32 bits are an IPv4 address
        if (zero(b, 0, 12)) {
            return publicAddress(ipv4(b, 12));
        }
        // 64:ff9b::/96 NAT64 well-known prefix (RFC 6052 §2.1): reaches the embedded IPv4 address
        if (b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
            if (zero(b, 4, 12)) {
                return publicAddress(ipv4(b, 12));
            }
            // 64:ff9b:1::/48 local-use NAT64 (RFC 8215): the IPv4 address is wherever the network puts it
            return !(b[4] == 0 && b[5] == 1);
        }
        // 2002::/16 6to4 (RFC 3056 §2): the next 32 bits are the IPv4 address of the relay that delivers it
        if (b[0] == 0x20 && b[1] == 0x02) {
            return publicAddress(ipv4(b, 2));
        }
        // 2001::/32 Teredo (RFC 4380 §4): the client's IPv4 address is only obfuscated in it; refused outright
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
            return false;
        }
        // 100::/64 discard-only (RFC 6666)
        return !(b[0] == 0x01 && b[1] == 0 && zero(b, 2, 8));
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress ipv4(byte[] b, int offset) {
        try {
            return InetAddress.getByAddress(new byte[] {b[offset], b[offset + 1], b[offset + 2], b[offset + 3]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }
}
