package dev.gatehouse.server.clients;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one place that decides whether a URL this server calls on a client's behalf points only at public addresses:
 * a dynamically registered client's {@code jwks_uri} (fetched by {@link ClientKeyVerifiers}) and its {@code
 * backchannel_logout_uri} (posted to by the logout package). A self-registered URL must not make the server reach its
 * own network (blind SSRF, and a port scan by timing). Clients an administrator registered are trusted and not
 * checked (their callers decide that).
 *
 * <p>Refused addresses ({@link #refusedAddress}), the union of what the two callers refused before:
 *
 * <ul>
 *   <li>any address Java calls unspecified ("any local"), loopback, link-local, site-local or multicast;
 *   <li>IPv4: {@code 0/8} this network (RFC 791), {@code 100.64/10} shared CGNAT space (RFC 6598), {@code 169.254/16}
 *       link-local (RFC 3927, cloud metadata), {@code 192.0.0/24} IETF assignments (RFC 6890), {@code 198.18/15}
 *       benchmarking (RFC 2544), {@code 240/4} reserved, broadcast included (RFC 1112);
 *   <li>IPv6: {@code fc00::/7} unique local (RFC 4193), {@code 100::/64} discard-only (RFC 6666), and every form that
 *       carries or reaches an IPv4 address, whatever that address is: IPv4-mapped {@code ::ffff:0:0/96} and
 *       IPv4-compatible {@code ::/96} (RFC 4291 §2.5.5), NAT64 {@code 64:ff9b::/96} (RFC 6052) and local-use NAT64
 *       {@code 64:ff9b:1::/48} (RFC 8215), 6to4 {@code 2002::/16} (RFC 3056) and Teredo {@code 2001::/32} (RFC 4380).
 * </ul>
 *
 * A host name must resolve within {@link #DNS_BUDGET} (the JDK resolver has no timeout of its own), and every address
 * it resolves to must be public; a name that does not resolve is refused (at registration too). Names are resolved
 * again before each use: DNS rebinding between the check and the connection remains (SECURITY.md).
 */
public final class PublicAddresses {

    /** The longest a host name is resolved for. */
    public static final Duration DNS_BUDGET = Duration.ofSeconds(2);

    /** The reason given when the host does not resolve within {@link #DNS_BUDGET}: worth trying again later. */
    public static final String RESOLVE_TIMEOUT = "the host did not resolve in time";

    /** The reason given when the host does not resolve at all. */
    public static final String UNRESOLVED = "the host does not resolve";

    /** The reason given when one of the host's addresses is refused. */
    public static final String NOT_PUBLIC = "it resolves to a loopback, private, link-local or reserved address";

    private static final ExecutorService RESOLVERS = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "gatehouse-public-address-resolve");
        t.setDaemon(true);
        return t;
    });

    private PublicAddresses() {}

    /**
     * Whether an address is refused (not public, or an IPv6 form carrying or reaching an IPv4 address).
     *
     * @param address the address
     * @return true when the server must not connect to it on a client's behalf
     */
    public static boolean refusedAddress(InetAddress address) {
        Objects.requireNonNull(address, "address must not be null");
        if (address.isAnyLocalAddress()
                || address.isLoopbackAddress()
                || address.isLinkLocalAddress()
                || address.isSiteLocalAddress()
                || address.isMulticastAddress()) {
            return true;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 // 0.0.0.0/8, "this network" (RFC 791)
                    || (first == 100 && (second & 0xc0) == 64) // 100.64.0.0/10, shared address space (RFC 6598)
                    || (first == 169 && second == 254) // 169.254.0.0/16, link-local (RFC 3927)
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24, IETF (RFC 6890)
                    || (first == 198 && (second & 0xfe) == 18) // 198.18.0.0/15, benchmarking (RFC 2544)
                    || first >= 240; // 240.0.0.0/4 reserved, 255.255.255.255 broadcast included
        }
        if (address instanceof Inet6Address) {
            int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
            int w1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            int w2 = ((b[4] & 0xff) << 8) | (b[5] & 0xff);
            boolean first80Zero = allZero(b, 0, 10);
            boolean mapped = first80Zero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff; // ::ffff:0:0/96
            boolean compatible = first80Zero && b[10] == 0 && b[11] == 0; // ::/96 (RFC 4291 §2.5.5.1)
            boolean nat64 = w0 == 0x64 && w1 == 0xff9b && allZero(b, 4, 12); // 64:ff9b::/96 (RFC 6052 §2.1)
            boolean localNat64 = w0 == 0x64 && w1 == 0xff9b && w2 == 1; // 64:ff9b:1::/48 (RFC 8215)
            boolean discard = w0 == 0x100 && allZero(b, 2, 8); // 100::/64, discard-only (RFC 6666)
            return (b[0] & 0xfe) == 0xfc // fc00::/7, unique local (RFC 4193)
                    || mapped
                    || compatible
                    || nat64
                    || localNat64
                    || discard
                    || w0 == 0x2002 // 2002::/16, 6to4 (RFC 3056)
                    || (w0 == 0x2001 && w1 == 0); // 2001::/32, Teredo (RFC 4380)
        }
        return true;
    }

    /**
     * Why a host may not be called on a dynamically registered client's behalf: it does not resolve within {@link
     * #DNS_BUDGET} ({@link #RESOLVE_TIMEOUT}), does not resolve at all ({@link #UNRESOLVED}), or one of its addresses
     * is refused ({@link #NOT_PUBLIC}). An IP literal (bracketed or not) needs no lookup.
     *
     * @param host the host of a URL
     * @return the reason, or empty when every address of the host is public
     */
    public static Optional<String> refusedHost(String host) {
        Objects.requireNonNull(host, "host must not be null");
        if (host.isEmpty()) {
            return Optional.of(UNRESOLVED);
        }
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        Future<InetAddress[]> lookup;
        try {
            lookup = RESOLVERS.submit(() -> InetAddress.getAllByName(name));
        } catch (RejectedExecutionException e) {
            return Optional.of(RESOLVE_TIMEOUT);
        }
        try {
            addresses = lookup.get(DNS_BUDGET.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return Optional.of(UNRESOLVED);
        } catch (TimeoutException e) {
            lookup.cancel(true);
            return Optional.of(RESOLVE_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lookup.cancel(true);
            return Optional.of(RESOLVE_TIMEOUT);
        }
        if (addresses == null || addresses.length == 0) {
            return Optional.of(UNRESOLVED);
        }
        for (InetAddress address : addresses) {
            if (refusedAddress(address)) {
                return Optional.of(NOT_PUBLIC);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a URL's host resolves (within {@link #DNS_BUDGET}), and only to public addresses.
     *
     * @param uri the URL
     * @return false when the host is missing, does not resolve in time, or any address it resolves to is refused
     */
    public static boolean publicAddress(URI uri) {
        String host = uri.getHost();
        return host != null && refusedHost(host).isEmpty();
    }

    /**
     * Whether a URL is refused: the opposite of {@link #publicAddress}.
     *
     * @param uri the URL
     * @return true when the URL is refused
     */
    public static boolean refusedUri(URI uri) {
        return !publicAddress(uri);
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
