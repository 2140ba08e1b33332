package dev.gatehouse.server.ratelimit;

import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Rate limits under {@code gatehouse.server.rate-limit.*} (environment: {@code GATEHOUSE_SERVER_RATELIMIT_*}). Each limit is a
 * {@link Limit} written {@code <capacity>/<period>} (a burst of {@code capacity}, refilled at {@code capacity} per
 * {@code period}) or {@code off}. Per-address limits are the main guard; per-client limits are keyed by the client id
 * a request <em>claims</em> (it is not authenticated yet; only ids of registered clients get a bucket, others count
 * against the address alone), so anyone can spend a client's bucket and they are set ten times higher. The defaults leave normal use alone and stop a single address from hammering an endpoint.
 *
 * @param enabled whether requests are limited at all; default {@code true}
 * @param store where buckets live: {@code auto} (default) keeps them in PostgreSQL when the server's database is
 *     PostgreSQL, so the limits hold across nodes, and in memory otherwise (the embedded H2 database is one node);
 *     {@code local} always keeps them in memory (per node), {@code database} requires PostgreSQL
 * @param tokenPerClient {@code /oauth2/token} per claimed client id; default {@code 3000/10s}
 * @param tokenPerAddress {@code /oauth2/token} per client address; default {@code 300/10s}
 * @param authorizationPerClient {@code /oauth2/authorize} and {@code /oauth2/par} per claimed client id; default
 *     {@code 3000/1m}
 * @param authorizationPerAddress {@code /oauth2/authorize} and {@code /oauth2/par} per client address; default
 *     {@code 300/1m}
 * @param deviceAuthorizationPerClient {@code /oauth2/device_authorization} per claimed client id; default
 *     {@code 600/1m}
 * @param deviceAuthorizationPerAddress {@code /oauth2/device_authorization} per client address; default
 *     {@code 60/1m}
 * @param loginPerAddress sign-in form posts ({@code POST /login}) per client address; default {@code 60/1m} (the
 *     password attempt limiter still applies per account and address)
 * @param mfaPerAddress second-factor form posts ({@code POST /mfa/totp}, {@code /mfa/recovery}, {@code /mfa/enroll},
 *     {@code /mfa/enroll/start}) per client address; default {@code 60/1m} (the MFA attempt limiter still applies per
 *     account and address; every refused code is an audit event, so this also bounds what one address can write)
 * @param deviceVerificationPerAddress user-code entry at {@code /oauth2/device_verification} (posts, and GETs
 *     carrying {@code user_code}) per client address; default {@code 30/1m} (RFC 8628 §5.1)
 * @param introspectionPerClient {@code /oauth2/introspect} and {@code /oauth2/revoke} per claimed (registered) client
 *     id; default {@code 6000/10s}
 * @param introspectionPerAddress {@code /oauth2/introspect} and {@code /oauth2/revoke} per client address; default
 *     {@code 3000/10s} (a resource server may introspect for every request it serves)
 * @param adminPerAddress the admin API ({@code /admin/**}) per client address; default {@code 600/1m}: every refusal
 *     there is audited, so an unlimited stream of bad tokens would grow the audit trail without bound
 * @param accountPerAddress account self-service form posts ({@code POST /account/**}) per client address; default
 *     {@code 30/1m} (the current password and codes are also counted per account by the sign-in attempt limiters)
 * @param registrationPerAddress dynamic client registration ({@code /oauth2/register} and its RFC 7592 management
 *     URIs below it) per client address; default {@code 10/1h}: an open registration endpoint is a way to fill the
 *     client table, so it is limited strictly (RFC 7591 §5)
 * @param localMaxKeys most buckets kept in memory per node (idle buckets are dropped once full anyway); default
 *     {@code 100000}
 * @param databaseTimeout longest a bucket update in PostgreSQL may take before the request is refused with 503;
 *     default 2 seconds
 */
@ConfigurationProperties("gatehouse.server.rate-limit")
public record RateLimitProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("auto") Store store,
        @DefaultValue("3000/10s") Limit tokenPerClient,
        @DefaultValue("300/10s") Limit tokenPerAddress,
        @DefaultValue("3000/1m") Limit authorizationPerClient,
        @DefaultValue("300/1m") Limit authorizationPerAddress,
        @DefaultValue("600/1m") Limit deviceAuthorizationPerClient,
        @DefaultValue("60/1m") Limit deviceAuthorizationPerAddress,
        @DefaultValue("60/1m") Limit loginPerAddress,
        @DefaultValue("60/1m") Limit mfaPerAddress,
        @DefaultValue("30/1m") Limit deviceVerificationPerAddress,
        @DefaultValue("6000/10s") Limit introspectionPerClient,
        @DefaultValue("3000/10s") Limit introspectionPerAddress,
        @DefaultValue("600/1m") Limit adminPerAddress,
        @DefaultValue("30/1m") Limit accountPerAddress,
        @DefaultValue("10/1h") Limit registrationPerAddress,
        @DefaultValue("100000") int localMaxKeys,
        @DefaultValue("2s") Duration databaseTimeout) {

    /** Where token buckets are kept. */
    public enum Store {
        /** PostgreSQL when the database is PostgreSQL, otherwise in memory. */
        AUTO,
        /** In memory on each node. */
        LOCAL,
        /** In the database (PostgreSQL only). */
        DATABASE
    }

    /**
     * Checks the values.
     *
     * @param enabled whether requests are limited
     * @param store where buckets live
     * @param tokenPerClient token endpoint, per client
     * @param tokenPerAddress token endpoint, per address
     * @param authorizationPerClient authorization and PAR endpoints, per client
     * @param authorizationPerAddress authorization and PAR endpoints, per address
     * @param deviceAuthorizationPerClient device authorization endpoint, per client
     * @param deviceAuthorizationPerAddress device authorization endpoint, per address
     * @param loginPerAddress sign-in form, per address
     * @param mfaPerAddress second-factor forms, per address
     * @param deviceVerificationPerAddress user-code form, per address
     * @param introspectionPerClient introspection and revocation endpoints, per client
     * @param introspectionPerAddress introspection and revocation endpoints, per address
     * @param adminPerAddress admin API, per address
     * @param accountPerAddress account self-service posts, per address
     * @param registrationPerAddress dynamic client registration, per address
     * @param localMaxKeys most buckets in memory
     * @param databaseTimeout longest database update
     */
    public RateLimitProperties {
        Objects.requireNonNull(store, "store must not be null");
        Objects.requireNonNull(tokenPerClient, "tokenPerClient must not be null");
        Objects.requireNonNull(tokenPerAddress, "tokenPerAddress must not be null");
        Objects.requireNonNull(authorizationPerClient, "authorizationPerClient must not be null");
        Objects.requireNonNull(authorizationPerAddress, "authorizationPerAddress must not be null");
        Objects.requireNonNull(deviceAuthorizationPerClient, "deviceAuthorizationPerClient must not be null");
        Objects.requireNonNull(deviceAuthorizationPerAddress, "deviceAuthorizationPerAddress must not be null");
        Objects.requireNonNull(loginPerAddress, "loginPerAddress must not be null");
        Objects.requireNonNull(mfaPerAddress, "mfaPerAddress must not be null");
        Objects.requireNonNull(deviceVerificationPerAddress, "deviceVerificationPerAddress must not be null");
        Objects.requireNonNull(introspectionPerClient, "introspectionPerClient must not be null");
        Objects.requireNonNull(introspectionPerAddress, "introspectionPerAddress must not be null");
        Objects.requireNonNull(adminPerAddress, "adminPerAddress must not be null");
        Objects.requireNonNull(accountPerAddress, "accountPerAddress must not be null");
        Objects.requireNonNull(registrationPerAddress, "registrationPerAddress must not be null");
        Objects.requireNonNull(databaseTimeout, "databaseTimeout must not be null");
        if (localMaxKeys < 1) {
            throw new IllegalArgumentException("gatehouse.server.rate-limit.local-max-keys must be at least 1");
        }
        if (databaseTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("gatehouse.server.rate-limit.database-timeout must be at least 1ms");
        }
    }
}
