package dev.gatehouse.server.tokens;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.text.ParseException;
import java.util.Date;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.resource.authentication.AbstractOAuth2TokenAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The shared DPoP replay check at Gatehouse's own protected resource, UserInfo (RFC 9449 §4.3 check 12, §7.1,
 * §11.1). Spring Security's resource server verifies the {@code DPoP} header's proof in full (signature, {@code typ},
 * {@code htm}, {@code htu}, {@code iat}, {@code ath}, the token's {@code cnf.jkt}, its per-node {@code jti} map), but
 * offers no hook to share the {@code jti} map between nodes (spring-projects/spring-security#18120). This filter runs
 * after it: when the request was authenticated with {@code Authorization: DPoP}, the proof was verified in this
 * request, so it is only parsed here for its {@code jti} and {@code iat} and claimed in {@link UsedProofIds}. A proof
 * used before, on any node, gets what Spring answers for a replay to the same node: {@code 401} with {@code
 * WWW-Authenticate: DPoP error="invalid_dpop_proof"} (RFC 9449 §7.1, RFC 6750 §3) and the accepted algorithms. Once
 * #18120 lets Spring's check use a shared store, this filter can go.
 */
public final class ProofReplayFilter extends OncePerRequestFilter {

    /** What Spring Security's DPoP entry point advertises (RFC 9449 §7.1 {@code algs}). */
    static final String ALGS = "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512";

    private static final String SCHEME = OAuth2AccessToken.TokenType.DPOP.getValue();

    private final UsedProofIds used;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    /**
     * Creates the filter.
     *
     * @param used the used proof ids on the shared database
     */
    public ProofReplayFilter(UsedProofIds used) {
        this.used = Objects.requireNonNull(used, "used must not be null");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!authenticatedWithDPoP(request)) {
            chain.doFilter(request, response);
            return;
        }
        // Spring verified exactly one DPoP header in this request; anything else is not what it verified.
        String proof = request.getHeader(SCHEME);
        JWTClaimsSet claims = proof == null ? null : claims(proof);
        String jti = claims == null ? null : claims.getJWTID();
        if (claims == null || jti == null || jti.isEmpty()) {
            // Not the proof Spring verified: fail closed.
            refuse(response);
            return;
        }
        Date issuedAt = claims.getIssueTime();
        if (used.claim(jti, issuedAt == null ? null : issuedAt.toInstant()) instanceof UsedProofIds.Claim.Replayed) {
            refuse(response);
            return;
        }
        chain.doFilter(request, response);
    }

    /** An access token from the {@code DPoP} scheme signed this request in (Spring's DPoP filter ran and passed). */
    private boolean authenticatedWithDPoP(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null
                || !authorization.toLowerCase(Locale.ROOT).startsWith(SCHEME.toLowerCase(Locale.ROOT) + " ")) {
            return false;
        }
        Authentication authentication = contexts.getContext().getAuthentication();
        return authentication instanceof AbstractOAuth2TokenAuthenticationToken<?> token && token.isAuthenticated();
    }

    private static @Nullable JWTClaimsSet claims(String proof) {
        try {
            return SignedJWT.parse(proof).getJWTClaimsSet();
        } catch (ParseException e) {
            return null;
        }
    }

    private void refuse(HttpServletResponse response) {
        contexts.clearContext();
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader(
                HttpHeaders.WWW_AUTHENTICATE,
                SCHEME + " error=\"" + OAuth2ErrorCodes.INVALID_DPOP_PROOF + "\", algs=\"" + ALGS + "\"");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    }
}
