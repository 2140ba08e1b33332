package dev.gatehouse.server.clients;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
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

    /**
     * The reason given when the caller's resolver pool is saturated and the lookup did not even start within {@link
     * #DNS_BUDGET}: the server's state, never the host's fault (review 4 finding 1).
     */
    public static final String RESOLVER_BUSY = "the resolver is busy";

    /** How a name is looked up (the JDK resolver in production; a stand-in in tests). */
    @FunctionalInterface
    public interface Lookup {
        /**
         * Resolves a name.
         *
         * @param name the host name or IP literal
         * @return its addresses
         * @throws Exception when it does not resolve
         */
        InetAddress[] resolve(String name) throws Exception;
    }

    /**
     * A bounded pool of lookups for one kind of caller, so that one caller (say key fetches triggered by anonymous
     * token requests) cannot starve another (logout delivery, registration). A lookup that cannot be queued, or that
     * does not start within {@link #DNS_BUDGET}, answers {@link #RESOLVER_BUSY}; a lookup that started gets {@link
     * #DNS_BUDGET} from its start. {@code getaddrinfo} cannot be interrupted, so a slow name holds its thread until the
     * system resolver gives up: the bounds keep that inside the caller's own pool.
     */
    public static final class Resolver {

        private final ThreadPoolExecutor pool;
        private final Lookup lookup;

        /**
         * Creates a pool.
         *
         * @param name the threads' name
         * @param threads how many lookups run at once
         * @param queue how many lookups may wait (0: none)
         * @param lookup how a name is resolved
         */
        public Resolver(String name, int threads, int queue, Lookup lookup) {
            this.lookup = Objects.requireNonNull(lookup, "lookup must not be null");
            this.pool = new ThreadPoolExecutor(
                    threads,
                    threads,
                    0,
                    TimeUnit.MILLISECONDS,
                    queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue),
                    r -> {
                        Thread t = new Thread(r, name);
                        t.setDaemon(true);
                        return t;
                    },
                    new ThreadPoolExecutor.AbortPolicy());
        }

        /**
         * Why a host may not be called on a dynamically registered client's behalf; see {@link
         * PublicAddresses#refusedHost}.
         *
         * @param host the host of a URL
         * @return the reason, or empty when every address of the host is public
         */
        public Optional<String> refusedHost(String host) {
            Objects.requireNonNull(host, "host must not be null");
            if (host.isEmpty()) {
                return Optional.of(UNRESOLVED);
            }
            String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            CountDownLatch started = new CountDownLatch(1);
            long[] startNanos = new long[1];
            Future<InetAddress[]> future;
            try {
                future = pool.submit(() -> {
                    startNanos[0] = System.nanoTime();
                    started.countDown();
                    return lookup.resolve(name);
                });
            } catch (RejectedExecutionException e) {
                return Optional.of(RESOLVER_BUSY);
            }
            InetAddress[] addresses;
            try {
                if (!started.await(DNS_BUDGET.toMillis(), TimeUnit.MILLISECONDS)) {
                    future.cancel(false);
                    pool.purge();
                    return Optional.of(RESOLVER_BUSY);
                }
                long left = DNS_BUDGET.toNanos() - (System.nanoTime() - startNanos[0]);
                addresses = future.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                return Optional.of(UNRESOLVED);
            } catch (TimeoutException e) {
                future.cancel(true);
                return Optional.of(RESOLVE_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                future.cancel(true);
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
    }

    /** Lookups for {@code jwks_uri} fetches (often triggered by anonymous token requests). */
    public static final Resolver KEYS = new Resolver("gatehouse-resolve-keys", 4, 8, InetAddress::getAllByName);

    /** Lookups for dynamic client registration. */
    public static final Resolver REGISTRATION =
            new Resolver("gatehouse-resolve-registration", 2, 8, InetAddress::getAllByName);

    /** Lookups for back-channel logout delivery. */
    public static final Resolver DELIVERY = new Resolver("gatehouse-resolve-delivery", 4, 8, InetAddress::getAllByName);

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
        return REGISTRATION.refusedHost(host);
    }

    /**
     * Whether a URL's host resolves (within {@link #DNS_BUDGET}), and only to public addresses.
     *
     * @param uri the URL
     * @return false when the host is missing, does not resolve in time, or any address it resolves to is refused
     */
    public static boolean publicAddress(URI uri) {
        String host = uri.getHost();
        return host != null && KEYS.refusedHost(host).isEmpty();
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
