package dev.gatehouse.server.passkeys;

import com.google.common.net.InternetDomainName;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The relying party as resolved from {@link PasskeyProperties} and the issuer at start-up: the rpId (WebAuthn Level 3
 * §5.1.2), the name authenticators show, and the origins ceremonies may run on (§5.1.3, compared whole).
 *
 * <p>{@code allowedOrigins} is empty only without a configured issuer and without {@code allowed-origins} (dev mode,
 * tests on a random port): then the one allowed origin is {@code http://localhost:<port the server listens on>},
 * resolved when the first ceremony runs ({@link #originsOnPort(int)}), since the port is not known when the beans
 * are built.
 *
 * @param rpId the relying party id
 * @param rpName the relying party name
 * @param allowedOrigins the allowed origins (scheme, host and port, no path), empty for "localhost on the server's
 *     port"
 */
public record PasskeyRelyingPartySettings(String rpId, String rpName, List<String> allowedOrigins) {

    private static final String PREFIX = "gatehouse.server.passkeys.";
    private static final int MAX_RP_NAME = 100;
    private static final Pattern DOMAIN = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** Checks the values. */
    public PasskeyRelyingPartySettings {
        Objects.requireNonNull(rpId, "rpId must not be null");
        Objects.requireNonNull(rpName, "rpName must not be null");
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    /**
     * The allowed origins for a server listening on a port: {@link #allowedOrigins()} when configured, else {@code
     * http://localhost:<port>}.
     *
     * @param port the port the server listens on
     * @return the origins
     */
    public Set<String> originsOnPort(int port) {
        if (!allowedOrigins.isEmpty()) {
            return Set.copyOf(allowedOrigins);
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalStateException("the server's port is not known; set " + PREFIX + "allowed-origins");
        }
        return Set.of("http://localhost:" + port);
    }

    /**
     * Resolves and checks the settings; a wrong value stops the server with a message naming the property.
     *
     * @param properties the passkey properties
     * @param issuer the configured issuer ({@code gatehouse.token.issuer}), or {@code null} when derived from requests
     * @param productName the UI product name, the default rpName
     * @return the settings
     * @throws IllegalStateException for a value that cannot work
     */
    public static PasskeyRelyingPartySettings resolve(
            PasskeyProperties properties, @Nullable String issuer, String productName) {
        String issuerHost = null;
        String issuerOrigin = null;
        if (issuer != null) {
            URI uri = parse(issuer, "gatehouse.token.issuer");
            if (uri.getHost() == null || uri.getScheme() == null) {
                throw new IllegalStateException("gatehouse.token.issuer=" + issuer + " has no host");
            }
            issuerHost = uri.getHost().toLowerCase(Locale.ROOT);
            issuerOrigin = origin(uri);
        }
        String rpId = rpId(properties.rpId(), issuerHost);
        String rpName = rpName(properties.rpName(), productName);
        List<String> origins = new ArrayList<>();
        if (!properties.allowedOrigins().isEmpty()) {
            Set<String> unique = new LinkedHashSet<>();
            for (String configured : properties.allowedOrigins()) {
                unique.add(checkedOrigin(configured, rpId, PREFIX + "allowed-origins"));
            }
            origins.addAll(unique);
        } else if (issuerOrigin != null) {
            origins.add(checkedOrigin(issuerOrigin, rpId, PREFIX + "allowed-origins (default: the issuer's origin)"));
        }
        return new PasskeyRelyingPartySettings(rpId, rpName, origins);
    }

    /**
     * Parses {@code allowed-aaguids}.
     *
     * @param aaguids the configured values
     * @return the AAGUIDs, empty for "any authenticator"
     * @throws IllegalStateException for a value that is not a UUID
     */
    public static Set<UUID> aaguids(List<String> aaguids) {
        Set<UUID> result = new LinkedHashSet<>();
        for (String value : aaguids) {
            String text = value == null ? "" : value.strip();
            if (!UUID_TEXT.matcher(text).matches()) {
                throw new IllegalStateException(PREFIX + "allowed-aaguids=" + value
                        + " is not an AAGUID (a UUID such as 08987058-cadc-4b81-b6e1-30de50dcbe96)");
            }
            result.add(UUID.fromString(text));
        }
        return Set.copyOf(result);
    }

    private static String rpId(@Nullable String configured, @Nullable String issuerHost) {
        if (configured == null || configured.isBlank()) {
            if (issuerHost == null) {
                return "localhost";
            }
            return issuerHost;
        }
        String rpId = configured.strip().toLowerCase(Locale.ROOT);
        if (!DOMAIN.matcher(rpId).matches()) {
            throw new IllegalStateException(PREFIX + "rp-id=" + configured
                    + " is not a domain name (no scheme, port or path; WebAuthn Level 3 §5.1.2)");
        }
        if (issuerHost != null && !covers(rpId, issuerHost)) {
            throw new IllegalStateException(PREFIX + "rp-id=" + configured + " does not cover the issuer's host "
                    + issuerHost + " (WebAuthn Level 3 §5.1.2): use the issuer's host or a registrable domain it is"
                    + " under, or leave it unset to use the issuer's host");
        }
        if (issuerHost != null && !rpId.equals(issuerHost) && !rpId.contains(".")) {
            throw new IllegalStateException(PREFIX + "rp-id=" + configured
                    + " is a top-level domain, not a registrable domain (WebAuthn Level 3 §5.1.2)");
        }
        if (issuerHost != null && !rpId.equals(issuerHost)) {
            refusePublicSuffix(rpId, configured);
        }
        return rpId;
    }

    /**
     * Refuses an rpId that is a public suffix ({@code co.uk}, {@code github.io}): WebAuthn Level 3 §5.1.2 allows only
     * the origin's host or a registrable domain suffix of it (HTML Standard, "is a registrable domain suffix of or is
     * equal to"), and a suffix shared by other sites' owners would let each of them use this server's passkeys.
     * Decided by the Public Suffix List, ICANN and private sections, as browsers do.
     */
    static void refusePublicSuffix(String rpId, String configured) {
        if (InternetDomainName.isValid(rpId) && InternetDomainName.from(rpId).isPublicSuffix()) {
            throw new IllegalStateException(PREFIX + "rp-id=" + configured
                    + " is a public suffix (Public Suffix List), not a registrable domain (WebAuthn Level 3 §5.1.2):"
                    + " use the issuer's host or the registrable domain it is under, or leave it unset");
        }
    }

    private static String rpName(@Nullable String configured, String productName) {
        String name = configured == null || configured.isBlank() ? productName.strip() : configured.strip();
        if (name.isEmpty() || name.length() > MAX_RP_NAME || name.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalStateException(
                    PREFIX + "rp-name must be 1 to " + MAX_RP_NAME + " characters without control characters");
        }
        return name;
    }

    /** Whether an rpId covers a host: equal, or a dot-suffix of it (WebAuthn Level 3 §5.1.2, HTML's domain rules). */
    static boolean covers(String rpId, String host) {
        return host.equals(rpId) || host.endsWith("." + rpId);
    }

    private static String checkedOrigin(String value, String rpId, String property) {
        String text = value == null ? "" : value.strip();
        URI uri = parse(text, property);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT);
        if (host == null
                || !uri.isAbsolute()
                || uri.getRawUserInfo() != null
                || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalStateException(property + ": " + value
                    + " is not an origin (scheme://host[:port], without path, query or user; e.g."
                    + " https://login.example.com)");
        }
        boolean local = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
        if (!scheme.equals("https") && !(scheme.equals("http") && local)) {
            throw new IllegalStateException(property + ": " + value + " is not https; passkeys run only in a secure"
                    + " context (WebAuthn Level 3 §5.1.3; http only for localhost). Serve the issuer over https, set "
                    + PREFIX + "allowed-origins, or set " + PREFIX + "enabled=false");
        }
        if (!covers(rpId, host)) {
            throw new IllegalStateException(property + ": the host of " + value + " is not covered by the rpId " + rpId
                    + " (WebAuthn Level 3 §5.1.2); set " + PREFIX + "rp-id to a domain it is under");
        }
        if (!host.equals(rpId)) {
            // Covered as a suffix: only a registrable domain may be one (the origins without an issuer, too).
            refusePublicSuffix(rpId, rpId);
        }
        return origin(uri);
    }

    /** The serialised origin (scheme://host[:port], default ports omitted), as a browser writes it in clientDataJSON. */
    private static String origin(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort =
                port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port);
    }

    private static URI parse(String value, String property) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(property + ": " + value + " is not a URL", e);
        }
    }
}
