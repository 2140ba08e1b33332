package dev.gatehouse.core.jwt;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What goes into an OpenID Connect ID token (OIDC Core §2).
 *
 * @param subject {@code sub}
 * @param clientId {@code aud} and {@code azp}
 * @param nonce {@code nonce} from the authentication request, if any
 * @param authTime {@code auth_time}, if known
 * @param acr {@code acr}, if any
 * @param amr {@code amr}, e.g. {@code ["pwd", "otp"]}
 * @param claims further claims (e.g. {@code email}); may not override registered ones
 */
public record IdTokenRequest(
        String subject,
        String clientId,
        @Nullable String nonce,
        @Nullable Instant authTime,
        @Nullable String acr,
        List<String> amr,
        Map<String, Object> claims) {

    /** Copies collections and checks arguments. */
    public IdTokenRequest {
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(clientId, "clientId must not be null");
        amr = List.copyOf(amr);
        claims = Map.copyOf(claims);
    }

    /**
     * A minimal ID token request.
     *
     * @param subject the user
     * @param clientId the relying party
     * @param nonce the request's nonce, or null
     * @return the request
     */
    public static IdTokenRequest of(String subject, String clientId, @Nullable String nonce) {
        return new IdTokenRequest(subject, clientId, nonce, null, null, List.of(), Map.of());
    }
}
