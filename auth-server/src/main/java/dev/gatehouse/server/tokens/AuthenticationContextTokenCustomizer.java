package dev.gatehouse.server.tokens;

import dev.gatehouse.server.mfa.MfaPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.oidc.IdTokenClaimNames;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * Says how the user signed in: {@code amr} (RFC 8176 §2 values: {@code pwd}, {@code otp}; for a passkey {@code hwk}
 * (proof of possession of a hardware-secured key) when it is device-bound, else {@code swk} (a synced, backup-eligible
 * passkey: {@link MfaPolicy#PASSKEY_DEVICE_BOUND_AUTHORITY} absent), {@code user} (user presence and verification by the
 * authenticator) and {@code mfa}) and {@code acr} ({@link MfaPolicy#ACR_PHISHING_RESISTANT} with a passkey, else
 * {@link MfaPolicy#ACR_MFA} or {@link MfaPolicy#ACR_PASSWORD}) in ID tokens (OIDC Core §2) and in access tokens for a
 * user (RFC 9068 §2.2.1), read from the factor authorities Spring Security 7 recorded on the user's authentication.
 * Tokens without a user who signed in with a password or a passkey (client credentials, token exchange) get
 * neither.
 *
 * <p>ID tokens from the authorization code grant always carry {@code auth_time} (OIDC Core §2; required when the
 * request had {@code max_age}): Spring Authorization Server sets it from the newest factor's time when it tracks the
 * OIDC session; where it did not, this customizer sets the same value. After a re-authentication ({@code
 * prompt=login}, {@code max_age}) the factors are new, so {@code auth_time} moves forward.
 */
final class AuthenticationContextTokenCustomizer implements OAuth2TokenCustomizer<JwtEncodingContext> {

    /** Creates the customizer. */
    public AuthenticationContextTokenCustomizer() {}

    @Override
    public void customize(JwtEncodingContext context) {
        boolean idToken =
                OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue());
        if (!idToken && !OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
            return;
        }
        if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
            return;
        }
        Authentication principal = context.getPrincipal();
        boolean password = false;
        boolean otp = false;
        boolean passkey = false;
        boolean deviceBound = false;
        @Nullable Instant newestFactor = null;
        for (GrantedAuthority a : principal.getAuthorities()) {
            deviceBound |= MfaPolicy.PASSKEY_DEVICE_BOUND_AUTHORITY.equals(a.getAuthority());
            password |= FactorGrantedAuthority.PASSWORD_AUTHORITY.equals(a.getAuthority());
            otp |= MfaPolicy.OTP_AUTHORITY.equals(a.getAuthority());
            passkey |= MfaPolicy.PASSKEY_AUTHORITY.equals(a.getAuthority());
            if (a instanceof FactorGrantedAuthority factor
                    && (newestFactor == null || factor.getIssuedAt().isAfter(newestFactor))) {
                newestFactor = factor.getIssuedAt();
            }
        }
        if (!password && !passkey) {
            return;
        }
        // An ArrayList, not List.of: the claims are stored with the authorization, and Spring Authorization
        // Server's JSON mapper only reads back allow-listed collection types.
        List<String> amr = new ArrayList<>(5);
        if (password) {
            amr.add("pwd");
        }
        if (otp) {
            amr.add("otp");
        }
        if (passkey) {
            // RFC 8176 §2: hwk (proof of possession of a hardware-secured key) only for a device-bound passkey; a
            // backup-eligible one is exported to a sync fabric (WebAuthn Level 3 §6.1.3), so swk (a software-secured
            // key); user (user verification, which every Gatehouse assertion requires, WebAuthn Level 3 §7.2 step
            // 15), mfa (more than one factor).
            amr.add(deviceBound ? "hwk" : "swk");
            amr.add("user");
            amr.add("mfa");
        }
        context.getClaims().claim("amr", amr);
        context.getClaims()
                .claim(
                        "acr",
                        passkey ? MfaPolicy.ACR_PHISHING_RESISTANT : otp ? MfaPolicy.ACR_MFA : MfaPolicy.ACR_PASSWORD);
        if (idToken
                && newestFactor != null
                && AuthorizationGrantType.AUTHORIZATION_CODE.equals(context.getAuthorizationGrantType())) {
            Date authTime = Date.from(newestFactor);
            context.getClaims().claims(claims -> claims.putIfAbsent(IdTokenClaimNames.AUTH_TIME, authTime));
        }
    }
}
