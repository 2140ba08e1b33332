package dev.gatehouse.server.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the authorization server in Gatehouse's one property tree (environment: {@code GATEHOUSE_*}):
 * {@code gatehouse.dev-mode}, the token names the server shares with auth-spring-starter under
 * {@code gatehouse.token.*}, and what only the server has under {@code gatehouse.server.*}. The names used before
 * issue #22 ({@code gatehouse.issuer}, {@code gatehouse.access-token-ttl}, ...) still work for one release: the
 * configuration metadata marks them deprecated with their replacement, and Spring Boot's properties migrator maps
 * them at start-up with a warning.
 *
 * @param devMode when no {@code GATEHOUSE_MASTER_KEY} is set, generate one into the data directory (loudly) instead
 *     of refusing to start; default {@code false} (fail closed: no master key, no start); {@code bin/run} sets it to
 *     {@code true} for a local run
 * @param token token issuing, {@code gatehouse.token.*}
 * @param server the server's own settings, {@code gatehouse.server.*}
 */
@ConfigurationProperties("gatehouse")
public record GatehouseProperties(
        @DefaultValue("false") boolean devMode,
        @DefaultValue Token token,
        @DefaultValue Server server) {

    /**
     * The configured issuer, or {@code null} when it is derived from requests.
     *
     * @return {@code gatehouse.token.issuer} stripped, or {@code null} when unset or blank
     */
    public @Nullable String configuredIssuer() {
        String issuer = token.issuer();
        return issuer == null || issuer.isBlank() ? null : issuer.strip();
    }

    /**
     * Token issuing, under {@code gatehouse.token.*}: the same names as auth-spring-starter's token settings (the
     * server reads these four; the starter's record binds the same prefix).
     *
     * @param issuer the issuer URL ({@code iss}); required in production, since without it the issuer is derived
     *     from each request's host. Default {@code http://localhost:${server.port}} (from {@code application.yml});
     *     formerly {@code gatehouse.issuer}
     * @param accessTokenLifetime access-token lifetime; default 5 minutes; formerly {@code gatehouse.access-token-ttl}
     * @param refreshTokenLifetime refresh-token lifetime; default 8 hours; formerly
     *     {@code gatehouse.refresh-token-ttl}
     * @param rotationCheckInterval how often the key ring checks whether rotation is due; default 10 minutes;
     *     formerly {@code gatehouse.key-rotation-check}
     * @param keyPollInterval how often each node reads the key ring's version and reloads the ring when another node
     *     changed it, so every node publishes a new key within about this long; default 1 second
     * @param jwksMaxAge {@code Cache-Control: public, max-age} on the JWK Set endpoint, the longest a verifier or an
     *     HTTP cache may keep the JWKS; a key signs only after it has been published for this plus the key poll
     *     interval and a margin (SECURITY.md, "Signing keys across nodes"); default 5 minutes
     */
    public record Token(
            @Nullable String issuer,
            @DefaultValue("5m") Duration accessTokenLifetime,
            @DefaultValue("8h") Duration refreshTokenLifetime,
            @DefaultValue("10m") Duration rotationCheckInterval,
            @DefaultValue("1s") Duration keyPollInterval,
            @DefaultValue("5m") Duration jwksMaxAge) {}

    /**
     * The server's own settings, under {@code gatehouse.server.*} (its throttle, admin, audit, rate-limit and
     * transport groups are records of their own under the same prefix).
     *
     * @param dataDir where the embedded database and the generated development master key live; default
     *     {@code ./data}
     * @param demo create the demo user and clients on first start; default {@code false}; {@code bin/run} sets it to
     *     {@code true}
     * @param purgeInterval how often expired authorizations are purged; default 15 minutes
     * @param purgeGrace how long expired state is kept before purging (for audit and reuse detection); pending
     *     requests with no expiry are kept this long past their one-hour lifetime; default 1 hour
     * @param corsAllowedOrigins browser origins allowed to call the token, revocation, JWKS, UserInfo and discovery
     *     endpoints (exact origins, no wildcards); default the demo SPA's {@code http://127.0.0.1:5173}
     * @param clientCacheTtl the longest a node keeps a registered client in memory; {@code 0} disables the cache;
     *     default 5 seconds. Changes made on other nodes apply sooner: within {@code clientCacheMaxStaleness}
     * @param demoWebClientUrl base URL of the web client example, whose redirect and post-logout URIs the demo
     *     service client registers on first start; default {@code http://127.0.0.1:8081}
     * @param demoRequireConsent the demo service client asks each user's consent on Gatehouse's consent page
     *     (created so on first start; the end-to-end browser test uses it); default {@code false}
     * @param clientCachePollInterval how often each node reads the client change epoch (bumped by every write to the
     *     client table) and clears its client cache when it moved; default 250 ms; must be shorter than {@code
     *     clientCacheMaxStaleness}
     * @param clientCacheMaxStaleness the bound on how long a node honours a client after a change committed anywhere
     *     (a rotated secret, a disabled or deleted client, new redirect URIs): the cache is used only while the last
     *     successful epoch read started within it, and bypassed otherwise (also while the database is unreachable);
     *     default 750 ms
     * @param nodeName this node's name in the {@code X-Gatehouse-Node} response header; default the host name
     * @param nodeHeader add {@code X-Gatehouse-Node} naming this node to every response (for tests and operators
     *     behind a load balancer; it names a host, so it is off by default); default {@code false}
     */
    public record Server(
            @DefaultValue("./data") Path dataDir,
            @DefaultValue("false") boolean demo,
            @DefaultValue("15m") Duration purgeInterval,
            @DefaultValue("1h") Duration purgeGrace,
            @DefaultValue("http://127.0.0.1:5173") List<String> corsAllowedOrigins,
            @DefaultValue("5s") Duration clientCacheTtl,
            @DefaultValue("http://127.0.0.1:8081") String demoWebClientUrl,
            @DefaultValue("false") boolean demoRequireConsent,
            @DefaultValue("250ms") Duration clientCachePollInterval,
            @DefaultValue("750ms") Duration clientCacheMaxStaleness,
            @Nullable String nodeName,
            @DefaultValue("false") boolean nodeHeader) {}
}
