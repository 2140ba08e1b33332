package dev.gatehouse.spring.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Gatehouse settings, under {@code gatehouse.*}: the one property tree the starter shares with auth-server, whose own
 * settings are under {@code gatehouse.server.*} and which reads {@code gatehouse.token.issuer},
 * {@code access-token-lifetime}, {@code refresh-token-lifetime} and {@code rotation-check-interval} too.
 *
 * @param devMode development mode: allows an ephemeral master key and in-memory signing keys, with a loud
 *     warning. Never in production.
 * @param masterKey the 256-bit master key in Base64 that seals private keys and TOTP secrets at rest; when
 *     unset, the {@code GATEHOUSE_MASTER_KEY} environment variable is used
 * @param password password hashing and policy
 * @param token token issuing and the key ring
 * @param resourceServer validation of incoming bearer tokens
 * @param mfa TOTP multi-factor authentication
 * @param policy the policy decision point
 */
@ConfigurationProperties("gatehouse")
public record GatehouseProperties(
        @DefaultValue("false") boolean devMode,
        @Nullable String masterKey,
        @DefaultValue Password password,
        @DefaultValue Token token,
        @DefaultValue ResourceServer resourceServer,
        @DefaultValue Mfa mfa,
        @DefaultValue Policy policy) {

    /**
     * Password hashing.
     *
     * @param algorithm {@code argon2id} (default), {@code bcrypt} or {@code scrypt}
     * @param argon2MemoryKib Argon2id memory in KiB (default 19456, the OWASP value)
     * @param argon2Iterations Argon2id passes (default 2)
     * @param argon2Parallelism Argon2id lanes (default 1)
     * @param bcryptCost bcrypt cost (default 12, at least 10)
     * @param maxConcurrentHashes hash computations allowed at once (default: max(2, cores))
     * @param maxWait how long a caller waits for a hashing slot (default 5s)
     * @param pepperKeyId id of the pepper key, recorded in each hash
     * @param pepper the pepper (Base64, at least 32 bytes); unset for none
     * @param minLength password policy minimum length (default 8)
     * @param maxLength password policy maximum length (default 64)
     */
    public record Password(
            @DefaultValue("argon2id") String algorithm,
            @DefaultValue("19456") int argon2MemoryKib,
            @DefaultValue("2") int argon2Iterations,
            @DefaultValue("1") int argon2Parallelism,
            @DefaultValue("12") int bcryptCost,
            @Nullable Integer maxConcurrentHashes,
            @DefaultValue("5s") Duration maxWait,
            @DefaultValue("p1") String pepperKeyId,
            @Nullable String pepper,
            @DefaultValue("8") int minLength,
            @DefaultValue("64") int maxLength) {}

    /**
     * Token issuing. Setting {@code issuer} turns it on.
     *
     * @param issuer the {@code iss} URL (https; http only on localhost)
     * @param audience this app's own audience (the {@code aud} its API's tokens carry): the default of {@code
     *     gatehouse.resource-server.audiences}
     * @param algorithm signing algorithm for new keys (default RS256)
     * @param keyStore the key file; required outside dev mode
     * @param hmacSecret an HMAC secret (Base64) when {@code algorithm} is HS256/HS512; at least the hash size
     * @param accessTokenLifetime default 5 minutes
     * @param idTokenLifetime default 5 minutes
     * @param refreshTokenLifetime refresh-token lifetime, for an authorization server that issues refresh tokens
     *     (auth-server reads it; the starter issues none); default 8 hours
     * @param rotateEvery how long a key signs (default 30 days)
     * @param prepublish how long a key is published before it signs (default 1 day)
     * @param retireAfter how long a key stays published after it stops signing (default 2 days)
     * @param rotationCheckInterval how often the rotation schedule is checked (default 1 hour)
     */
    public record Token(
            @Nullable String issuer,
            @Nullable String audience,
            @DefaultValue("RS256") String algorithm,
            @Nullable Path keyStore,
            @Nullable String hmacSecret,
            @DefaultValue("5m") Duration accessTokenLifetime,
            @DefaultValue("5m") Duration idTokenLifetime,
            @DefaultValue("8h") Duration refreshTokenLifetime,
            @DefaultValue("30d") Duration rotateEvery,
            @DefaultValue("1d") Duration prepublish,
            @DefaultValue("2d") Duration retireAfter,
            @DefaultValue("1h") Duration rotationCheckInterval) {}

    /**
     * Validation of bearer tokens from a Gatehouse (or any OIDC) issuer. Setting {@code issuerUri} or {@code
     * jwkSetUri} turns it on.
     *
     * @param issuerUri the issuer; its {@code jwks_uri} is discovered from OIDC metadata when {@code jwkSetUri}
     *     is unset, and {@code iss} must equal it
     * @param jwkSetUri the JWKS URL (https; http only on loopback)
     * @param audiences accepted audiences; default {@code gatehouse.token.audience}. Required: with neither set,
     *     start-up fails (dev mode only warns). {@code *} accepts any audience, which is unsafe when the issuer
     *     serves several APIs. Not with {@code resource}, which is then the one accepted audience
     * @param algorithms accepted algorithms (default the asymmetric ones)
     * @param requireAccessTokenType require {@code typ: at+jwt} (RFC 9068); default true
     * @param clockSkew allowed clock skew (default 60s, at most 5 minutes)
     * @param resource this resource server's identifier (RFC 9728 §1.2): an absolute https URL (http only on
     *     loopback) without query or fragment. Set, the app serves its protected resource metadata at {@code
     *     /.well-known/oauth-protected-resource} (and the path-suffixed form of RFC 9728 §3.1), names it in its
     *     {@code WWW-Authenticate} challenges (RFC 9728 §5.1), and accepts only tokens whose {@code aud} contains
     *     it (RFC 8707 §2, RFC 9068 §4)
     * @param authorizationServers the metadata's {@code authorization_servers}; default {@code issuerUri}
     * @param scopesSupported the metadata's {@code scopes_supported}; default none (omitted)
     * @param resourceName the metadata's {@code resource_name}, for people; default none
     * @param resourceDocumentation the metadata's {@code resource_documentation}, a URL of the API's documentation
     *     for developers; default none
     */
    public record ResourceServer(
            @Nullable String issuerUri,
            @Nullable String jwkSetUri,
            @DefaultValue List<String> audiences,
            @DefaultValue List<String> algorithms,
            @DefaultValue("true") boolean requireAccessTokenType,
            @DefaultValue("60s") Duration clockSkew,
            @Nullable String resource,
            @DefaultValue List<String> authorizationServers,
            @DefaultValue List<String> scopesSupported,
            @Nullable String resourceName,
            @Nullable String resourceDocumentation) {}

    /**
     * TOTP multi-factor authentication.
     *
     * @param enabled turn on the TOTP service and recovery codes (needs a master key, or dev mode)
     * @param issuer the issuer name shown in authenticator apps
     * @param recoveryCodeKey the key (Base64, at least 32 bytes) recovery codes are hashed under; required
     *     outside dev mode when enabled
     * @param initializeSchema create the JDBC tables if missing (default true; idempotent)
     */
    public record Mfa(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("Gatehouse") String issuer,
            @Nullable String recoveryCodeKey,
            @DefaultValue("true") boolean initializeSchema) {}

    /**
     * The policy decision point. Engines are those configured here: an RBAC file, ABAC files, an OPA server,
     * an OPA Wasm bundle; several combine under {@code combining}. Naming an engine in {@code engines} without
     * its source stops the application.
     *
     * @param engines which engines to use ({@code rbac}, {@code abac}, {@code opa-rest}, {@code opa-wasm});
     *     empty means every engine whose source is configured
     * @param combining {@code deny-overrides} (default), {@code permit-overrides} or {@code first-applicable}
     * @param rbacFile RBAC model (YAML or JSON)
     * @param abacFiles ABAC policies (YAML or JSON, CEL conditions)
     * @param opaUrl OPA server base URL
     * @param opaDocument the OPA document to query, e.g. {@code authz/decision}
     * @param opaBearerToken bearer token for OPA's {@code --authentication=token} mode
     * @param opaTimeout hard deadline of one OPA query (default 500ms)
     * @param opaWasmBundle an {@code opa build -t wasm} bundle (tar.gz)
     * @param opaWasmEntrypoint the bundle's entrypoint, e.g. {@code authz/allow}
     * @param cacheTtl decision cache lifetime; {@code 0s} turns the cache off (default 30s)
     * @param cacheMaximumSize decision cache bound (default 10000)
     */
    public record Policy(
            @DefaultValue List<String> engines,
            @DefaultValue("deny-overrides") String combining,
            @Nullable Path rbacFile,
            @DefaultValue List<Path> abacFiles,
            @Nullable String opaUrl,
            @DefaultValue("authz/decision") String opaDocument,
            @Nullable String opaBearerToken,
            @DefaultValue("500ms") Duration opaTimeout,
            @Nullable Path opaWasmBundle,
            @DefaultValue("authz/allow") String opaWasmEntrypoint,
            @DefaultValue("30s") Duration cacheTtl,
            @DefaultValue("10000") long cacheMaximumSize) {}
}
