package dev.gatehouse.server.mfa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.mfa.InMemoryTotpFactorStore;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

class MfaPolicyTests {

    private final TotpService totp = TotpService.builder()
            .issuer("Test")
            .envelope(Envelope.of(MasterKey.generate(new SecureRandom())))
            .store(new InMemoryTotpFactorStore())
            .build();
    private final MfaPolicy policy =
            new MfaPolicy(totp, new InMemoryRegisteredClientRepository(client("plain", false), client("strict", true)));

    @Test
    void otpRequiredWhenUserHasNoFactorAndPlainClientThenNot() {
        assertThat(policy.otpRequired("alice", "plain", null)).isFalse();
        assertThat(policy.otpRequired("alice", null, null)).isFalse();
        assertThat(policy.otpRequired("alice", "unknown", "urn:other")).isFalse();
    }

    @Test
    void otpRequiredWhenClientRequiresMfaThenRequired() {
        assertThat(policy.otpRequired("alice", "strict", null)).isTrue();
    }

    @Test
    void otpRequiredWhenAcrValuesAskForMfaThenRequired() {
        assertThat(policy.otpRequired("alice", "plain", "urn:other " + MfaPolicy.ACR_MFA))
                .isTrue();
        assertThat(policy.otpRequired("alice", "plain", MfaPolicy.ACR_PAPE_MULTI_FACTOR))
                .isTrue();
    }

    @Test
    void otpRequiredWhenFactorPendingThenNotAndWhenConfirmedThenRequired() {
        TotpSecret key = TotpSecret.fromBase32(totp.enrol("bob", "bob").secretBase32());
        assertThat(policy.otpRequired("bob", "plain", null)).isFalse();
        totp.confirm("bob", Totp.of(TotpParameters.defaults()).code(key, Instant.now()));
        assertThat(policy.otpRequired("bob", "plain", null)).isTrue();
        assertThat(policy.hasConfirmedTotp("bob")).isTrue();
    }

    @Test
    void otpRequiredWhenOperatorRequiresItForTheUserThenRequiredOnlyForThatUser() {
        MfaPolicy perUser =
                new MfaPolicy(totp, new InMemoryRegisteredClientRepository(client("plain", false)), "carol"::equals);
        assertThat(perUser.otpRequired("carol", "plain", null)).isTrue();
        assertThat(perUser.otpRequired("carol", null, null)).isTrue();
        assertThat(perUser.otpRequired("dave", "plain", null)).isFalse();
    }

