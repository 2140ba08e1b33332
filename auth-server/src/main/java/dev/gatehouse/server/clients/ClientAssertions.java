package dev.gatehouse.server.clients;

import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.RemoteJwks;
import dev.gatehouse.core.jwt.TokenException;
import dev.gatehouse.core.jwt.TokenVerifier;
import dev.gatehouse.core.jwt.VerifiedToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * {@code private_key_jwt} client authentication (RFC 7523 §2.2 and §3, with the audience rule of
 * draft-ietf-oauth-rfc7523bis) on Spring Authorization Server's {@link JwtClientAssertionAuthenticationProvider}, which
 * keeps its parameter handling and its PKCE check of confidential clients; this class gives it the decoder. Spring's
 * own decoder factory does not fit: it caches a decoder per client for ever, fetches {@code jwks_uri} with 15 s
 * timeouts and no size bound, has no {@code jwks} by value, takes any endpoint URL as audience and checks no {@code
 * jti} reuse. An assertion is accepted when:
 *
 * <ul>
 *   <li>the client is registered for {@code private_key_jwt} and has keys ({@link ClientKeys}: {@code jwks} or {@code
 *       jwks_uri}, fetched through auth-core's {@link RemoteJwks}: 5 s timeouts, 64 KiB, https or loopback, cached);
 *   <li>it is signed with one of the client's keys by an asymmetric algorithm ({@link #ALGORITHMS}: never {@code
 *       none}, never HS*: a shared secret would have to be kept in plain, and ours are stored as HMAC hashes); no
 *       {@code jwk}, {@code jku}, {@code x5u}, {@code x5c} or {@code crit} header (auth-core's {@link TokenVerifier});
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

    /** The signing algorithms accepted (RFC 7518 §3, RFC 8037): asymmetric only. */
    public static final List<JwsAlgorithm> ALGORITHMS =
            List.of(JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256, JwsAlgorithm.ES384, JwsAlgorithm.EdDSA);

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
        this.issuer = Objects.requireNonNull(issuer, "issuer must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.usedIds = Objects.requireNonNull(usedIds, "usedIds must not be null");
        this.keys = Objects.requireNonNull(keys, "keys must not be null");
    }

    /**
     * Spring's JWT client assertion provider with this decoder, authenticating as {@code private_key_jwt} (Spring
     * names the method after the client's token endpoint signing algorithm setting, which our clients leave unset).
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
                            ClientAuthenticationMethod.PRIVATE_KEY_JWT,
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
            if (!client.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.PRIVATE_KEY_JWT)) {
                // client_secret_jwt is not supported: our secrets are stored as HMAC hashes (README).
                throw refused("the client is not registered for private_key_jwt");
            }
            String audience = issuer.get();
            if (audience == null) {
                throw refused("no issuer is configured, so no audience can be checked");
            }
            VerifiedToken token = verifier(client, audience).verify(assertion);
            // RFC 8725 §3.11/§3.12: the same keys, iss and aud sign request objects (RFC 9101, typ
            // oauth-authz-req+jwt) and other JWTs; only a client authentication JWT authenticates.
            String typ = token.type().orElse(null);
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
            if (!clientId.equals(token.subject().orElse(null))) {
                throw refused("sub is not the client id (RFC 7523 §3 item 2)");
            }
            if (token.audiences().size() != 1) {
                throw refused("aud must be the issuer alone (draft-ietf-oauth-rfc7523bis)");
            }
            Instant expiresAt = token.expiresAt().orElseThrow(() -> refused("exp is missing"));
            if (expiresAt.isAfter(now.plus(MAX_LIFETIME).plus(CLOCK_SKEW))) {
                throw refused("exp is more than " + MAX_LIFETIME.toMinutes() + " minutes ahead");
            }
            String jti = token.jti().filter(j -> !j.isEmpty()).orElseThrow(() -> refused("jti is missing"));
            // Last: only an assertion that passed everything else is recorded (RFC 7523 §3 item 7).
            if (!usedIds.firstUse(jtiKey(clientId, jti), expiresAt.plus(CLOCK_SKEW))) {
                throw refused("the assertion's jti was used before");
            }
            Jwt.Builder jwt = Jwt.withTokenValue(assertion)
                    .header("alg", token.algorithm().joseName())
                    .issuer(clientId)
                    .subject(clientId)
                    .audience(token.audiences())
                    .jti(jti)
                    .expiresAt(expiresAt);
            token.issuedAt().ifPresent(jwt::issuedAt);
            return jwt.build();
        } catch (TokenException e) {
            LOG.debug("Refused a client assertion of client '{}': {}", clientId, e.reason());
            throw new BadJwtException("client assertion refused: " + e.reason(), e);
        } catch (BadJwtException e) {
            LOG.debug("Refused a client assertion of client '{}': {}", clientId, e.getMessage());
            throw e;
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
        return JTI_KIND + '\u0000' + clientId + '\u0000' + jti;
    }

    private static BadJwtException refused(String reason) {
        return new BadJwtException(reason);
    }
}
