package dev.gatehouse.server.clients;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.TokenException;
import dev.gatehouse.core.jwt.TokenVerifier;
import dev.gatehouse.core.jwt.VerifiedToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Signed request objects (JAR, RFC 9101) verified with the client's keys ({@link ClientKeys}), the same way {@link
 * ClientAssertions} verifies {@code private_key_jwt}: asymmetric algorithms only ({@code none} and HS* refused, RFC
 * 9101 §10.2 and RFC 8725 §3.1), {@code typ} {@code oauth-authz-req+jwt} (RFC 9101 §4) or plain {@code JWT} or none,
 * {@code iss} the client id, {@code aud} the issuer, {@code exp} required and at most {@link #MAX_LIFETIME} ahead,
 * {@code iat}/{@code nbf} not in the future; {@code client_id} in the object, when present, the outer one (§5); no
 * {@code request} or {@code request_uri} inside. The parameters are the object's claims (§6.3).
 */
public final class RequestObjects {

    /** RFC 9101 §4: the media type of a request object. */
    public static final String TYPE = "oauth-authz-req+jwt";

    /** How far ahead {@code exp} may be. */
    public static final Duration MAX_LIFETIME = Duration.ofHours(1);

    private static final Logger LOG = LoggerFactory.getLogger(RequestObjects.class);
    private static final Set<String> NOT_INSIDE = Set.of("request", "request_uri");
    private static final Set<String> JWT_CLAIMS = Set.of("iss", "aud", "exp", "iat", "nbf", "jti", "sub");

    private final Supplier<@Nullable String> issuer;
    private final Clock clock;
    private final ClientKeyVerifiers keys;
    private final boolean derivedIssuer;

    /**
     * Creates the verifier with a cache of client keys of its own.
     *
     * @param issuer this server's issuer identifier (the {@code aud}); null refuses every object
     * @param clock the clock
     */
    public RequestObjects(Supplier<@Nullable String> issuer, Clock clock) {
        this(issuer, clock, new ClientKeyVerifiers(clock), false);
    }

    /**
     * Creates the verifier on the cache of client keys shared with {@link ClientAssertions}.
     *
     * @param issuer this server's issuer identifier (the {@code aud}); null refuses every object
     * @param clock the clock
     * @param keys the verifiers built from clients' keys
     * @param derivedIssuer whether, without a configured issuer, the one derived from the request is the audience
     *     (development only); otherwise every object is refused then
     */
    public RequestObjects(
            Supplier<@Nullable String> issuer, Clock clock, ClientKeyVerifiers keys, boolean derivedIssuer) {
        this.issuer = Objects.requireNonNull(issuer, "issuer must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.keys = Objects.requireNonNull(keys, "keys must not be null");
        this.derivedIssuer = derivedIssuer;
    }

    /**
     * A claim as parameter values: a string as is, numbers and booleans as text (max_age), an array of strings as
     * repeated values (RFC 8707 resource), any other JSON value as its JSON text (OIDC claims).
     */
    private static List<String> values(Object value) {
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return List.of(value.toString());
        }
        if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        String json = JSONObjectUtils.toJSONString(Map.of("v", value));
        return List.of(json.substring("{\"v\":".length(), json.length() - 1));
    }

    /** Why a request object was refused ({@code invalid_request_object}, RFC 9101 §6.2). */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Verifies a request object and returns its authorization request parameters.
     *
     * @param client the client named by the outer {@code client_id}
     * @param requestObject the {@code request} parameter
     * @return the parameters (claims other than the JWT's own, values as strings; objects as JSON)
     * @throws Refused with a reason that never echoes the object
     */
    public Map<String, List<String>> verify(RegisteredClient client, String requestObject) {
        return verify(client, requestObject, null);
    }

    /**
     * Verifies a request object, with the issuer the request resolves to when none is configured and the derived
     * issuer is allowed (development only: Spring Authorization Server then derives the issuer from each request the
     * same way).
     *
     * @param client the client named by the outer {@code client_id}
     * @param requestObject the {@code request} parameter
     * @param requestIssuer the issuer derived from the request, used only without a configured one
     * @return the parameters
     * @throws Refused with a reason that never echoes the object
     */
    public Map<String, List<String>> verify(
            RegisteredClient client, String requestObject, @Nullable String requestIssuer) {
        String configured = issuer.get();
        String audience = configured != null ? configured : derivedIssuer ? requestIssuer : null;
        if (audience == null) {
            throw new Refused("no issuer is configured");
        }
        Optional<String> jwks = ClientKeys.jwks(client);
        Optional<String> jwksUri = ClientKeys.jwksUri(client);
        if (jwks.isPresent() == jwksUri.isPresent()) {
            throw new Refused("the client has no registered keys (jwks or jwks_uri) to verify request objects");
        }
        // Shared with client assertions: one cached key source per client, one jwks_uri fetch at a time.
        TokenVerifier verifier = keys.verifier(
                client,
                "request-object",
                audience,
                b -> b.algorithms(ClientAssertions.ALGORITHMS.toArray(JwsAlgorithm[]::new))
                        .issuer(client.getClientId())
                        .audience(audience)
                        .requireExpiry(true)
                        .clockSkew(ClientAssertions.CLOCK_SKEW)
                        .maxTokenSize(16 * 1024)
                        .clock(clock));
        VerifiedToken token;
        try {
            token = verifier.verify(requestObject);
        } catch (TokenException e) {
            LOG.debug("Refused a request object of client '{}': {}", client.getClientId(), e.reason());
            throw new Refused("the request object does not verify: "
                    + e.reason().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        String typ = token.type().orElse(null);
        if (typ != null
                && !typ.equalsIgnoreCase(TYPE)
                && !typ.equalsIgnoreCase("application/" + TYPE)
                && !typ.equalsIgnoreCase("JWT")) {
            throw new Refused("typ must be " + TYPE + " (RFC 9101 §4)");
        }
        Instant expiresAt = token.expiresAt().orElseThrow(() -> new Refused("exp is missing"));
        if (expiresAt.isAfter(clock.instant().plus(MAX_LIFETIME).plus(ClientAssertions.CLOCK_SKEW))) {
            throw new Refused("exp is more than " + MAX_LIFETIME.toMinutes() + " minutes ahead");
        }
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (Map.Entry<String, Object> claim : token.claims().entrySet()) {
            String name = claim.getKey();
            if (NOT_INSIDE.contains(name)) {
                throw new Refused(name + " must not be inside a request object (RFC 9101 §4)");
            }
            if (JWT_CLAIMS.contains(name) || claim.getValue() == null) {
                continue;
            }
            parameters.put(name, values(claim.getValue()));
        }
        List<String> inner = parameters.get("client_id");
        if (inner != null && !inner.equals(List.of(client.getClientId()))) {
            throw new Refused("client_id in the request object must be the request's (RFC 9101 §5)");
        }
        parameters.put("client_id", List.of(client.getClientId()));
        return parameters;
    }
}
