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
