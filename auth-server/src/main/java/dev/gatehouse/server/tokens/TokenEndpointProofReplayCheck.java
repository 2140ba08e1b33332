package dev.gatehouse.server.tokens;

import java.util.Objects;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenContext;

/**
 * The token endpoint's shared DPoP replay check (RFC 9449 §4.3 check 12, §11.1), run by the access-token customizers.
 * Spring Authorization Server verifies the proof (signature, {@code typ}, {@code htm}, {@code htu}, {@code iat}, its
 * own per-node {@code jti} map) and puts it in the token context ({@link OAuth2TokenContext#DPOP_PROOF_KEY}) before it
 * generates the access token, for every grant that takes a proof: authorization code, refresh token, client
 * credentials, device code and token exchange. Its verifier is package-private and has no hook
 * (spring-projects/spring-security#18120), so the customizer is the first place Gatehouse sees the verified proof.
 *
 * <p>A replayed proof is refused with {@code invalid_dpop_proof} (RFC 9449 §5) before anything is saved: the
 * authorization code stays usable with a fresh proof, and a refresh token is not rotated, as when Spring refuses a
 * proof itself (a wrong {@code htu}, a replay to the same node). Nothing was issued, so nothing is revoked.
 */
final class TokenEndpointProofReplayCheck {

    private static final OAuth2Error REPLAYED = new OAuth2Error(
            OAuth2ErrorCodes.INVALID_DPOP_PROOF,
            "The DPoP proof was used before; send a new proof with a fresh jti.",
            "https://www.rfc-editor.org/rfc/rfc9449#section-11.1");

    private final UsedProofIds used;

    TokenEndpointProofReplayCheck(UsedProofIds used) {
        this.used = Objects.requireNonNull(used, "used must not be null");
    }

    /**
     * Claims the {@code jti} of the context's verified proof, once per token request: only when the access token is
     * generated (the same context, proof included, then generates the refresh and ID tokens).
     *
     * @param context the token context
     * @throws OAuth2AuthenticationException {@code invalid_dpop_proof} when the proof was used before
     */
    void check(OAuth2TokenContext context) {
        if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
            return;
        }
        Jwt proof = context.get(OAuth2TokenContext.DPOP_PROOF_KEY);
        if (proof == null) {
            return;
        }
        String jti = proof.getId();
        if (jti == null || jti.isEmpty()) {
            // Spring requires a jti before the proof gets here; fail closed all the same.
            throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_DPOP_PROOF));
        }
        if (used.claim(jti, proof.getIssuedAt()) instanceof UsedProofIds.Claim.Replayed) {
            throw new OAuth2AuthenticationException(REPLAYED);
        }
    }
}
