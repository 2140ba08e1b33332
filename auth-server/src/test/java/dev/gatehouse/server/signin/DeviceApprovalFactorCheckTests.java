package dev.gatehouse.server.signin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2UserCode;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.InMemoryOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2DeviceAuthorizationConsentAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2DeviceVerificationAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

class DeviceApprovalFactorCheckTests {

    private static final String USER_CODE = "BCDF-GHJK";
    private static final String STATE = "consent-state";

    private final InMemoryOAuth2AuthorizationService authorizations = new InMemoryOAuth2AuthorizationService();
    private final RegisteredClient tv = RegisteredClient.withId("tv-id")
            .clientId("tv")
            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
            .authorizationGrantType(AuthorizationGrantType.DEVICE_CODE)
            .build();
    private final InMemoryRegisteredClientRepository clients = new InMemoryRegisteredClientRepository(tv);
    private final Authentication user = UsernamePasswordAuthenticationToken.authenticated(
            "alice", null, AuthorityUtils.createAuthorityList("FACTOR_PASSWORD"));
    private final List<Authentication> delegated = new ArrayList<>();
    private final AuthenticationProvider sas = new AuthenticationProvider() {
        @Override
        public Authentication authenticate(Authentication authentication) {
            delegated.add(authentication);
            return authentication;
        }

        @Override
        public boolean supports(Class<?> authentication) {
            return OAuth2DeviceVerificationAuthenticationToken.class.isAssignableFrom(authentication)
                    || OAuth2DeviceAuthorizationConsentAuthenticationToken.class.isAssignableFrom(authentication);
        }
    };

    @BeforeEach
    void deviceAuthorizationOfTv() {
        Instant now = Instant.now();
        authorizations.save(OAuth2Authorization.withRegisteredClient(tv)
                .principalName("tv")
                .authorizationGrantType(AuthorizationGrantType.DEVICE_CODE)
                .token(new OAuth2UserCode(USER_CODE, now, now.plusSeconds(300)))
                .attribute(OAuth2ParameterNames.STATE, STATE)
                .build());
    }

    @Test
    void verificationWhenClientNeedsFactorTheUserLacksThenRefusedBeforeSas() {
        AuthenticationProvider checked = DeviceApprovalFactorCheck.wrap(
                sas, authorizations, clients, (u, clientId, acr) -> "tv".equals(clientId));
        assertThatThrownBy(() -> checked.authenticate(
                        new OAuth2DeviceVerificationAuthenticationToken(user, USER_CODE, Map.of())))
                .isInstanceOfSatisfying(
                        OAuth2AuthenticationException.class,
                        e -> assertThat(e.getError().getErrorCode()).isEqualTo("interaction_required"));
        assertThat(delegated).isEmpty();
    }

    @Test
    void consentWhenClientNeedsFactorTheUserLacksThenRefusedWhateverUserCodeThePostCarries() {
        AuthenticationProvider checked = DeviceApprovalFactorCheck.wrap(
                sas, authorizations, clients, (u, clientId, acr) -> "tv".equals(clientId));
        // The consent is found by its state, as Spring Authorization Server finds it; the posted code is not used.
        assertThatThrownBy(() -> checked.authenticate(new OAuth2DeviceAuthorizationConsentAuthenticationToken(
                        "https://issuer/oauth2/device_verification",
                        "tv",
                        user,
                        "ZZZZ-ZZZZ",
                        STATE,
                        Set.of(),
                        Map.of())))
                .isInstanceOf(OAuth2AuthenticationException.class);
        assertThat(delegated).isEmpty();
    }

    @Test
    void verificationWhenNoFactorMissingThenSasDecides() {
        AuthenticationProvider checked =
                DeviceApprovalFactorCheck.wrap(sas, authorizations, clients, (u, clientId, acr) -> false);
        checked.authenticate(new OAuth2DeviceVerificationAuthenticationToken(user, USER_CODE, Map.of()));
        assertThat(delegated).hasSize(1);
    }

    @Test
    void verificationWhenCodeUnknownThenSasRefusesIt() {
        AuthenticationProvider checked =
                DeviceApprovalFactorCheck.wrap(sas, authorizations, clients, (u, clientId, acr) -> true);
        checked.authenticate(new OAuth2DeviceVerificationAuthenticationToken(user, "XXXX-XXXX", Map.of()));
        assertThat(delegated).hasSize(1); // OAuth2DeviceVerificationAuthenticationProvider: invalid_grant
    }

    @Test
    void wrapWhenProviderOfAnotherTokenThenUnchanged() {
        AuthenticationProvider other = new AuthenticationProvider() {
            @Override
            public Authentication authenticate(Authentication authentication) {
                return authentication;
            }

            @Override
            public boolean supports(Class<?> authentication) {
                return false;
            }
        };
        assertThat(DeviceApprovalFactorCheck.wrap(other, authorizations, clients, (u, c, a) -> true))
                .isSameAs(other);
    }
}
