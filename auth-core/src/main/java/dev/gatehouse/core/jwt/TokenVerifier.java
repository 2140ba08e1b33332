package dev.gatehouse.core.jwt;

import static dev.gatehouse.core.jwt.TokenException.Reason.ALGORITHM_NOT_ALLOWED;
import static dev.gatehouse.core.jwt.TokenException.Reason.BAD_SIGNATURE;
import static dev.gatehouse.core.jwt.TokenException.Reason.EMBEDDED_KEY;
import static dev.gatehouse.core.jwt.TokenException.Reason.EXPIRED;
import static dev.gatehouse.core.jwt.TokenException.Reason.INVALID_KEY;
import static dev.gatehouse.core.jwt.TokenException.Reason.KEY_NOT_FOUND;
import static dev.gatehouse.core.jwt.TokenException.Reason.MALFORMED;
import static dev.gatehouse.core.jwt.TokenException.Reason.MISSING_CLAIM;
import static dev.gatehouse.core.jwt.TokenException.Reason.NOT_YET_VALID;
import static dev.gatehouse.core.jwt.TokenException.Reason.REVOKED;
import static dev.gatehouse.core.jwt.TokenException.Reason.TOO_LARGE;
import static dev.gatehouse.core.jwt.TokenException.Reason.UNSECURED;
import static dev.gatehouse.core.jwt.TokenException.Reason.UNSUPPORTED_CRITICAL_HEADER;
import static dev.gatehouse.core.jwt.TokenException.Reason.WRONG_AUDIENCE;
import static dev.gatehouse.core.jwt.TokenException.Reason.WRONG_ISSUER;
import static dev.gatehouse.core.jwt.TokenException.Reason.WRONG_TYPE;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Verifies compact JWS tokens. Built once with {@link #builder()}, then immutable and thread-safe.
 *
 * <p>Checks, in order, each failure a {@link TokenException} with its own {@link TokenException.Reason}: size;
 * three Base64url segments (RFC 7515 §7.1); {@code alg} present and not {@code none} (RFC 8725 §3.1); no
 * {@code jwk}/{@code jku}/{@code x5u}/{@code x5c} header (keys named by the token are never trusted); no
 * {@code crit} (RFC 7515 §4.1.11: we understand no extensions); {@code alg} in the allowed set; {@code typ}
 * (RFC 8725 §3.11); a key with the token's {@code kid} whose type and {@code alg} fit the token's algorithm
 * (no RS/HS key confusion); the signature; {@code exp}, {@code nbf}, {@code iat} with bounded skew (RFC 7519
 * §4.1); {@code iss}; {@code aud}; required claims; the {@code jti} denylist.
 *
 * <pre>{@code
 * TokenVerifier verifier = TokenVerifier.builder()
 *         .remoteJwks(RemoteJwks.builder(URI.create("https://login.example.com/oauth2/jwks")).build())
 *         .issuer("https://login.example.com").audience("api").accessTokens().build();
 * VerifiedToken token = verifier.verify(bearer);
 * }</pre>
 */
public final class TokenVerifier {

    /** The largest clock skew a verifier may allow. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private static final Set<String> EMBEDDED_KEY_HEADERS = Set.of("jwk", "jku", "x5u", "x5c");

    private final KeySource keys;
    private final Set<JwsAlgorithm> algorithms;
    private final Set<String> issuers;
    private final Set<String> audiences;
    private final @Nullable String type;
    private final Duration clockSkew;
    private final int maxTokenSize;
    private final Set<String> requiredClaims;
    private final boolean requireExpiry;
    private final @Nullable TokenDenylist denylist;
    private final Clock clock;
    private final TokenEncryption.@Nullable Decrypter decrypter;
    private final Map<String, CachedVerifier> verifiers = new ConcurrentHashMap<>();

    private record CachedVerifier(JWK key, JwsAlgorithm algorithm, JWSVerifier verifier) {}

    private TokenVerifier(Builder b) {
        this.keys = Objects.requireNonNull(
                b.keys, "keys must be set: keys(KeyRing), jwks(String) or remoteJwks(RemoteJwks)");
        this.algorithms = Set.copyOf(b.algorithms);
        this.issuers = Set.copyOf(b.issuers);
        this.audiences = Set.copyOf(b.audiences);
        this.type = b.type;
        this.clockSkew = b.clockSkew;
        this.maxTokenSize = b.maxTokenSize;
        this.requiredClaims = Set.copyOf(b.requiredClaims);
        this.requireExpiry = b.requireExpiry;
        this.denylist = b.denylist;
        this.clock = b.clock;
        this.decrypter = b.decrypter;
    }

    /**
     * A builder: asymmetric algorithms allowed, 60 s clock skew, 8 KiB maximum size, {@code exp} required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Verifies a token.
     *
     * @param token the compact serialization
     * @return the verified token
     * @throws TokenException with the reason the token was refused
     */
    public VerifiedToken verify(String token) {
        if (token == null || token.isEmpty()) {
            throw new TokenException(MALFORMED, "token is empty");
        }
        if (token.length() > maxTokenSize) {
            throw new TokenException(TOO_LARGE, "token is longer than " + maxTokenSize + " characters");
        }
        if (decrypter != null) {
            // Nested JWT (RFC 7519 §5.2): only encrypted tokens are accepted once decryption is configured.
            if (token.chars().filter(c -> c == '.').count() != 4) {
                throw new TokenException(MALFORMED, "an encrypted token (compact JWE) is required here");
            }
            token = decrypter.decrypt(token);
        }
        int firstDot = token.indexOf('.');
        int secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
        if (firstDot <= 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
            throw new TokenException(
                    MALFORMED,
                    "token must be a compact JWS of three Base64url segments (encrypted tokens are not accepted)");
        }
        if (secondDot == token.length() - 1) {
            throw new TokenException(UNSECURED, "token has no signature");
        }
        if (!base64url(token, 0, firstDot)
                || !base64url(token, firstDot + 1, secondDot)
                || !base64url(token, secondDot + 1, token.length())) {
            throw new TokenException(MALFORMED, "token segments must be unpadded Base64url (RFC 7515 §2)");
        }
        Map<String, Object> header = header(token.substring(0, firstDot));
        JwsAlgorithm algorithm = algorithm(header);
        for (String h : EMBEDDED_KEY_HEADERS) {
            if (header.containsKey(h)) {
                throw new TokenException(
                        EMBEDDED_KEY, "token carries a '" + h + "' header; keys named by a token are never trusted");
            }
        }
        if (header.containsKey("crit")) {
            throw new TokenException(
                    UNSUPPORTED_CRITICAL_HEADER, "token has critical header extensions this verifier does not support");
        }
        Object typ = header.get("typ");
        if (type != null && !(typ instanceof String t && typeMatches(t, type))) {
            throw new TokenException(WRONG_TYPE, "token type is not '" + type + "'");
        }
        Object kidValue = header.get("kid");
        if (kidValue != null && !(kidValue instanceof String)) {
            throw new TokenException(MALFORMED, "kid header must be a string");
        }
        String kid = (String) kidValue;

        // Parse each part once: the header map above is reused rather than parsing the header again.
        String headerSegment = token.substring(0, firstDot);
        JWSHeader jwsHeader;
        try {
            jwsHeader = JWSHeader.parse(header, new Base64URL(headerSegment));
        } catch (ParseException e) {
            throw new TokenException(MALFORMED, "token header is not a valid JWS header");
        }
        JWSVerifier verifier = verifierFor(kid, algorithm);
        boolean valid;
        try {
            valid = verifier.verify(
                    jwsHeader,
                    token.substring(0, secondDot).getBytes(StandardCharsets.US_ASCII),
                    new Base64URL(token.substring(secondDot + 1)));
        } catch (JOSEException | RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            throw new TokenException(BAD_SIGNATURE, "token signature does not verify");
        }
        JWTClaimsSet claims;
        try {
            String payload = new String(
                    Base64.getUrlDecoder().decode(token.substring(firstDot + 1, secondDot)), StandardCharsets.UTF_8);
            claims = JWTClaimsSet.parse(JSONObjectUtils.parse(payload));
        } catch (ParseException | IllegalArgumentException e) {
            throw new TokenException(MALFORMED, "token payload is not a JSON claims set");
        }
        checkClaims(claims);
        return new VerifiedToken(claims, algorithm, kid, typ instanceof String t ? t : null);
    }

    private void checkClaims(JWTClaimsSet claims) {
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            if (requireExpiry) {
                throw new TokenException(MISSING_CLAIM, "token has no 'exp' claim");
            }
        } else if (!now.minus(clockSkew).isBefore(exp.toInstant())) {
            throw new TokenException(EXPIRED, "token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(clockSkew).isBefore(nbf.toInstant())) {
            throw new TokenException(NOT_YET_VALID, "token is not valid before " + nbf.toInstant());
        }
        Date iat = claims.getIssueTime();
        if (iat != null && now.plus(clockSkew).isBefore(iat.toInstant())) {
            throw new TokenException(NOT_YET_VALID, "token is issued in the future");
        }
        if (!issuers.isEmpty() && (claims.getIssuer() == null || !issuers.contains(claims.getIssuer()))) {
            throw new TokenException(WRONG_ISSUER, "token issuer is not accepted");
        }
        if (!audiences.isEmpty() && claims.getAudience().stream().noneMatch(audiences::contains)) {
            throw new TokenException(WRONG_AUDIENCE, "token is not intended for this audience");
        }
        for (String required : requiredClaims) {
            if (claims.getClaim(required) == null) {
                throw new TokenException(MISSING_CLAIM, "token has no '" + required + "' claim");
            }
        }
        if (denylist != null) {
            String jti = claims.getJWTID();
            if (jti == null) {
                throw new TokenException(
                        MISSING_CLAIM, "token has no 'jti' claim, so its revocation cannot be checked");
            }
            if (denylist.isRevoked(jti)) {
                throw new TokenException(REVOKED, "token has been revoked");
            }
        }
    }

    private JWSVerifier verifierFor(@Nullable String kid, JwsAlgorithm algorithm) {
        JWK key = keys.find(kid, algorithm);
        if (key == null) {
            throw new TokenException(
                    KEY_NOT_FOUND,
                    kid == null ? "token has no kid and no single key fits" : "no key with the token's kid");
        }
        if (!KeyTypes.fits(key, algorithm)) {
            throw new TokenException(
                    ALGORITHM_NOT_ALLOWED,
                    "the key named by the token is not a " + algorithm.joseName() + " key (key confusion refused)");
        }
        String cacheKey = (kid == null ? "" : kid) + '\u0000' + algorithm.name();
        CachedVerifier cached = verifiers.get(cacheKey);
        if (cached == null || cached.key() != key) {
            cached = new CachedVerifier(key, algorithm, ManagedKey.verifierFor(key, algorithm));
            if (verifiers.size() < 1024) {
                verifiers.put(cacheKey, cached);
            }
        }
        return cached.verifier();
    }

    private JwsAlgorithm algorithm(Map<String, Object> header) {
        Object alg = header.get("alg");
        if (!(alg instanceof String name) || name.isEmpty()) {
            throw new TokenException(MALFORMED, "token header has no 'alg'");
        }
        if ("none".equalsIgnoreCase(name)) {
            throw new TokenException(UNSECURED, "unsecured tokens (alg none) are never accepted");
        }
        JwsAlgorithm algorithm = JwsAlgorithm.fromJoseName(name).orElse(null);
        if (algorithm == null || !algorithms.contains(algorithm)) {
            throw new TokenException(ALGORITHM_NOT_ALLOWED, "token algorithm is not allowed here");
        }
        return algorithm;
    }

    private static Map<String, Object> header(String segment) {
        byte[] json;
        try {
            json = Base64.getUrlDecoder().decode(segment);
        } catch (IllegalArgumentException e) {
            throw new TokenException(MALFORMED, "token header is not Base64url");
        }
        try {
            return JSONObjectUtils.parse(new String(json, StandardCharsets.UTF_8));
        } catch (ParseException | RuntimeException e) {
            throw new TokenException(MALFORMED, "token header is not a JSON object");
        }
    }

    private static boolean base64url(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** RFC 7515 §4.1.9: compare case-insensitively, the "application/" prefix being optional. */
    private static boolean typeMatches(String actual, String expected) {
        String a = actual.toLowerCase(Locale.ROOT);
        String e = expected.toLowerCase(Locale.ROOT);
        return a.equals(e) || a.equals("application/" + e);
    }

    /** Builds a {@link TokenVerifier}. */
    public static final class Builder {
        private @Nullable KeySource keys;
        private Set<JwsAlgorithm> algorithms = EnumSet.of(
                JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256, JwsAlgorithm.ES384, JwsAlgorithm.EdDSA);
        private Set<String> issuers = Set.of();
        private Set<String> audiences = Set.of();
        private @Nullable String type;
        private Duration clockSkew = Duration.ofSeconds(60);
        private int maxTokenSize = 8 * 1024;
        private Set<String> requiredClaims = Set.of();
        private boolean requireExpiry = true;
        private @Nullable TokenDenylist denylist;
        private Clock clock = Clock.systemUTC();
        private TokenEncryption.@Nullable Decrypter decrypter;

        private Builder() {}

        /**
         * Accept only nested JWTs encrypted for this recipient (see {@link TokenEncryption}): each token is
         * decrypted, then its inner signed token verified as usual.
         *
         * @param decrypter the recipient's decrypter
         * @return this builder
         */
        public Builder decryption(TokenEncryption.Decrypter decrypter) {
            this.decrypter = Objects.requireNonNull(decrypter, "decrypter must not be null");
            return this;
        }

        /**
         * Verify with the published keys of a local key ring (HMAC secrets included, for HS algorithms you
         * allow).
         *
         * @param ring the key ring
         * @return this builder
         */
        public Builder keys(KeyRing ring) {
            Objects.requireNonNull(ring, "ring must not be null");
            this.keys = (kid, alg) -> {
                if (kid == null) {
                    return null;
                }
                return ring.find(kid)
                        .filter(k -> k.algorithm() == alg)
                        .map(k -> alg.symmetric() ? k.jwk() : k.publicJwk())
                        .orElse(null);
            };
            return this;
        }

        /**
         * Verify with the public keys of a JWK Set document.
         *
         * @param jwksJson a JWKS JSON document
         * @return this builder
         * @throws TokenException if it is not a valid JWK Set
         */
        public Builder jwks(String jwksJson) {
            JWKSet set;
            try {
                set = JWKSet.parse(jwksJson).toPublicJWKSet();
            } catch (ParseException e) {
                throw new TokenException(INVALID_KEY, "not a valid JWK Set: " + e.getMessage());
            }
            this.keys = (kid, alg) -> {
                if (kid != null) {
                    return set.getKeyByKeyId(kid);
                }
                List<JWK> fitting = set.getKeys().stream()
                        .filter(k -> KeyTypes.fits(k, alg))
                        .toList();
                return fitting.size() == 1 ? fitting.get(0) : null;
            };
            return this;
        }

        /**
         * Verify with keys fetched from an issuer's {@code jwks_uri}.
         *
         * @param remote the remote JWKS source
         * @return this builder
         */
        public Builder remoteJwks(RemoteJwks remote) {
            this.keys = Objects.requireNonNull(remote, "remote must not be null")::find;
            return this;
        }

        /**
         * The algorithms accepted; default RS256, PS256, ES256, ES384, EdDSA. HS256/HS512 must be listed here
         * explicitly.
         *
         * @param allowed one or more algorithms
         * @return this builder
         */
        public Builder algorithms(JwsAlgorithm... allowed) {
            if (allowed.length == 0) {
                throw new TokenException(INVALID_KEY, "at least one algorithm must be allowed");
            }
            this.algorithms = EnumSet.copyOf(List.of(allowed));
            return this;
        }

        /**
         * Accepted issuers ({@code iss} must equal one); default any.
         *
         * @param accepted issuer identifiers
         * @return this builder
         */
        public Builder issuer(String... accepted) {
            this.issuers = Set.of(accepted);
            return this;
        }

        /**
         * Accepted audiences ({@code aud} must contain one); default any.
         *
         * @param accepted audience identifiers
         * @return this builder
         */
        public Builder audience(String... accepted) {
            this.audiences = Set.of(accepted);
            return this;
        }

        /**
         * Required {@code typ} header, compared per RFC 7515 §4.1.9; default none required.
         *
         * @param expected e.g. {@code "at+jwt"}
         * @return this builder
         */
        public Builder type(String expected) {
            this.type = Objects.requireNonNull(expected, "expected must not be null");
            return this;
        }

        /**
         * Shorthand for RFC 9068 access tokens: {@code typ} must be {@code at+jwt} and {@code sub}, {@code
         * client_id}, {@code iat}, {@code jti} must be present (RFC 9068 §2.2, §4).
         *
         * @return this builder
         */
        public Builder accessTokens() {
            this.type = "at+jwt";
            this.requiredClaims = Set.of("sub", "client_id", "iat", "jti");
            return this;
        }

        /**
         * Allowed clock skew for {@code exp}, {@code nbf}, {@code iat}; default 60 s, at most 5 minutes.
         *
         * @param skew non-negative, at most {@link #MAX_CLOCK_SKEW}
         * @return this builder
         */
        public Builder clockSkew(Duration skew) {
            Objects.requireNonNull(skew, "skew must not be null");
            if (skew.isNegative() || skew.compareTo(MAX_CLOCK_SKEW) > 0) {
                throw new TokenException(INVALID_KEY, "clock skew must be between 0 and 5 minutes");
            }
            this.clockSkew = skew;
            return this;
        }

        /**
         * Largest token accepted, in characters; default 8192.
         *
         * @param chars at least 256
         * @return this builder
         */
        public Builder maxTokenSize(int chars) {
            if (chars < 256) {
                throw new TokenException(INVALID_KEY, "maxTokenSize must be at least 256");
            }
            this.maxTokenSize = chars;
            return this;
        }

        /**
         * Claims that must be present.
         *
         * @param names claim names
         * @return this builder
         */
        public Builder requireClaims(String... names) {
            this.requiredClaims = Set.of(names);
            return this;
        }

        /**
         * Whether {@code exp} is required; default true.
         *
         * @param required false only for tokens that are revoked by other means
         * @return this builder
         */
        public Builder requireExpiry(boolean required) {
            this.requireExpiry = required;
            return this;
        }

        /**
         * Check {@code jti} against a denylist (tokens without {@code jti} are then refused).
         *
         * @param denylist the denylist
         * @return this builder
         */
        public Builder denylist(TokenDenylist denylist) {
            this.denylist = Objects.requireNonNull(denylist, "denylist must not be null");
            return this;
        }

        /**
         * The clock for time claims; default UTC.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Builds the verifier.
         *
         * @return the verifier
         * @throws NullPointerException if no key source was set
         */
        public TokenVerifier build() {
            return new TokenVerifier(this);
        }
    }
}
