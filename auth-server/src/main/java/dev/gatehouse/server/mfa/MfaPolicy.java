package dev.gatehouse.server.mfa;

import dev.gatehouse.core.mfa.TotpService;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
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
 * the TOTP (or recovery-code) step grants {@link #OTP_AUTHORITY}, a passkey assertion with user verification grants
 * {@link #PASSKEY_AUTHORITY}. Every factor is present when the passkey is (possession of the authenticator and the
 * PIN or biometric that unlocked it, WebAuthn Level 3 §6.2.3), or when the password and a one-time code are (an
 * {@link AllRequiredFactorsAuthorizationManager} requiring both decides).
 *
 * <p>The second factor is required when any of these holds: the user has a confirmed TOTP factor or a passkey, or an
 * operator set the user's {@code mfaRequired} flag (per user); the client's settings carry {@link
 * #REQUIRE_MFA_SETTING} {@code true} (per client); the request asks for {@link #ACR_MFA} (or the PAPE multi-factor
 * policy) in {@code acr_values} (OIDC Core §3.1.2.1, step-up); a phishing-resistant factor is required. A user who
 * must pass the factor but has none is sent to enrolment.
 *
 * <p>A phishing-resistant factor (only {@link #PASSKEY_AUTHORITY}: the assertion is bound to the relying party's
 * origin, WebAuthn Level 3 §13.4.9) is required when the client's settings carry {@link
 * #REQUIRE_PHISHING_RESISTANT_SETTING} {@code true}, the request asks for {@link #ACR_PHISHING_RESISTANT} (or the PAPE
 * phishing-resistant policy) in {@code acr_values}, or the user's {@code passkey_required} flag is set. Then neither a
 * one-time code nor a recovery code is enough.
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

    /**
     * Not a factor: marks a passkey sign-in whose credential is device-bound (registered without the BE flag, WebAuthn
     * Level 3 §6.1.3), so {@code amr} may say {@code hwk} (a hardware-secured key, RFC 8176 §2); a synced passkey, or
     * one not known to be device-bound, is {@code swk}. Set by the passkey sign-in, never by a user's input.
     */
    public static final String PASSKEY_DEVICE_BOUND_AUTHORITY = "PASSKEY_DEVICE_BOUND";

    /** The {@code acr} of a sign-in with a passkey: multi-factor and phishing-resistant. */
    public static final String ACR_PHISHING_RESISTANT = "urn:gatehouse:acr:phr";

    /** OpenID PAPE's phishing-resistant policy, accepted in {@code acr_values} as a synonym of {@link #ACR_PHISHING_RESISTANT}. */
    public static final String ACR_PAPE_PHISHING_RESISTANT =
            "http://schemas.openid.net/pape/policies/2007/06/phishing-resistant";

    /** Client setting that makes a phishing-resistant factor (a passkey) required for every user of the client. */
    public static final String REQUIRE_PHISHING_RESISTANT_SETTING =
            "settings.client.gatehouse.require-phishing-resistant";

    private static final Set<String> MFA_ACR_VALUES = Set.of(ACR_MFA, ACR_PAPE_MULTI_FACTOR);
    private static final Set<String> PHISHING_RESISTANT_ACR_VALUES =
            Set.of(ACR_PHISHING_RESISTANT, ACR_PAPE_PHISHING_RESISTANT);
    private static final int MAX_USERNAME_LENGTH = 200;
    private static final int MAX_ACR_VALUES_LENGTH = 1000;

    private final TotpService totp;
    private final RegisteredClientRepository clients;
    private final Predicate<String> requiredForUser;
    private final Predicate<String> hasPasskey;
    private final Predicate<String> passkeyRequiredForUser;
    private final boolean passkeysOffered;
    private final @Nullable Function<String, UserRequirements> userRequirements;
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
        this(totp, clients, requiredForUser, username -> false, username -> false);
    }

    /**
     * Creates the policy with passkeys.
     *
     * @param totp where confirmed TOTP factors are looked up
     * @param clients where client settings are looked up
     * @param requiredForUser whether an operator made the second factor mandatory for a user; an exception it throws
     *     fails the sign-in (never skips the factor)
     * @param hasPasskey whether a user has a passkey (then the second factor is always owed); an exception it throws
     *     fails the sign-in
     * @param passkeyRequiredForUser whether an operator made a phishing-resistant factor mandatory for a user; an
     *     exception it throws fails the sign-in
     */
    public MfaPolicy(
            TotpService totp,
            RegisteredClientRepository clients,
            Predicate<String> requiredForUser,
            Predicate<String> hasPasskey,
            Predicate<String> passkeyRequiredForUser) {
        this(totp, clients, requiredForUser, hasPasskey, passkeyRequiredForUser, true);
    }

    /**
     * Creates the policy with passkeys that may be switched off.
     *
     * @param totp where confirmed TOTP factors are looked up
     * @param clients where client settings are looked up
     * @param requiredForUser whether an operator made the second factor mandatory for a user; an exception it throws
     *     fails the sign-in (never skips the factor)
     * @param hasPasskey whether a user has a stored passkey (then the second factor is always owed, also while
     *     passkeys are switched off: fails closed); an exception it throws fails the sign-in
     * @param passkeyRequiredForUser whether an operator made a phishing-resistant factor mandatory for a user; an
     *     exception it throws fails the sign-in
     * @param passkeysOffered whether the passkey step is offered ({@code gatehouse.server.passkeys.enabled}); when not,
     *     a user with a stored passkey passes the second factor with a recovery code
     */
    public MfaPolicy(
            TotpService totp,
            RegisteredClientRepository clients,
            Predicate<String> requiredForUser,
            Predicate<String> hasPasskey,
            Predicate<String> passkeyRequiredForUser,
            boolean passkeysOffered) {
        this(totp, clients, requiredForUser, hasPasskey, passkeyRequiredForUser, passkeysOffered, null);
    }

    /**
     * What an operator set on a user: the second factor mandatory ({@code mfaRequired}), a phishing-resistant factor
     * mandatory ({@code passkeyRequired}). Unknown users: both {@code false} (they cannot sign in anyway).
     *
     * @param mfaRequired whether the second factor is mandatory for the user
     * @param passkeyRequired whether a phishing-resistant factor is mandatory for the user
     */
    public record UserRequirements(boolean mfaRequired, boolean passkeyRequired) {}

    /**
     * Creates the policy with passkeys that may be switched off, reading both of a user's operator flags with one
     * lookup ({@code userRequirements}) instead of one each: a decision asks it at most once, however many rules
     * consult the flags (the refresh grant decides on every request).
     *
     * @param totp where confirmed TOTP factors are looked up
     * @param clients where client settings are looked up
     * @param hasPasskey whether a user has a stored passkey; an exception it throws fails the sign-in
     * @param userRequirements both operator flags of a user; an exception it throws fails the sign-in
     * @param passkeysOffered whether the passkey step is offered
     */
    public MfaPolicy(
            TotpService totp,
            RegisteredClientRepository clients,
            Predicate<String> hasPasskey,
            Function<String, UserRequirements> userRequirements,
            boolean passkeysOffered) {
        this(
                totp,
                clients,
                username -> userRequirements.apply(username).mfaRequired(),
                hasPasskey,
                username -> userRequirements.apply(username).passkeyRequired(),
                passkeysOffered,
                Objects.requireNonNull(userRequirements, "userRequirements must not be null"));
    }

    private MfaPolicy(
            TotpService totp,
            RegisteredClientRepository clients,
            Predicate<String> requiredForUser,
            Predicate<String> hasPasskey,
            Predicate<String> passkeyRequiredForUser,
            boolean passkeysOffered,
            @Nullable Function<String, UserRequirements> userRequirements) {
        this.passkeysOffered = passkeysOffered;
        this.userRequirements = userRequirements;
        this.totp = Objects.requireNonNull(totp, "totp must not be null");
        this.clients = Objects.requireNonNull(clients, "clients must not be null");
        this.requiredForUser = Objects.requireNonNull(requiredForUser, "requiredForUser must not be null");
        this.hasPasskey = Objects.requireNonNull(hasPasskey, "hasPasskey must not be null");
        this.passkeyRequiredForUser =
                Objects.requireNonNull(passkeyRequiredForUser, "passkeyRequiredForUser must not be null");
    }

    /**
     * Whether a user has a confirmed TOTP factor (and so must always pass it).
     *
     * @param username the user
     * @return {@code true} if confirmed
     */
    public boolean hasConfirmedTotp(String username) {
        return usable(username) && totp.status(username) == TotpService.FactorStatus.CONFIRMED;
    }

    /**
     * Whether a user has at least one passkey (and so must always pass a second factor, and may pass it with one).
     *
     * @param username the user
     * @return {@code true} if the user has a passkey
     */
    public boolean hasPasskey(String username) {
        return usable(username) && hasPasskey.test(username);
    }

    /**
     * Whether the passkey step (and passkey sign-in) is offered: {@code gatehouse.server.passkeys.enabled}. When it is
     * not, stored passkeys still count for {@link #hasPasskey} (a second factor stays owed), and the step that can
     * pay it is the recovery-code step.
     *
     * @return {@code true} if passkeys are offered
     */
    public boolean passkeysOffered() {
        return passkeysOffered;
    }

    /**
     * Whether this sign-in needs a phishing-resistant factor (a passkey), which neither a one-time code nor a recovery
     * code can stand in for.
     *
     * @param username the signed-in user
     * @param clientId the {@code client_id} of the request, if any
     * @param acrValues the {@code acr_values} of the request, if any
     * @return {@code true} if only {@link #PASSKEY_AUTHORITY} meets the request
     */
    public boolean phishingResistantRequired(String username, @Nullable String clientId, @Nullable String acrValues) {
        return phishingResistantRequired(new Flags(username), clientId, acrValues);
    }

    private boolean phishingResistantRequired(Flags user, @Nullable String clientId, @Nullable String acrValues) {
        if (user.passkeyRequired()) {
            return true;
        }
        if (asks(acrValues, PHISHING_RESISTANT_ACR_VALUES)) {
            return true;
        }
        return clientSetting(clientId, REQUIRE_PHISHING_RESISTANT_SETTING);
    }

    /**
     * Whether a signed-in user must still complete (or enrol) a factor before this request may get a code, consent or
     * a device approval: a phishing-resistant factor is owed and the authentication has no passkey, or a second factor
     * is owed and the authentication does not have every factor. Fails closed: an exception from a lookup propagates.
     *
     * @param user the signed-in user
     * @param clientId the {@code client_id} of the request, if any
     * @param acrValues the {@code acr_values} of the request, if any
     * @return {@code true} when a required factor is missing
     */
    public boolean missingFactor(Authentication user, @Nullable String clientId, @Nullable String acrValues) {
        if (hasPasskeyFactor(user)) {
            // Multi-factor and phishing-resistant at once: nothing more can be owed.
            return false;
        }
        // One decision reads the user's operator flags once, however many rules below consult them.
        Flags flags = new Flags(user.getName());
        if (phishingResistantRequired(flags, clientId, acrValues)) {
            return true;
        }
        return !hasAllFactors(user) && otpRequired(flags, clientId, acrValues);
    }

    /**
     * Whether this sign-in needs the second factor.
     *
     * @param username the signed-in user
     * @param clientId the {@code client_id} of the request, if any
     * @param acrValues the {@code acr_values} of the request, if any
     * @return {@code true} if a second factor (a one-time code or a passkey) is required
     */
    public boolean otpRequired(String username, @Nullable String clientId, @Nullable String acrValues) {
        return otpRequired(new Flags(username), clientId, acrValues);
    }

    private boolean otpRequired(Flags user, @Nullable String clientId, @Nullable String acrValues) {
        if (hasConfirmedTotp(user.username) || hasPasskey(user.username)) {
            return true;
        }
        if (user.mfaRequired()) {
            return true;
        }
        if (asks(acrValues, MFA_ACR_VALUES)) {
            return true;
        }
        return clientSetting(clientId, REQUIRE_MFA_SETTING) || phishingResistantRequired(user, clientId, acrValues);
    }

    /**
     * A user's operator flags for one decision, each read when a rule first needs it and then remembered (for this
     * decision only: a change by an operator applies to the next one). With {@link UserRequirements} both come from
     * one lookup.
     */
    private final class Flags {

        private final String username;
        private @Nullable UserRequirements both;
        private @Nullable Boolean mfaRequired;
        private @Nullable Boolean passkeyRequired;

        private Flags(String username) {
            this.username = username;
        }

        boolean mfaRequired() {
            if (!usable(username)) {
                return false;
            }
            if (userRequirements != null) {
                return both(userRequirements).mfaRequired();
            }
            Boolean known = mfaRequired;
            if (known == null) {
                known = requiredForUser.test(username);
                mfaRequired = known;
            }
            return known;
        }

        boolean passkeyRequired() {
            if (!usable(username)) {
                return false;
            }
            if (userRequirements != null) {
                return both(userRequirements).passkeyRequired();
            }
            Boolean known = passkeyRequired;
            if (known == null) {
                known = passkeyRequiredForUser.test(username);
                passkeyRequired = known;
            }
            return known;
        }

        private UserRequirements both(Function<String, UserRequirements> lookup) {
            UserRequirements known = both;
            if (known == null) {
                known = Objects.requireNonNull(lookup.apply(username), "user requirements must not be null");
                both = known;
            }
            return known;
        }
    }

    private static boolean usable(String username) {
        return !username.isBlank() && username.length() <= MAX_USERNAME_LENGTH;
    }

    /**
     * Whether {@code acr_values} (space-separated, OIDC Core §3.1.2.1) asks for one of the values. Fails closed: an
     * over-long value (refused by the endpoint's validator) is read as asking for it.
     */
    private static boolean asks(@Nullable String acrValues, Set<String> values) {
        return acrValues != null
                && (acrValues.length() > MAX_ACR_VALUES_LENGTH
                        || Arrays.stream(acrValues.split(" ")).anyMatch(values::contains));
    }

    private boolean clientSetting(@Nullable String clientId, String setting) {
        if (clientId == null || clientId.isEmpty() || clientId.length() > MAX_USERNAME_LENGTH) {
            return false;
        }
        RegisteredClient client = clients.findByClientId(clientId);
        return client != null && Boolean.TRUE.equals(client.getClientSettings().getSetting(setting));
    }

    /**
     * Whether an authentication carries every factor of a multi-factor sign-in: a passkey (user verification
     * required), or the password and a one-time code.
     *
     * @param authentication the authentication
     * @return {@code true} with the passkey factor, else the decision of Spring Security's {@link
     *     AllRequiredFactorsAuthorizationManager}
     */
    public boolean hasAllFactors(Authentication authentication) {
        if (hasPasskeyFactor(authentication)) {
            return true;
        }
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
        return hasFactor(authentication, OTP_AUTHORITY);
    }

    /**
     * Whether an authentication carries the passkey factor ({@link #PASSKEY_AUTHORITY}).
     *
     * @param authentication the authentication
     * @return {@code true} if it does
     */
    public static boolean hasPasskeyFactor(Authentication authentication) {
        return hasFactor(authentication, PASSKEY_AUTHORITY);
    }

    private static boolean hasFactor(Authentication authentication, String factor) {
        for (GrantedAuthority a : authentication.getAuthorities()) {
            if (factor.equals(a.getAuthority())) {
                return true;
            }
        }
        return false;
    }
}
