package dev.gatehouse.core.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** A token whose signature and claims a {@link TokenVerifier} has checked. Immutable. */
public final class VerifiedToken {

    private final JWTClaimsSet claims;
    private final JwsAlgorithm algorithm;
    private final @Nullable String kid;
    private final @Nullable String type;

    VerifiedToken(JWTClaimsSet claims, JwsAlgorithm algorithm, @Nullable String kid, @Nullable String type) {
        this.claims = claims;
        this.algorithm = algorithm;
        this.kid = kid;
        this.type = type;
    }

    /**
     * {@code sub}.
     *
     * @return the subject, if present
     */
    public Optional<String> subject() {
        return Optional.ofNullable(claims.getSubject());
    }

    /**
     * {@code iss}.
     *
     * @return the issuer, if present
     */
    public Optional<String> issuer() {
        return Optional.ofNullable(claims.getIssuer());
    }

    /**
     * {@code aud}.
     *
     * @return the audiences, possibly empty
     */
    public List<String> audiences() {
        return List.copyOf(claims.getAudience());
    }

    /**
     * {@code jti}.
     *
     * @return the token id, if present
     */
    public Optional<String> jti() {
        return Optional.ofNullable(claims.getJWTID());
    }

    /**
     * {@code exp}.
     *
     * @return the expiry, if present
     */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(claims.getExpirationTime()).map(Date::toInstant);
    }

    /**
     * {@code iat}.
     *
     * @return the issue time, if present
     */
    public Optional<Instant> issuedAt() {
        return Optional.ofNullable(claims.getIssueTime()).map(Date::toInstant);
    }

    /**
     * The scopes from {@code scope} (space-separated, RFC 9068 §2.2.3) or {@code scp} (array).
     *
     * @return the scopes, possibly empty
     */
    public Set<String> scopes() {
        Object scope = claims.getClaim("scope");
        if (scope instanceof String s && !s.isBlank()) {
            return Collections.unmodifiableSet(
                    new LinkedHashSet<>(Arrays.asList(s.trim().split("\\s+"))));
        }
        Object scp = claims.getClaim("scp");
        if (scp instanceof List<?> list) {
            Set<String> out = new LinkedHashSet<>();
            list.forEach(v -> out.add(String.valueOf(v)));
            return Collections.unmodifiableSet(out);
        }
        return Set.of();
    }

    /**
     * One claim as parsed from JSON (String, Number, Boolean, List, Map; dates as epoch seconds).
     *
     * @param name the claim name
     * @return the value, if present
     */
    public Optional<Object> claim(String name) {
        return Optional.ofNullable(claims.toJSONObject().get(name));
    }

    /**
     * All claims as a JSON-compatible map (dates as epoch seconds).
     *
     * @return the claims
     */
    public Map<String, Object> claims() {
        return Collections.unmodifiableMap(claims.toJSONObject());
    }

    /**
     * All claims as a JSON object string.
     *
     * @return the claims JSON
     */
    public String claimsJson() {
        return claims.toString();
    }

    /**
     * The algorithm the token was signed with.
     *
     * @return the algorithm
     */
    public JwsAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * The {@code kid} header.
     *
     * @return the key id, if present
     */
    public Optional<String> kid() {
        return Optional.ofNullable(kid);
    }

    /**
     * The {@code typ} header.
     *
     * @return the type, if present
     */
    public Optional<String> type() {
        return Optional.ofNullable(type);
    }

    @Override
    public String toString() {
        return "VerifiedToken[sub=" + claims.getSubject() + ", jti=" + claims.getJWTID() + ", alg="
                + algorithm.joseName() + "]";
    }
}
