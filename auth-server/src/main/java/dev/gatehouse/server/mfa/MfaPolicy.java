package dev.gatehouse.server.mfa;

import dev.gatehouse.core.mfa.TotpService;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authorization.AllRequiredFactorsAuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * When a sign-in needs a second factor, and whether an authentication has every required factor, in Spring
 * Security 7's factor-authority model: the password step grants {@link FactorGrantedAuthority#PASSWORD_AUTHORITY},
 * the TOTP (or recovery-code) step grants {@link #OTP_AUTHORITY}, and an {@link
 * AllRequiredFactorsAuthorizationManager} requiring both decides.
 *
 * <p>The second factor is required when any of these holds: the user has a confirmed TOTP factor, or an operator
 * set the user's {@code mfaRequired} flag (per user); the client's settings carry {@link #REQUIRE_MFA_SETTING}
 * {@code true} (per client); the request asks for {@link #ACR_MFA} (or the PAPE multi-factor policy) in {@code
 * acr_values} (OIDC Core §3.1.2.1, step-up). A user who must pass the factor but has none is sent to enrolment.
 */
public final class MfaPolicy {

    /** The factor authority of a one-time code (TOTP, or a recovery code standing in for it). */
    public static final String OTP_AUTHORITY = "FACTOR_OTP";

    /** Client setting ({@code ClientSettings.setting}) that makes MFA required for every user of the client. */
    public static final String REQUIRE_MFA_SETTING = "settings.client.gatehouse.require-mfa";

    /** The {@code acr} of a sign-in with password and a one-time code. */
    public static final String ACR_MFA = "urn:gatehouse:acr:mfa";

    /** The {@code acr} of a sign-in with the password alone. */
    public static final String ACR_PASSWORD = "urn:gatehouse:acr:pwd";

    /** OpenID PAPE's multi-factor policy, accepted in {@code acr_values} as a synonym of {@link #ACR_MFA}. */
    public static final String ACR_PAPE_MULTI_FACTOR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

    /**
     * The factor authority of a passkey assertion with user verification: Spring Security's {@code FACTOR_WEBAUTHN}
     * (issue #16). Alone it is multi-factor (possession of the authenticator, and the PIN or biometric that unlocked
     * it), and the only phishing-resistant factor.
     */
    public static final String PASSKEY_AUTHORITY = FactorGrantedAuthority.WEBAUTHN_AUTHORITY;

    /** The {@code acr} of a sign-in with a passkey: multi-factor and phishing-resistant. */
    public static final String ACR_PHISHING_RESISTANT = "urn:gatehouse:acr:phr";

    /** OpenID PAPE's phishing-resistant policy, accepted in {@code acr_values} as a synonym of {@link #ACR_PHISHING_RESISTANT}. */
    public static final String ACR_PAPE_PHISHING_RESISTANT =
            "http://schemas.openid.net/pape/policies/2007/06/phishing-resistant";

    /** Client setting that makes a phishing-resistant factor (a passkey) required for every user of the client. */
    public static final String REQUIRE_PHISHING_RESISTANT_SETTING =
            "settings.client.gatehouse.require-phishing-resistant";

    private static final Set<String> MFA_ACR_VALUES = Set.of(ACR_MFA, ACR_PAPE_MULTI_FACTOR);
    private static final int MAX_ACR_VALUES_LENGTH = 1000;

    private final TotpService totp;
    private final RegisteredClientRepository clients;
    private final Predicate<String> requiredForUser;
    private final AllRequiredFactorsAuthorizationManager<Object> passwordAndOtp =
            AllRequiredFactorsAuthorizationManager.builder()
                    .requireFactor(factor -> factor.passwordAuthority())
                    .requireFactor(factor -> factor.authority(OTP_AUTHORITY))
                    .build();

    /**
     * Creates the policy.
     *
     * @param totp where confirmed TOTP factors are looked up
     * @param clients where client settings are looked up
     */
    public MfaPolicy(TotpService totp, RegisteredClientRepository clients) {
        this(totp, clients, username -> false);
    }

    /**
     * Creates the policy with a per-user requirement.
     *
     * @param totp where confirmed TOTP factors are looked up
     * @param clients where client settings are looked up
     * @param requiredForUser whether an operator made the second factor mandatory for a user; an exception it throws
     *     fails the sign-in (never skips the factor)
     */
    public MfaPolicy(TotpService totp, RegisteredClientRepository clients, Predicate<String> requiredForUser) {
        this.totp = Objects.requireNonNull(totp, "totp must not be null");
        this.clients = Objects.requireNonNull(clients, "clients must not be null");
        this.requiredForUser = Objects.requireNonNull(requiredForUser, "requiredForUser must not be null");
    }

    /**
     * Whether a user has a confirmed TOTP factor (and so must always pass it).
     *
     * @param username the user
     * @return {@code true} if confirmed
     */
    public boolean hasConfirmedTotp(String username) {
        return !username.isBlank()
                && username.length() <= 200
                && totp.status(username) == TotpService.FactorStatus.CONFIRMED;
    }

    /**
     * Whether this sign-in needs the second factor.
     *
     * @param username the signed-in user
     * @param clientId the {@code client_id} of the request, if any
     * @param acrValues the {@code acr_values} of the request, if any
     * @return {@code true} if the one-time-code factor is required
     */
    public boolean otpRequired(String username, @Nullable String clientId, @Nullable String acrValues) {
        if (hasConfirmedTotp(username)) {
            return true;
        }
        if (!username.isBlank() && username.length() <= 200 && requiredForUser.test(username)) {
            return true;
        }
        if (acrValues != null) {
            // Fail closed: an over-long value (refused by the endpoint's validator) is read as asking for MFA.
            if (acrValues.length() > MAX_ACR_VALUES_LENGTH
                    || Arrays.stream(acrValues.split(" ")).anyMatch(MFA_ACR_VALUES::contains)) {
                return true;
            }
        }
        if (clientId != null && !clientId.isEmpty() && clientId.length() <= 200) {
            RegisteredClient client = clients.findByClientId(clientId);
            return client != null
                    && Boolean.TRUE.equals(client.getClientSettings().getSetting(REQUIRE_MFA_SETTING));
        }
        return false;
    }

    /**
     * Whether an authentication carries every factor of a multi-factor sign-in (password and one-time code).
     *
     * @param authentication the authentication
     * @return the decision of Spring Security's {@link AllRequiredFactorsAuthorizationManager}
     */
    public boolean hasAllFactors(Authentication authentication) {
        Supplier<Authentication> supplier = () -> authentication;
        AuthorizationResult result = passwordAndOtp.authorize(supplier, authentication);
        return result != null && result.isGranted();
    }

    /**
     * Whether an authentication carries the one-time-code factor.
     *
     * @param authentication the authentication
     * @return {@code true} if it does
     */
    public static boolean hasOtp(Authentication authentication) {
        for (GrantedAuthority a : authentication.getAuthorities()) {
            if (OTP_AUTHORITY.equals(a.getAuthority())) {
                return true;
            }
        }
        return false;
    }
}
