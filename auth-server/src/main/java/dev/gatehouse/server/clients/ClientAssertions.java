package dev.gatehouse.server.clients;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.RemoteJwks;
import dev.gatehouse.core.jwt.TokenException;
import dev.gatehouse.core.jwt.TokenVerifier;
import dev.gatehouse.core.jwt.VerifiedToken;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * {@code private_key_jwt} and {@code client_secret_jwt} client authentication (RFC 7523 §2.2 and §3, OpenID Connect
 * Core 1.0 §9, with the audience rule of draft-ietf-oauth-rfc7523bis) on Spring Authorization Server's {@link
 * JwtClientAssertionAuthenticationProvider}, which
 * keeps its parameter handling and its PKCE check of confidential clients; this class gives it the decoder. Spring's
 * own decoder factory does not fit: it caches a decoder per client for ever, fetches {@code jwks_uri} with 15 s
 * timeouts and no size bound, has no {@code jwks} by value, takes any endpoint URL as audience and checks no {@code
 * jti} reuse. An assertion is accepted when:
 *
 * <ul>
 *   <li>the client is registered for exactly one of the two methods (RFC 7591 §2: {@code token_endpoint_auth_method}
 *       binds; an assertion of the other kind is refused);
 *   <li>{@code private_key_jwt}: the client has keys ({@link ClientKeys}: {@code jwks} or {@code jwks_uri}, fetched
 *       through auth-core's {@link RemoteJwks}: 5 s timeouts, 64 KiB, https or loopback, cached), and the assertion is
 *       signed with one of them by an asymmetric algorithm ({@link #ALGORITHMS}: never {@code none}, never HS*);
 *   <li>{@code client_secret_jwt}: the assertion is an HMAC ({@link #SECRET_ALGORITHMS}: HS256, HS384, HS512; never
 *       {@code none} or an asymmetric algorithm) keyed with the client's secret, opened from its sealed copy ({@link
 *       SealedClientSecrets}; a client with an expired secret is refused), checked in constant time (Nimbus {@link
 *       MACVerifier}), the secret at least as long as the algorithm's hash (RFC 7518 §3.2);
 *   <li>no {@code jwk}, {@code jku}, {@code x5u}, {@code x5c} or {@code crit} header (auth-core's {@link
 *       TokenVerifier}, and the same rule for HMAC assertions);
 *   <li>{@code iss} and {@code sub} are the client id (RFC 7523 §3 items 1, 2); {@code aud} is the issuer and nothing
 *       else (7523bis: the token endpoint URL, which RFC 7523 §3 item 3 allowed, lets an assertion meant for one
 *       server be replayed at another that shares the endpoint path; oauth4webapi and openid-client send the issuer);
 *   <li>{@code exp} is present, not past and at most {@link #MAX_LIFETIME} ahead (item 4); {@code nbf} and {@code iat},
 *       when present, are not in the future; all with {@link #CLOCK_SKEW} on the injected clock;
 *   <li>{@code jti} is present and used for the first time on any node (item 7): the shared {@code gh_used_jti} table,
 *       keyed by a hash of a kind prefix, the client id and the {@code jti}, kept until {@code exp} plus the skew. It
 *       is claimed last, so a refused assertion consumes nothing.
 * </ul>
 *
 * A refusal is Spring's {@code invalid_client} (RFC 6749 §5.2, 401), before any grant is looked at, so no code is
 * spent; the reason goes to the debug log only. Verifiers are cached per client and key source by the {@link
 * ClientKeyVerifiers} shared with request objects (one {@code jwks_uri} fetch for both).
 */
public final class ClientAssertions implements JwtDecoderFactory<RegisteredClient> {

    /** The signing algorithms of {@code private_key_jwt} (RFC 7518 §3, RFC 8037): asymmetric only. */
    public static final List<JwsAlgorithm> ALGORITHMS =
            List.of(JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256, JwsAlgorithm.ES384, JwsAlgorithm.EdDSA);

    /**
     * The MAC algorithms of {@code client_secret_jwt} (RFC 7518 §3.2), each taking a key at least as long as its hash
     * output (HS256 32 bytes, HS384 48, HS512 64).
     */
    public static final List<String> SECRET_ALGORITHMS = List.of("HS256", "HS384", "HS512");

    /**
     * The client setting naming the one algorithm its assertions must use, when it registered one (OpenID Connect
     * Dynamic Client Registration 1.0 §2 {@code token_endpoint_auth_signing_alg}: "All Token Requests using these
     * authentication methods from this Client MUST be rejected, if the JWT is not signed with this algorithm").
     */
    public static final String SIGNING_ALG_SETTING = "settings.client.gatehouse.token-endpoint-auth-signing-alg";

    /** The largest assertion read, in characters (as auth-core's verifier bounds a signed one). */
    static final int MAX_ASSERTION_LENGTH = 8 * 1024;

    /** Headers that name keys or extensions: never trusted (RFC 8725 §3.10, RFC 7515 §4.1.11). */
    private static final List<String> REFUSED_HEADERS = List.of("jwk", "jku", "x5u", "x5c", "crit");

    /** Allowed difference between the client's clock and ours for {@code exp}, {@code nbf}, {@code iat}. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    /** How far ahead {@code exp} may be: an assertion is for one request, made just before it. */
    public static final Duration MAX_LIFETIME = Duration.ofMinutes(5);

    /**
     * The explicit type of a client authentication JWT (draft-ietf-oauth-rfc7523bis, RFC 8725 §3.11); {@code JWT} or no
     * {@code typ} are accepted too, as RFC 7523 clients send.
     */
    public static final String TYPE = "client-authentication+jwt";

    /** Claims of an authorization request (RFC 9101): a JWT carrying them is a request object, not an assertion. */
    private static final List<String> REQUEST_CLAIMS = List.of("response_type", "redirect_uri");

    /** The prefix of {@code gh_used_jti} keys for client assertions (DPoP proofs have theirs, {@code dpop}). */
    static final String JTI_KIND = "client-assertion";

    /** The prefix of {@code gh_used_jti} keys for {@code client_secret_jwt} assertions. */
    static final String SECRET_JTI_KIND = "client-secret-assertion";

    private static final Logger LOG = LoggerFactory.getLogger(ClientAssertions.class);

    /** Where assertion {@code jti} values are recorded: true the first time a key is seen. */
    @FunctionalInterface
    public interface UsedIds {

        /**
         * Records a key as used, unless it already was.
         *
         * @param key the kind prefix, client id and {@code jti}
         * @param keepUntil when the record may go
         * @return {@code true} the first time
         */
        boolean firstUse(String key, Instant keepUntil);
    }

    private final Supplier<@Nullable String> issuer;
    private final Clock clock;
    private final UsedIds usedIds;
    private final ClientKeyVerifiers keys;
    private final @Nullable SealedClientSecrets secrets;

    /**
     * Creates the decoder factory.
     *
     * @param issuer this server's issuer identifier (the only accepted {@code aud}); null refuses every assertion
     * @param clock the clock
     * @param usedIds the shared record of used {@code jti} values
     */
    public ClientAssertions(Supplier<@Nullable String> issuer, Clock clock, UsedIds usedIds) {
        this(issuer, clock, usedIds, new ClientKeyVerifiers(clock));
    }

    /**
     * Creates the decoder factory on a shared cache of client key verifiers.
     *
     * @param issuer this server's issuer identifier (the only accepted {@code aud}); null refuses every assertion
     * @param clock the clock
     * @param usedIds the shared record of used {@code jti} values
     * @param keys the verifiers built from clients' keys, shared with {@link RequestObjects}
     */
    public ClientAssertions(Supplier<@Nullable String> issuer, Clock clock, UsedIds usedIds, ClientKeyVerifiers keys) {
        this(issuer, clock, usedIds, keys, null);
    }

    /**
     * Creates the decoder factory for both methods.
     *
     * @param issuer this server's issuer identifier (the only accepted {@code aud}); null refuses every assertion
     * @param clock the clock
     * @param usedIds the shared record of used {@code jti} values
     * @param keys the verifiers built from clients' keys, shared with {@link RequestObjects}
     * @param secrets the sealed secrets of {@code client_secret_jwt} clients; null refuses that method
     */
    public ClientAssertions(
            Supplier<@Nullable String> issuer,
            Clock clock,
            UsedIds usedIds,
            ClientKeyVerifiers keys,
            @Nullable SealedClientSecrets secrets) {
        this.issuer = Objects.requireNonNull(issuer, "issuer must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.usedIds = Objects.requireNonNull(usedIds, "usedIds must not be null");
        this.keys = Objects.requireNonNull(keys, "keys must not be null");
        this.secrets = secrets;
    }

    /**
     * Spring's JWT client assertion provider with this decoder, authenticating as the method the client is registered
     * for (Spring names the method after the client's token endpoint signing algorithm setting, which our clients leave
     * unset).
     *
     * @param spring Spring Authorization Server's provider
     * @return the provider to use
     */
    public AuthenticationProvider provider(JwtClientAssertionAuthenticationProvider spring) {
        spring.setJwtDecoderFactory(this);
        return new AuthenticationProvider() {
            @Override
            public @Nullable Authentication authenticate(Authentication authentication) {
                Authentication result = spring.authenticate(authentication);
                if (result instanceof OAuth2ClientAuthenticationToken client
                        && client.getRegisteredClient() != null
                        && client.getCredentials() != null) {
                    return new OAuth2ClientAuthenticationToken(
                            client.getRegisteredClient(),
                            SealedClientSecrets.registered(client.getRegisteredClient())
                                    ? ClientAuthenticationMethod.CLIENT_SECRET_JWT
                                    : ClientAuthenticationMethod.PRIVATE_KEY_JWT,
                            client.getCredentials());
                }
                return result;
            }

            @Override
            public boolean supports(Class<?> authentication) {
                return spring.supports(authentication);
            }
        };
    }

    @Override
    public JwtDecoder createDecoder(RegisteredClient client) {
        return assertion -> decode(client, assertion);
    }

    private Jwt decode(RegisteredClient client, String assertion) {
        String clientId = client.getClientId();
        try {
            boolean keyJwt =
                    client.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.PRIVATE_KEY_JWT);
            boolean secretJwt = SealedClientSecrets.registered(client);
            if (keyJwt == secretJwt) {
                // RFC 7591 §2: the registered method binds; a client of neither (or, never stored, both) is refused.
                throw refused("the client is not registered for exactly one of private_key_jwt and client_secret_jwt");
            }
            String audience = issuer.get();
            if (audience == null) {
                throw refused("no issuer is configured, so no audience can be checked");
            }
            Assertion token = keyJwt
                    ? Assertion.of(verifier(client, audience).verify(assertion))
                    : mac(client, assertion, audience);
            // RFC 8725 §3.11/§3.12: the same keys, iss and aud sign request objects (RFC 9101, typ
            // oauth-authz-req+jwt) and other JWTs; only a client authentication JWT authenticates.
            if (client.getClientSettings().getSetting(SIGNING_ALG_SETTING) instanceof String registeredAlg
                    && !registeredAlg.equals(token.algorithm())) {
                throw refused("alg is not the client's registered token_endpoint_auth_signing_alg");
            }
            String typ = token.type();
            if (typ != null
                    && !typ.equalsIgnoreCase("JWT")
                    && !typ.equalsIgnoreCase(TYPE)
                    && !typ.equalsIgnoreCase("application/" + TYPE)) {
                throw refused("typ must be absent, JWT or " + TYPE + " (RFC 8725 §3.11)");
            }
            for (String claim : REQUEST_CLAIMS) {
                if (token.claims().containsKey(claim)) {
                    throw refused("a request object is not a client assertion (" + claim + " present)");
                }
            }
            Instant now = clock.instant();
            if (!clientId.equals(token.subject())) {
                throw refused("sub is not the client id (RFC 7523 §3 item 2)");
            }
            if (token.audiences().size() != 1) {
                throw refused("aud must be the issuer alone (draft-ietf-oauth-rfc7523bis)");
            }
            Instant expiresAt = token.expiresAt();
            if (expiresAt == null) {
                throw refused("exp is missing");
            }
            if (expiresAt.isAfter(now.plus(MAX_LIFETIME).plus(CLOCK_SKEW))) {
                throw refused("exp is more than " + MAX_LIFETIME.toMinutes() + " minutes ahead");
            }
            String jti = token.jti();
            if (jti == null || jti.isEmpty()) {
                throw refused("jti is missing");
            }
            // Last: only an assertion that passed everything else is recorded (RFC 7523 §3 item 7).
            if (!usedIds.firstUse(
                    jtiKey(keyJwt ? JTI_KIND : SECRET_JTI_KIND, clientId, jti), expiresAt.plus(CLOCK_SKEW))) {
                throw refused("the assertion's jti was used before");
            }
            Jwt.Builder jwt = Jwt.withTokenValue(assertion)
                    .header("alg", token.algorithm())
                    .issuer(clientId)
                    .subject(clientId)
                    .audience(token.audiences())
                    .jti(jti)
                    .expiresAt(expiresAt);
            if (token.issuedAt() != null) {
                jwt.issuedAt(token.issuedAt());
            }
            return jwt.build();
        } catch (TokenException e) {
            LOG.debug("Refused a client assertion of client '{}': {}", clientId, e.reason());
            throw new BadJwtException("client assertion refused: " + e.reason(), e);
        } catch (BadJwtException e) {
            LOG.debug("Refused a client assertion of client '{}': {}", clientId, e.getMessage());
            throw e;
        }
    }

    /**
     * A {@code client_secret_jwt} assertion: its header, MAC and time and issuer claims checked as auth-core's verifier
     * checks a signed token (the rest is common to both methods, in {@link #decode}).
     */
    private Assertion mac(RegisteredClient client, String assertion, String audience) {
        SealedClientSecrets sealed = secrets;
        if (sealed == null) {
            throw refused("client_secret_jwt is not configured");
        }
        Instant now = clock.instant();
        Instant secretExpiresAt = client.getClientSecretExpiresAt();
        if (secretExpiresAt != null && !now.isBefore(secretExpiresAt)) {
            throw refused("the client's secret has expired");
        }
        if (assertion.length() > MAX_ASSERTION_LENGTH) {
            throw refused("the assertion is longer than " + MAX_ASSERTION_LENGTH + " characters");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(assertion);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            // alg none (an unsecured JWT) and asymmetric headers without a signature end here too.
            throw refused("the assertion is not a signed JWT");
        }
        JWSHeader header = jwt.getHeader();
        String alg = header.getAlgorithm().getName();
        if (!SECRET_ALGORITHMS.contains(alg)) {
            throw refused("client_secret_jwt takes HS256, HS384 or HS512 only (alg none and asymmetric refused)");
        }
        int minimumKeyBytes = Integer.parseInt(alg.substring(2)) / 8;
        Map<String, Object> headerJson = header.toJSONObject();
        for (String name : REFUSED_HEADERS) {
            if (headerJson.containsKey(name)) {
                throw refused("the assertion carries a '" + name + "' header");
            }
        }
        // The claims are still unverified here, but refusing on them costs nothing and is safe: only an assertion
        // that would otherwise pass makes the server open the client's sealed secret (no unauthenticated caller can
        // make it decrypt at will). The rules common to both methods follow in decode.
        if (!client.getClientId().equals(claims.getIssuer())) {
            throw refused("iss is not the client id (RFC 7523 §3 item 1)");
        }
        if (!claims.getAudience().contains(audience)) {
            throw refused("aud is not the issuer");
        }
        Date exp = claims.getExpirationTime();
        if (exp != null && !now.minus(CLOCK_SKEW).isBefore(exp.toInstant())) {
            throw refused("the assertion has expired");
        }
        for (Date notAfterNow : new Date[] {claims.getNotBeforeTime(), claims.getIssueTime()}) {
            if (notAfterNow != null && now.plus(CLOCK_SKEW).isBefore(notAfterNow.toInstant())) {
                throw refused("nbf or iat is in the future");
            }
        }
        if (!client.getClientId().equals(claims.getSubject())) {
            throw refused("sub is not the client id (RFC 7523 §3 item 2)");
        }
        if (exp == null) {
            throw refused("exp is missing");
        }
        byte[] key = sealed.open(client).orElseThrow(() -> refused("the client has no usable sealed secret"));
        try {
            // RFC 7518 §3.2: a key of at least the hash's size.
            if (key.length < minimumKeyBytes) {
                throw refused("the client's secret is too short for " + alg + " (RFC 7518 §3.2)");
            }
            // Constant-time comparison of the MAC (Nimbus MACVerifier).
            if (!jwt.verify(new MACVerifier(key))) {
                throw refused("the assertion's MAC does not verify");
            }
        } catch (JOSEException e) {
            throw refused("the assertion's MAC could not be checked");
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        return new Assertion(
                alg,
                header.getType() == null ? null : header.getType().getType(),
                claims.getClaims(),
                claims.getSubject(),
                claims.getAudience(),
                exp == null ? null : exp.toInstant(),
                claims.getJWTID(),
                claims.getIssueTime() == null ? null : claims.getIssueTime().toInstant());
    }

    /**
     * The algorithms a client authenticating with this method may sign (or MAC) its assertions with.
     *
     * @param method the client's token endpoint authentication method
     * @return the JOSE names; empty for a method without assertions
     */
    public static List<String> algorithms(ClientAuthenticationMethod method) {
        if (ClientAuthenticationMethod.CLIENT_SECRET_JWT.equals(method)) {
            return SECRET_ALGORITHMS;
        }
        if (ClientAuthenticationMethod.PRIVATE_KEY_JWT.equals(method)) {
            return ALGORITHMS.stream().map(JwsAlgorithm::joseName).toList();
        }
        return List.of();
    }

    /** A verified assertion of either method, before the rules common to both. */
    private record Assertion(
            String algorithm,
            @Nullable String type,
            Map<String, Object> claims,
            @Nullable String subject,
            List<String> audiences,
            @Nullable Instant expiresAt,
            @Nullable String jti,
            @Nullable Instant issuedAt) {

        static Assertion of(VerifiedToken token) {
            return new Assertion(
                    token.algorithm().joseName(),
                    token.type().orElse(null),
                    token.claims(),
                    token.subject().orElse(null),
                    token.audiences(),
                    token.expiresAt().orElse(null),
                    token.jti().orElse(null),
                    token.issuedAt().orElse(null));
        }
    }

    private TokenVerifier verifier(RegisteredClient client, String audience) {
        Optional<String> jwks = ClientKeys.jwks(client);
        Optional<String> jwksUri = ClientKeys.jwksUri(client);
        if (jwks.isPresent() == jwksUri.isPresent()) {
            throw refused(jwks.isPresent() ? "the client has both jwks and jwks_uri" : "the client has no keys");
        }
        return keys.verifier(
                client,
                "client-assertion",
                audience,
                b -> b.algorithms(ALGORITHMS.toArray(JwsAlgorithm[]::new))
                        .issuer(client.getClientId())
                        .audience(audience)
                        .requireExpiry(true)
                        .requireClaims("sub", "jti")
                        .clockSkew(CLOCK_SKEW)
                        .clock(clock));
    }

    /** The {@code gh_used_jti} key: kind, client id and {@code jti}, NUL-separated (the kind and the client id hold none, so the split is unambiguous). */
    static String jtiKey(String clientId, String jti) {
        return jtiKey(JTI_KIND, clientId, jti);
    }

    static String jtiKey(String kind, String clientId, String jti) {
        return kind + '\u0000' + clientId + '\u0000' + jti;
    }

    private static BadJwtException refused(String reason) {
        return new BadJwtException(reason);
    }
}
