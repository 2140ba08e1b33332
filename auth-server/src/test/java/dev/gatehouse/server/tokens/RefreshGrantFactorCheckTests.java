package dev.gatehouse.server.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.mfa.InMemoryTotpFactorStore;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.server.mfa.MfaPolicy;
import java.security.Principal;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.server.authorization.InMemoryOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2RefreshTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/**
 * The refresh grant holds a client's factor requirement switched on after the refresh token was issued: {@code
 * invalid_grant} (RFC 6749 §5.2) before Spring Authorization Server's provider generates or stores anything.
 */
class RefreshGrantFactorCheckTests {

    private static final Instant SIGNED_IN = Instant.parse("2026-01-01T00:00:00Z");

    private final InMemoryRegisteredClientRepository clients = new InMemoryRegisteredClientRepository(client(false));
    private final InMemoryOAuth2AuthorizationService authorizations = new InMemoryOAuth2AuthorizationService();
    private final AtomicInteger delegated = new AtomicInteger();
    private final AuthenticationProvider springs = new AuthenticationProvider() {
        @Override
        public Authentication authenticate(Authentication authentication) {
            delegated.incrementAndGet();
            return new TestingAuthenticationToken("issued", null);
        }

        @Override
        public boolean supports(Class<?> authentication) {
            return true;
        }
    };
    private final RefreshGrantFactorCheck check = new RefreshGrantFactorCheck(
            authorizations,
            springs,
            new MfaPolicy(
                    TotpService.builder()
                            .issuer("Test")
                            .envelope(Envelope.of(MasterKey.generate(new SecureRandom())))
                            .store(new InMemoryTotpFactorStore())
                            .build(),
                    clients));

    private static RegisteredClient client(boolean requirePhishingResistant) {
        ClientSettings.Builder settings = ClientSettings.builder();
        if (requirePhishingResistant) {
            settings.setting(MfaPolicy.REQUIRE_PHISHING_RESISTANT_SETTING, true);
        }
        return RegisteredClient.withId("app-id")
                .clientId("app")
                .clientSecret("{noop}unused")
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .redirectUri("https://app.example/cb")
                .scope("read")
                .clientSettings(settings.build())
                .build();
    }

    /** Stores an authorization of {@code app} for alice, signed in with these factors, and returns its refresh token. */
    private String refreshToken(String value, String... factors) {
        List<GrantedAuthority> authorities = new ArrayList<>();
        for (String factor : factors) {
            authorities.add(FactorGrantedAuthority.withAuthority(factor)
                    .issuedAt(SIGNED_IN)
                    .build());
        }
        Authentication alice = UsernamePasswordAuthenticationToken.authenticated("alice", null, authorities);
        authorizations.save(OAuth2Authorization.withRegisteredClient(clients.findByClientId("app"))
                .principalName("alice")
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizedScopes(Set.of("read"))
                .attribute(Principal.class.getName(), alice)
                .accessToken(new OAuth2AccessToken(
                        OAuth2AccessToken.TokenType.BEARER,
                        value + "-access",
                        SIGNED_IN,
                        SIGNED_IN.plusSeconds(600),
                        Set.of("read")))
                .refreshToken(new OAuth2RefreshToken(value, SIGNED_IN, SIGNED_IN.plusSeconds(86400)))
                .build());
        return value;
    }

    private OAuth2RefreshTokenAuthenticationToken refresh(String token) {
        RegisteredClient app = clients.findByClientId("app");
        return new OAuth2RefreshTokenAuthenticationToken(
                token,
                new OAuth2ClientAuthenticationToken(app, ClientAuthenticationMethod.CLIENT_SECRET_BASIC, null),
                Set.of(),
                null);
    }

    private void requirePhishingResistant() {
        clients.save(client(true));
    }

    @Test
    void authenticateWhenClientNowRequiresPhishingResistantAndSignInHadPasswordAndOtpThenInvalidGrant() {
        String token = refreshToken("totp-refresh", FactorGrantedAuthority.PASSWORD_AUTHORITY, MfaPolicy.OTP_AUTHORITY);
        assertThat(check.authenticate(refresh(token))).isNotNull();

        requirePhishingResistant();

        assertThatThrownBy(() -> check.authenticate(refresh(token)))
                .isInstanceOfSatisfying(
                        OAuth2AuthenticationException.class,
                        e -> assertThat(e.getError().getErrorCode()).isEqualTo("invalid_grant"));
        assertThat(delegated).hasValue(1);
    }

    @Test
    void authenticateWhenClientNowRequiresPhishingResistantAndSignInHadPasskeyThenDelegated() {
        String token = refreshToken("passkey-refresh", MfaPolicy.PASSKEY_AUTHORITY);
        requirePhishingResistant();

        assertThat(check.authenticate(refresh(token))).isNotNull();
        assertThat(delegated).hasValue(1);
    }

    @Test
    void authenticateWhenRefreshTokenUnknownThenInvalidGrantWithoutDelegating() {
        assertThatThrownBy(() -> check.authenticate(refresh("unknown")))
                .isInstanceOfSatisfying(
                        OAuth2AuthenticationException.class,
                        e -> assertThat(e.getError().getErrorCode()).isEqualTo("invalid_grant"));
        assertThat(delegated).hasValue(0);
    }

    @Test
    void supportsWhenRefreshTokenGrantThenTrueElseFalse() {
        assertThat(check.supports(OAuth2RefreshTokenAuthenticationToken.class)).isTrue();
        assertThat(check.supports(UsernamePasswordAuthenticationToken.class)).isFalse();
    }
}