    @Test
    void otpRequiredWhenPerUserLookupFailsThenTheFailurePropagates() {
        MfaPolicy broken = new MfaPolicy(totp, new InMemoryRegisteredClientRepository(client("plain", false)), u -> {
            throw new IllegalStateException("database down");
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> broken.otpRequired("carol", "plain", null))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void hasAllFactorsWhenPasswordOnlyThenFalseAndWithOtpThenTrue() {
        Authentication password = user(FactorGrantedAuthority.PASSWORD_AUTHORITY);
        Authentication both = user(FactorGrantedAuthority.PASSWORD_AUTHORITY, MfaPolicy.OTP_AUTHORITY);
        Authentication otpOnly = user(MfaPolicy.OTP_AUTHORITY);
        assertThat(policy.hasAllFactors(password)).isFalse();
        assertThat(policy.hasAllFactors(otpOnly)).isFalse();
        assertThat(policy.hasAllFactors(both)).isTrue();
        assertThat(MfaPolicy.hasOtp(both)).isTrue();
        assertThat(MfaPolicy.hasOtp(password)).isFalse();
    }

    @Test
    void hasAllFactorsWhenOnlyRolesThenFalse() {
        Authentication roleOnly = UsernamePasswordAuthenticationToken.authenticated(
                "carol", null, List.of(new SimpleGrantedAuthority("ROLE_user")));
        assertThat(policy.hasAllFactors(roleOnly)).isFalse();
    }

    // ---------------------------------------------------------------- passkeys (issue #16)

    private final MfaPolicy withPasskeys = new MfaPolicy(
            totp,
            new InMemoryRegisteredClientRepository(
                    client("plain", false), client("strict", true), phishingResistantClient("phr")),
            u -> false,
            "pat"::equals,
            "quinn"::equals);

    @Test
    void hasAllFactorsWhenPasskeyAloneThenTrue() {
        assertThat(withPasskeys.hasAllFactors(user(MfaPolicy.PASSKEY_AUTHORITY)))
                .isTrue();
        assertThat(MfaPolicy.hasPasskeyFactor(user(MfaPolicy.PASSKEY_AUTHORITY)))
                .isTrue();
        assertThat(MfaPolicy.hasPasskeyFactor(user(FactorGrantedAuthority.PASSWORD_AUTHORITY, MfaPolicy.OTP_AUTHORITY)))
                .isFalse();
    }

    @Test
    void otpRequiredWhenUserHasAPasskeyThenRequired() {
        assertThat(withPasskeys.otpRequired("pat", "plain", null)).isTrue();
        assertThat(withPasskeys.hasPasskey("pat")).isTrue();
        assertThat(withPasskeys.otpRequired("alice", "plain", null)).isFalse();
    }

    @Test
    void phishingResistantRequiredWhenClientAcrValuesOrUserAskThenRequiredElseNot() {
        assertThat(withPasskeys.phishingResistantRequired("alice", "plain", null))
                .isFalse();
        assertThat(withPasskeys.phishingResistantRequired("alice", "strict", MfaPolicy.ACR_MFA))
                .isFalse();
        assertThat(withPasskeys.phishingResistantRequired("alice", "phr", null)).isTrue();
        assertThat(withPasskeys.phishingResistantRequired("alice", "plain", "x " + MfaPolicy.ACR_PHISHING_RESISTANT))
                .isTrue();
        assertThat(withPasskeys.phishingResistantRequired("alice", null, MfaPolicy.ACR_PAPE_PHISHING_RESISTANT))
                .isTrue();
        assertThat(withPasskeys.phishingResistantRequired("quinn", null, null)).isTrue();
        // Fail closed: an acr_values too long to read asks for it.
        assertThat(withPasskeys.phishingResistantRequired("alice", null, "x".repeat(1001)))
                .isTrue();
        // A phishing-resistant requirement is also a second-factor requirement.
        assertThat(withPasskeys.otpRequired("alice", "phr", null)).isTrue();
    }

    @Test
    void missingFactorWhenPhishingResistantOwedThenOnlyThePasskeyMeetsIt() {
        Authentication passwordAndOtp = user(FactorGrantedAuthority.PASSWORD_AUTHORITY, MfaPolicy.OTP_AUTHORITY);
        Authentication passkey = user(MfaPolicy.PASSKEY_AUTHORITY);
        assertThat(withPasskeys.missingFactor(passwordAndOtp, "phr", null)).isTrue();
        assertThat(withPasskeys.missingFactor(passwordAndOtp, "plain", MfaPolicy.ACR_PHISHING_RESISTANT))
                .isTrue();
        assertThat(withPasskeys.missingFactor(passwordAndOtp, "strict", MfaPolicy.ACR_MFA))
                .isFalse();
        assertThat(withPasskeys.missingFactor(passkey, "phr", MfaPolicy.ACR_PHISHING_RESISTANT))
                .isFalse();
        assertThat(withPasskeys.missingFactor(user(FactorGrantedAuthority.PASSWORD_AUTHORITY), "strict", null))
                .isTrue();
        assertThat(withPasskeys.missingFactor(user(FactorGrantedAuthority.PASSWORD_AUTHORITY), "plain", null))
                .isFalse();
    }

    @Test
    void phishingResistantRequiredWhenPerUserLookupFailsThenTheFailurePropagates() {
        MfaPolicy broken = new MfaPolicy(
                totp, new InMemoryRegisteredClientRepository(client("plain", false)), u -> false, u -> false, u -> {
                    throw new IllegalStateException("database down");
                });
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> broken.missingFactor(user(FactorGrantedAuthority.PASSWORD_AUTHORITY), "plain", null))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void missingFactorWhenBothOperatorFlagsComeFromOneLookupThenItIsAskedOncePerDecision() {
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        MfaPolicy policy = new MfaPolicy(
                totp,
                new InMemoryRegisteredClientRepository(client("plain", false)),
                u -> false,
                u -> {
                    lookups.incrementAndGet();
                    return new MfaPolicy.UserRequirements(u.equals("carol"), u.equals("quinn"));
                },
                true);
        Authentication password = user(FactorGrantedAuthority.PASSWORD_AUTHORITY);

        // alice: no flag; every rule is consulted (phishing-resistant twice, second factor once), one lookup
        assertThat(policy.missingFactor(password, "plain", null)).isFalse();
        assertThat(lookups).hasValue(1);
        // the next decision asks again (an operator's change applies at once)
        assertThat(policy.missingFactor(password, "plain", null)).isFalse();
        assertThat(lookups).hasValue(2);
        assertThat(policy.otpRequired("carol", "plain", null)).isTrue();
        assertThat(policy.phishingResistantRequired("quinn", "plain", null)).isTrue();
        assertThat(policy.otpRequired("quinn", "plain", null)).isTrue();
        assertThat(policy.phishingResistantRequired("carol", "plain", null)).isFalse();
    }

    @Test
    void missingFactorWhenTheOneLookupFailsThenTheFailurePropagates() {
        MfaPolicy broken = new MfaPolicy(
                totp,
                new InMemoryRegisteredClientRepository(client("plain", false)),
                u -> false,
                u -> {
                    throw new IllegalStateException("database down");
                },
                true);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> broken.missingFactor(user(FactorGrantedAuthority.PASSWORD_AUTHORITY), "plain", null))
                .isInstanceOf(IllegalStateException.class);
    }

    private static RegisteredClient phishingResistantClient(String id) {
        RegisteredClient plain = client(id, false);
        return RegisteredClient.from(plain)
                .clientSettings(
                        ClientSettings.withSettings(plain.getClientSettings().getSettings())
                                .setting(MfaPolicy.REQUIRE_PHISHING_RESISTANT_SETTING, true)
                                .build())
                .build();
    }

    private static Authentication user(String... factors) {
        return UsernamePasswordAuthenticationToken.authenticated(
                "alice",
                null,
                java.util.Arrays.stream(factors)
                        .map(f -> FactorGrantedAuthority.withAuthority(f)
                                .issuedAt(Instant.now())
                                .build())
                        .toList());
    }

    private static RegisteredClient client(String id, boolean requireMfa) {
        ClientSettings.Builder settings = ClientSettings.builder().requireProofKey(true);
        if (requireMfa) {
            settings.setting(MfaPolicy.REQUIRE_MFA_SETTING, true);
        }
        return RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(id)
                .clientSecret("{noop}" + id)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("http://127.0.0.1/cb")
                .scope("openid")
                .clientSettings(settings.build())
                .build();
    }
}
