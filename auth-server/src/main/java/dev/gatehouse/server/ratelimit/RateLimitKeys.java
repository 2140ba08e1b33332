package dev.gatehouse.server.ratelimit;

import jakarta.servlet.http.HttpServletRequest;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What a request is limited by: the client id it claims and the address it comes from. Nothing here authenticates;
 * a malformed value yields no client id (the request is then limited by address only) and never an exception.
 */
public final class RateLimitKeys {

    /** Longer client ids are not keyed (address only): no legitimate registration uses them. */
    static final int MAX_CLIENT_ID_LENGTH = 256;

    private static final String BASIC = "basic ";

    private RateLimitKeys() {}

    /**
     * The client id a request claims: from HTTP Basic client authentication (RFC 6749 §2.3.1) when the request
     * carries a Basic {@code Authorization} header, otherwise from the {@code client_id} parameter (query or form
     * body). A malformed Basic header yields {@code null} rather than falling back to the parameter, so one request
     * cannot be counted under a second, chosen id.
     *
     * @param request the request
     * @return the claimed client id, or {@code null} when there is none or it is malformed
     */
    static @Nullable String clientId(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && isBasic(authorization)) {
            return clientIdFromBasic(authorization);
        }
        return plausible(request.getParameter("client_id"));
    }

    /**
     * The client id of an HTTP Basic {@code Authorization} header. The scheme is case-insensitive (RFC 9110 §11.1);
     * the credentials are Base64 of UTF-8 {@code id:secret} (RFC 7617 §2), each form-urlencoded first (RFC 6749
     * §2.3.1). The secret is not looked at.
     *
     * @param header the header value
     * @return the client id, or {@code null} if the header is not well-formed Basic credentials
     */
    static @Nullable String clientIdFromBasic(String header) {
        if (!isBasic(header)) {
            return null;
        }
        String token = header.substring(BASIC.length()).strip();
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String pair;
        try {
            pair = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(decoded))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        int colon = pair.indexOf(':');
        if (colon < 0) {
            return null;
        }
        try {
            return plausible(URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The key for a client address ({@code request.getRemoteAddr()}, the socket's peer unless Spring's forwarded
     * header handling is configured for trusted proxies). IPv4 addresses are used as they are; IPv6 addresses are
     * reduced to their /64 prefix, since one subscriber usually holds a whole /64 and could otherwise rotate through
     * addresses at will.
     *
     * @param remoteAddr the peer address as the container reports it
     * @return the key for that address
     */
    public static String address(String remoteAddr) {
        if (remoteAddr.indexOf(':') < 0 || !isIpv6Literal(remoteAddr)) {
            return remoteAddr;
        }
        int zone = remoteAddr.indexOf('%');
        String literal = zone < 0 ? remoteAddr : remoteAddr.substring(0, zone);
        try {
            // A literal of hex digits, colons and dots only: parsed without any name lookup.
            InetAddress parsed = InetAddress.getByName(literal);
            if (parsed instanceof Inet6Address) {
                byte[] bytes = parsed.getAddress();
                return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
            }
            return parsed.getHostAddress(); // an IPv4-mapped address
        } catch (UnknownHostException | RuntimeException e) {
            return remoteAddr;
        }
    }

    private static boolean isBasic(String header) {
        return header.length() >= BASIC.length()
                && header.substring(0, BASIC.length()).toLowerCase(Locale.ROOT).equals(BASIC);
    }

    private static boolean isIpv6Literal(String s) {
        int end = s.indexOf('%') < 0 ? s.length() : s.indexOf('%');
        if (end == 0 || end > 45) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            boolean ok =
                    (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static @Nullable String plausible(@Nullable String clientId) {
        if (clientId == null || clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID_LENGTH) {
            return null;
        }
        return clientId;
    }
}
