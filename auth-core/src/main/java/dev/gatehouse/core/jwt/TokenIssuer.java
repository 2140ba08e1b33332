package dev.gatehouse.core.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Issues signed JWTs with the {@link KeyRing}'s active key: RFC 9068 access tokens ({@code typ: at+jwt}),
 * OpenID Connect ID tokens, and general JWTs. Built once, immutable and thread-safe.
 *
 * <pre>{@code
 * TokenIssuer issuer = TokenIssuer.builder(ring, "https://login.example.com").build();
 * IssuedToken at = issuer.accessToken(AccessTokenRequest.builder("alice", "web").audience("api").scope("read").build());
 * }</pre>
 */
public final class TokenIssuer {

    /** Claims a caller may not set through {@code claims}: the issuer owns them. */
    static final Set<String> REGISTERED = Set.of(
            "iss",
            "sub",
            "aud",
            "exp",
            "nbf",
            "iat",
            "jti",
            "client_id",
            "scope",
            "azp",
            "nonce",
            "auth_time",
            "acr",
            "amr");

    private static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");

    private final KeyRing keys;
    private final String issuer;
    private final Duration accessTokenLifetime;
    private final Duration idTokenLifetime;
    private final Clock clock;
    private final SecureRandom random;

    private TokenIssuer(Builder b) {
        this.keys = b.keys;
        this.issuer = b.issuer;
        this.accessTokenLifetime = b.accessTokenLifetime;
        this.idTokenLifetime = b.idTokenLifetime;
        this.clock = b.clock;
        this.random = b.random;
    }

    /**
     * A builder: access tokens live 5 minutes, ID tokens 5 minutes.
     *
     * @param keys the key ring
     * @param issuer the {@code iss} value, an https URL (http only for localhost)
     * @return a builder
     */
    public static Builder builder(KeyRing keys, String issuer) {
        return new Builder(keys, issuer);
    }

    /**
     * Issues an RFC 9068 access token.
     *
     * @param request subject, client, audiences, scopes and extra claims
     * @return the signed token
     */
    public IssuedToken accessToken(AccessTokenRequest request) {
        Instant now = clock.instant();
        Duration lifetime = request.lifetime() == null ? accessTokenLifetime : request.lifetime();
        JWTClaimsSet.Builder claims = base(now, lifetime, request.claims())
                .subject(request.subject())
                .audience(request.audiences())
                .claim("client_id", request.clientId());
        if (!request.scopes().isEmpty()) {
            claims.claim("scope", String.join(" ", request.scopes()));
        }
        return sign(claims.build(), AT_JWT, now, lifetime);
    }

