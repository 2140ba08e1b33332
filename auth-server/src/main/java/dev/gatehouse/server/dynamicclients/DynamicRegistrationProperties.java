package dev.gatehouse.server.dynamicclients;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Dynamic client registration ({@code gatehouse.server.registration.*}, RFC 7591 and RFC 7592) and its registration
 * policy. Off by default.
 *
 * @param enabled serve {@code /oauth2/register} and advertise it ({@code registration_endpoint}, RFC 8414 §2); default
 *     {@code false}: the endpoint answers 404 and discovery does not name it
 * @param mode {@code initial-access-token} (default): a registration needs a bearer initial access token minted through
 *     the admin API (RFC 7591 §3); {@code open}: anyone may register (MCP-style clients), limited per address by
 *     {@code gatehouse.server.rate-limit.registration-per-address}
 * @param grantTypes grant types a registered client may ask for; default {@code authorization_code, refresh_token};
 *     allowed: those and {@code client_credentials}
 * @param tokenEndpointAuthMethods token endpoint authentication methods a registered client may use; default {@code
 *     none} (public clients, with PKCE) and {@code client_secret_basic}; {@code client_secret_post}, {@code
 *     private_key_jwt} (RFC 7523, with {@code jwks} or an https {@code jwks_uri}) and {@code client_secret_jwt} (RFC
 *     7523, HS256/HS384/HS512 keyed with a generated secret that the server also keeps sealed under its master key)
 *     may be added
 * @param scopes the most a registered client may ask for; a requested scope outside this set is refused with {@code
 *     invalid_client_metadata} (RFC 7591 §3.2.2); a request without {@code scope} gets this set; default {@code
 *     openid, profile}
 * @param resources the resources (RFC 8707) every registered client may ask tokens for, written to its client settings
 *     ({@code settings.client.gatehouse.resources}); default none
 * @param maxClientNameLength longest {@code client_name}; default 100
 * @param maxRedirectUris most {@code redirect_uris}; default 10
 * @param maxBodyBytes largest registration or update body; default 16384
 * @param maxClientsPerAddress in open mode, the most live dynamically registered clients registered from one address
 *     (IPv6: one /64, the rate limit's key); so that the global cap cannot be filled from a few addresses
 * @param maxClients the most dynamically registered clients that may exist at once (every mode); a registration beyond
 *     it is refused with {@code invalid_client_metadata} (RFC 7591 §3.2.2) and audited, until an operator or a client
 *     (RFC 7592 delete) removes some; default 1000
 * @param corsAllowedOrigins browser origins (exact {@code scheme://host[:port]}) allowed to call {@code
 *     /oauth2/register} and the client configuration endpoint from scripts (CORS: browser-based MCP clients); no
 *     credentials are allowed; default none (CORS off)
 */
@ConfigurationProperties("gatehouse.server.registration")
public record DynamicRegistrationProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("initial-access-token") Mode mode,

        @DefaultValue({"authorization_code", "refresh_token"})
        List<String> grantTypes,

        @DefaultValue({"none", "client_secret_basic"}) List<String> tokenEndpointAuthMethods,
        @DefaultValue({"openid", "profile"}) List<String> scopes,
        @Nullable List<String> resources,
        @DefaultValue("100") int maxClientNameLength,
        @DefaultValue("10") int maxRedirectUris,
        @DefaultValue("16384") int maxBodyBytes,
        @DefaultValue("1000") int maxClients,
        @DefaultValue("10") int maxClientsPerAddress,
        @Nullable List<String> corsAllowedOrigins) {

    /** Grant types a dynamically registered client can be given (RFC 7591 §2). */
    static final Set<String> SUPPORTED_GRANT_TYPES =
            Set.of("authorization_code", "refresh_token", "client_credentials");

    /** Token endpoint authentication methods this server offers (see {@code DiscoveryMetadata}). */
    static final Set<String> SUPPORTED_AUTH_METHODS =
            Set.of("none", "client_secret_basic", "client_secret_post", "private_key_jwt", "client_secret_jwt");

    /** Who may register. */
    public enum Mode {
        /** Anyone, rate limited per address. */
        OPEN,
        /** Only with an initial access token (RFC 7591 §3). */
        INITIAL_ACCESS_TOKEN
    }

    /**
     * Checks the values: a policy this server could not honour does not start.
     *
     * @param enabled on or off
     * @param mode who may register
     * @param grantTypes allowed grant types
     * @param tokenEndpointAuthMethods allowed authentication methods
     * @param scopes allowed scopes
     * @param resources resources for every registered client
     * @param maxClientNameLength longest name
     * @param maxRedirectUris most redirect URIs
     * @param maxBodyBytes largest body
     * @param maxClients most dynamically registered clients
     * @param maxClientsPerAddress most live clients registered from one address (IPv6: one /64) in open mode
     * @param corsAllowedOrigins browser origins allowed by CORS
     */
    public DynamicRegistrationProperties {
        Objects.requireNonNull(mode, "mode must not be null");
        grantTypes = List.copyOf(grantTypes);
        tokenEndpointAuthMethods = List.copyOf(tokenEndpointAuthMethods);
        scopes = List.copyOf(scopes);
        resources = resources == null ? List.of() : List.copyOf(resources);
        corsAllowedOrigins = corsAllowedOrigins == null ? List.of() : List.copyOf(corsAllowedOrigins);
        for (String origin : corsAllowedOrigins) {
            if (!origin(origin)) {
                throw new IllegalArgumentException("gatehouse.server.registration.cors-allowed-origins: '" + origin
                        + "' must be an exact origin, scheme://host[:port] (RFC 6454), without path or wildcard");
            }
        }
        if (maxClientsPerAddress < 1) {
            throw new IllegalArgumentException(
                    "gatehouse.server.registration.max-clients-per-address must be at least 1");
        }
        if (maxClients < 1) {
            throw new IllegalArgumentException("gatehouse.server.registration.max-clients must be at least 1");
        }
        for (String grant : grantTypes) {
            if (!SUPPORTED_GRANT_TYPES.contains(grant)) {
                throw new IllegalArgumentException("gatehouse.server.registration.grant-types: '" + grant
                        + "' cannot be registered dynamically; use " + SUPPORTED_GRANT_TYPES);
            }
        }
        for (String method : tokenEndpointAuthMethods) {
            if (!SUPPORTED_AUTH_METHODS.contains(method)) {
                throw new IllegalArgumentException("gatehouse.server.registration.token-endpoint-auth-methods: '"
                        + method + "' is not offered by this server; use " + SUPPORTED_AUTH_METHODS);
            }
        }
        for (String resource : resources) {
            java.net.URI uri;
            try {
                uri = new java.net.URI(resource);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException(
                        "gatehouse.server.registration.resources: '" + resource + "' is not a URI", e);
            }
            // RFC 8707 §2: an absolute URI without a fragment.
            if (!uri.isAbsolute() || uri.getRawFragment() != null) {
                throw new IllegalArgumentException("gatehouse.server.registration.resources: '" + resource
                        + "' must be an absolute URI without a fragment (RFC 8707 §2)");
            }
        }
        if (maxClientNameLength < 1 || maxRedirectUris < 1 || maxBodyBytes < 256) {
            throw new IllegalArgumentException("gatehouse.server.registration: max-client-name-length and"
                    + " max-redirect-uris must be at least 1, max-body-bytes at least 256");
        }
    }

    /**
     * The resources every registered client may ask for.
     *
     * @return the resources, never {@code null}
     */
    public List<String> resourceList() {
        return resources == null ? List.of() : resources;
    }

    /**
     * The browser origins allowed to call the registration endpoints (CORS), none when off.
     *
     * @return the origins, never {@code null}
     */
    public List<String> corsOrigins() {
        return corsAllowedOrigins == null ? List.of() : corsAllowedOrigins;
    }

    /** An exact http(s) origin (RFC 6454 §4): scheme, host and optional port, nothing else. */
    private static boolean origin(String value) {
        java.net.URI uri;
        try {
            uri = new java.net.URI(value);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        return (scheme.equals("https") || scheme.equals("http"))
                && uri.getHost() != null
                && uri.getRawUserInfo() == null
                && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                && uri.getRawQuery() == null
                && uri.getRawFragment() == null
                && !value.contains("*");
    }
}
