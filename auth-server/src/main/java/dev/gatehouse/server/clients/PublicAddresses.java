package dev.gatehouse.server.clients;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * Whether a URL this server fetches on a client's behalf (a dynamically registered client's {@code jwks_uri}) points
 * only at public addresses: a self-registered URL must not make the server reach its own network (blind SSRF by
 * GET, and a port scan by timing). Refused: the unspecified ("any local") address and {@code 0.0.0.0/8}, loopback,
 * link-local (IPv4 {@code 169.254/16}, IPv6 {@code fe80::/10}), site-local and private ({@code 10/8}, {@code
 * 172.16/12}, {@code 192.168/16}, IPv6 {@code fec0::/10}), unique local {@code fc00::/7}, carrier-grade NAT {@code
 * 100.64/10}, multicast, the broadcast address, and every IPv6 form that carries an IPv4 address, whose IPv4 part
 * could be any of the above: IPv4-mapped {@code ::ffff:0:0/96}, IPv4-compatible {@code ::/96}, NAT64 {@code
 * 64:ff9b::/96}, 6to4 {@code 2002::/16} and Teredo {@code 2001::/32}. A name must resolve, and every address it
 * resolves to must be public. Clients an administrator registered are trusted and not checked.
 */
public final class PublicAddresses {

    private PublicAddresses() {}

    /**
     * Whether an address is refused (not public, or an IPv6 form embedding an IPv4 address).
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
                    || (first == 255 && second == 255 && (b[2] & 0xff) == 255 && (b[3] & 0xff) == 255);
        }
        if (address instanceof Inet6Address) {
            int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
            int w1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            boolean first80Zero = true;
            for (int i = 0; i < 10; i++) {
                first80Zero &= b[i] == 0;
            }
            boolean mapped = first80Zero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff; // ::ffff:0:0/96
            boolean compatible = first80Zero && b[10] == 0 && b[11] == 0; // ::/96 (RFC 4291 §2.5.5.1)
            boolean nat64 = w0 == 0x64 && w1 == 0xff9b && allZero(b, 4, 12); // 64:ff9b::/96 (RFC 6052)
            return (b[0] & 0xfe) == 0xfc // fc00::/7, unique local (RFC 4193)
                    || mapped
                    || compatible
                    || nat64
                    || w0 == 0x2002 // 2002::/16, 6to4 (RFC 3056)
                    || (w0 == 0x2001 && w1 == 0); // 2001::/32, Teredo (RFC 4380)
        }
        return true;
    }

    /**
     * Whether a URL's host resolves, and only to public addresses. Resolves the name (an IP literal needs no lookup).
     *
     * @param uri the URL
     * @return false when the host is missing, does not resolve, or any address it resolves to is refused
     */
    public static boolean publicAddress(URI uri) {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return false;
        }
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            if (addresses.length == 0) {
                return false;
            }
            for (InetAddress address : addresses) {
                if (refusedAddress(address)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }

    /**
     * Whether a URL names a refused address: an IP literal that is refused, or a name that resolves to at least one
     * refused address. A name that does not resolve now is not refused here (registration: it is checked again, by
     * {@link #publicAddress}, before each fetch).
     *
     * @param uri the URL
     * @return true when the URL is refused
     */
    public static boolean refusedUri(URI uri) {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return true;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (refusedAddress(address)) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
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