    /**
     * Issues an OpenID Connect ID token.
     *
     * @param request the subject, client and authentication facts
     * @return the signed token
     */
    public IssuedToken idToken(IdTokenRequest request) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = base(now, idTokenLifetime, request.claims())
                .subject(request.subject())
                .audience(request.clientId())
                .claim("azp", request.clientId());
        if (request.nonce() != null) {
            claims.claim("nonce", request.nonce());
        }
        if (request.authTime() != null) {
            claims.claim("auth_time", request.authTime().getEpochSecond());
        }
        if (request.acr() != null) {
            claims.claim("acr", request.acr());
        }
        if (!request.amr().isEmpty()) {
            claims.claim("amr", request.amr());
        }
        return sign(claims.build(), JOSEObjectType.JWT, now, idTokenLifetime);
    }

    /**
     * Issues a general JWT: {@code iss}, {@code iat}, {@code exp} and {@code jti} are set here; everything else
     * (including {@code sub} and {@code aud}) comes from {@code claims}.
     *
     * @param claims the claims; {@code iss}, {@code iat}, {@code exp}, {@code nbf} and {@code jti} may not be set
     * @param lifetime time to expiry
     * @return the signed token ({@code typ: JWT})
     */
    public IssuedToken jwt(Map<String, Object> claims, Duration lifetime) {
        Objects.requireNonNull(claims, "claims must not be null");
        requirePositive(lifetime);
        for (String owned : List.of("iss", "iat", "exp", "nbf", "jti")) {
            if (claims.containsKey(owned)) {
                throw new TokenException(
                        TokenException.Reason.INVALID_KEY, "claim '" + owned + "' is set by the issuer");
            }
        }
        Instant now = clock.instant();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
        claims.forEach(b::claim);
        b.issuer(issuer)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(newJti());
        return sign(b.build(), JOSEObjectType.JWT, now, lifetime);
    }

    /**
     * Signs exactly the given claims with the active key, for adapters that build claims themselves (such as
     * an authorization server's token customizers). The caller is responsible for the claims; {@code iss},
     * {@code iat}, {@code exp} and {@code jti} must be present, and {@code iss} must be this issuer.
     *
     * @param claims the complete claims set (dates as epoch seconds or {@link java.util.Date})
     * @param type the {@code typ} header, e.g. {@code "at+jwt"} or {@code "JWT"}
     * @return the signed token
     * @throws TokenException with {@link TokenException.Reason#MISSING_CLAIM} or {@link
     *     TokenException.Reason#WRONG_ISSUER} if the claims are incomplete or name another issuer
     */
    public IssuedToken signClaims(Map<String, Object> claims, String type) {
        Objects.requireNonNull(claims, "claims must not be null");
        Objects.requireNonNull(type, "type must not be null");
        JWTClaimsSet set;
        try {
            set = JWTClaimsSet.parse(claims);
        } catch (java.text.ParseException e) {
            throw new TokenException(
                    TokenException.Reason.MALFORMED, "claims are not a valid JWT claims set: " + e.getMessage());
        }
        for (String required : List.of("iss", "iat", "exp", "jti")) {
            if (set.getClaim(required) == null) {
                throw new TokenException(TokenException.Reason.MISSING_CLAIM, "claim '" + required + "' is required");
            }
        }
        if (!issuer.equals(set.getIssuer())) {
            throw new TokenException(TokenException.Reason.WRONG_ISSUER, "claims name another issuer");
        }
        Instant iat = set.getIssueTime().toInstant();
        Instant exp = set.getExpirationTime().toInstant();
        return sign(set, new JOSEObjectType(type), iat, Duration.between(iat, exp));
    }

    private JWTClaimsSet.Builder base(Instant now, Duration lifetime, Map<String, Object> extra) {
        requirePositive(lifetime);
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
        for (Map.Entry<String, Object> e : extra.entrySet()) {
            if (REGISTERED.contains(e.getKey())) {
                throw new TokenException(
                        TokenException.Reason.INVALID_KEY,
                        "claim '" + e.getKey() + "' is set by the issuer, not by callers");
            }
            b.claim(e.getKey(), e.getValue());
        }
        return b.issuer(issuer)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(newJti());
    }

    private IssuedToken sign(JWTClaimsSet claims, JOSEObjectType type, Instant now, Duration lifetime) {
        ManagedKey key = keys.activeKey();
        JWSHeader header = new JWSHeader.Builder(key.algorithm().nimbus())
                .type(type)
                .keyID(key.kid())
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(key.signer());
        } catch (JOSEException e) {
            throw new TokenException(TokenException.Reason.INVALID_KEY, "signing with key " + key.kid() + " failed", e);
        }
        return new IssuedToken(jwt.serialize(), claims.getJWTID(), now, now.plus(lifetime), key.kid());
    }

    private String newJti() {
        byte[] id = new byte[16];
        random.nextBytes(id);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }

    private static void requirePositive(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new TokenException(TokenException.Reason.INVALID_KEY, "token lifetime must be positive");
        }
    }

    /**
     * The {@code iss} value.
     *
     * @return the issuer
     */
    public String issuer() {
        return issuer;
    }

    /** Builds a {@link TokenIssuer}. */
    public static final class Builder {
        private final KeyRing keys;
        private final String issuer;
        private Duration accessTokenLifetime = Duration.ofMinutes(5);
        private Duration idTokenLifetime = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();
        private SecureRandom random = new SecureRandom();

        private Builder(KeyRing keys, String issuer) {
            this.keys = Objects.requireNonNull(keys, "keys must not be null");
            this.issuer = checkIssuer(Objects.requireNonNull(issuer, "issuer must not be null"));
        }

        /**
         * Access token lifetime; default 5 minutes.
         *
         * @param lifetime positive
         * @return this builder
         */
        public Builder accessTokenLifetime(Duration lifetime) {
            requirePositive(lifetime);
            this.accessTokenLifetime = lifetime;
            return this;
        }

        /**
         * ID token lifetime; default 5 minutes.
         *
         * @param lifetime positive
         * @return this builder
         */
        public Builder idTokenLifetime(Duration lifetime) {
            requirePositive(lifetime);
            this.idTokenLifetime = lifetime;
            return this;
        }

        /**
         * The clock for {@code iat}/{@code exp}; default UTC.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Randomness for {@code jti}; default a new {@link SecureRandom}.
         *
         * @param random a strong generator
         * @return this builder
         */
        public Builder secureRandom(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random must not be null");
            return this;
        }

        /**
         * Builds the issuer.
         *
         * @return the issuer
         */
        public TokenIssuer build() {
            return new TokenIssuer(this);
        }

        private static String checkIssuer(String issuer) {
            URI uri;
            try {
                uri = URI.create(issuer);
            } catch (IllegalArgumentException e) {
                throw new TokenException(TokenException.Reason.INVALID_KEY, "issuer must be a URL");
            }
            String host = uri.getHost();
            boolean local = "localhost".equals(host) || "127.0.0.1".equals(host) || "[::1]".equals(host);
            // OIDC Core §2: the issuer is an https URL without query or fragment.
            if (!("https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && local))
                    || uri.getQuery() != null
                    || uri.getFragment() != null) {
                throw new TokenException(
                        TokenException.Reason.INVALID_KEY,
                        "issuer must be an https URL without query or fragment (http only for localhost)");
            }
            return issuer;
        }
    }
}
