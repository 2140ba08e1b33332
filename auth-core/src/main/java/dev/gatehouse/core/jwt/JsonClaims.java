package dev.gatehouse.core.jwt;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.util.Map;

/** Parses claims given as JSON text (configuration, the CLI) into the map {@link TokenIssuer#jwt} takes. */
public final class JsonClaims {

    private JsonClaims() {}

    /**
     * Parses a JSON object of claims.
     *
     * @param json e.g. {@code {"sub":"alice","aud":"api"}}
     * @return the claims
     * @throws TokenException with {@link TokenException.Reason#MALFORMED} if not a JSON object
     */
    public static Map<String, Object> parse(String json) {
        try {
            return JSONObjectUtils.parse(json, 64 * 1024);
        } catch (ParseException e) {
            throw new TokenException(
                    TokenException.Reason.MALFORMED, "claims must be a JSON object: " + e.getMessage());
        }
    }

    /**
     * Serialises claims as a JSON object.
     *
     * @param claims the claims
     * @return JSON text
     */
    public static String toJson(Map<String, ?> claims) {
        return JSONObjectUtils.toJSONString(claims);
    }
}
