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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenExchangeAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenExchangeAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenExchangeCompositeAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContext;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.OAuth2AccessTokenGenerator;

/**
 * RFC 8693 token exchange in front of Spring Authorization Server's own provider (real, with opaque tokens and an
 * in-memory authorization store): an exchange may narrow a user's token for the client it was issued to or for, never
 * widen it or take another client's token; invalid subject or actor tokens are {@code invalid_request}.
 */
class TokenExchangeConstraintsTests {

    private static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    private static final String ISSUER = "https://issuer.example";

    private static final RegisteredClient FRONTEND = RegisteredClient.withId("frontend-id")
            .clientId("frontend")
            .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
            .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
            .redirectUri("https://frontend.example/callback")
            .scope("read")
            .scope("write")
            .build();

    private static final RegisteredClient BACKEND = exchanger("backend");
    private static final RegisteredClient OTHER = exchanger("other");
    private static final RegisteredClient MFA_BACKEND = exchanger("mfa-backend", MfaPolicy.REQUIRE_MFA_SETTING);
    private static final RegisteredClient PHR_BACKEND =
            exchanger("phr-backend", MfaPolicy.REQUIRE_PHISHING_RESISTANT_SETTING);

    private final InMemoryOAuth2AuthorizationService authorizations = new InMemoryOAuth2AuthorizationService();
    private final MfaPolicy policy = new MfaPolicy(
            TotpService.builder()
                    .issuer("Test")
                    .envelope(Envelope.of(MasterKey.generate(new SecureRandom())))
                    .store(new InMemoryTotpFactorStore())
                    .build(),
            new InMemoryRegisteredClientRepository(FRONTEND, BACKEND, OTHER, MFA_BACKEND, PHR_BACKEND));
    private final TokenExchangeConstraints constraints = new TokenExchangeConstraints(
            authorizations,
            new OAuth2TokenExchangeAuthenticationProvider(authorizations, new OAuth2AccessTokenGenerator()),
            policy);

    /** Spring Authorization Server's provider reads the issuer from the request's context, which a filter sets. */
    @BeforeEach
    void authorizationServerContext() {
        AuthorizationServerSettings settings =
                AuthorizationServerSettings.builder().issuer(ISSUER).build();
        AuthorizationServerContextHolder.setContext(new AuthorizationServerContext() {
            @Override
            public String getIssuer() {
                return ISSUER;
            }

            @Override
            public AuthorizationServerSettings getAuthorizationServerSettings() {
                return settings;
            }
        });
    }

    @AfterEach
    void resetContext() {
        AuthorizationServerContextHolder.resetContext();
    }

    /** A client allowed to exchange, registered for more scopes than the user's token holds. */
    private static RegisteredClient exchanger(String clientId, String... requiredSettings) {
        ClientSettings.Builder settings = ClientSettings.builder();
        for (String setting : requiredSettings) {
            settings.setting(setting, true);
        }
        return RegisteredClient.withId(clientId + "-id")
                .clientSettings(settings.build())
                .clientId(clientId)
                .clientSecret("{noop}unused-" + clientId)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.TOKEN_EXCHANGE)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scope("read")
                .scope("write")
                .scope("admin")
                .tokenSettings(TokenSettings.builder()
                        .accessTokenFormat(OAuth2TokenFormat.REFERENCE)
                        .build())
                .build();
    }

    /** Stores a user's access token issued to {@code client}, with the given claims, and returns its value. */
    private String userToken(
            String value, RegisteredClient client, Map<String, Object> claims, Instant expiresAt, String... scopes) {
        return userToken(
                value,
                client,
                claims,
                expiresAt,
                UsernamePasswordAuthenticationToken.authenticated("alice", null, List.of()),
                scopes);
    }

    /** As above, for the sign-in {@code alice}: its factor authorities are what an exchange's requirements read. */
    private String userToken(
            String value,
            RegisteredClient client,
            Map<String, Object> claims,
            Instant expiresAt,
            Authentication alice,
            String... scopes) {
        Instant issuedAt = expiresAt.minusSeconds(600);
        Map<String, Object> all = new HashMap<>(claims);
        all.putIfAbsent("sub", "alice");
        all.putIfAbsent("client_id", client.getClientId());
        authorizations.save(OAuth2Authorization.withRegisteredClient(client)
                .principalName("alice")
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizedScopes(Set.of(scopes))
                .attribute(Principal.class.getName(), alice)
                .token(
                        new OAuth2AccessToken(
                                OAuth2AccessToken.TokenType.BEARER, value, issuedAt, expiresAt, Set.of(scopes)),
                        metadata -> metadata.put(OAuth2Authorization.Token.CLAIMS_METADATA_NAME, all))
                .refreshToken(new OAuth2RefreshToken(value + "-refresh", issuedAt, expiresAt.plusSeconds(3600)))
                .build());
        return value;
    }

    private String userToken(String value, Map<String, Object> claims, String... scopes) {
        return userToken(value, FRONTEND, claims, inTenMinutes(), scopes);
    }

    /** Stores a client's own access token (client credentials: no user behind it). */
    private String clientToken(String value, RegisteredClient client) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        authorizations.save(OAuth2Authorization.withRegisteredClient(client)
                .principalName(client.getClientId())
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .authorizedScopes(Set.of("read"))
                .token(
                        new OAuth2AccessToken(
                                OAuth2AccessToken.TokenType.BEARER, value, now, now.plusSeconds(600), Set.of("read")),
                        metadata -> metadata.put(
                                OAuth2Authorization.Token.CLAIMS_METADATA_NAME,
                                new HashMap<>(Map.of(
                                        "iss",
                                        ISSUER,
                                        "sub",
                                        client.getClientId(),
                                        "client_id",
                                        client.getClientId()))))
                .build());
        return value;
    }

    private static Instant inTenMinutes() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(600);
    }

    private static OAuth2TokenExchangeAuthenticationToken exchange(
            RegisteredClient client, String subjectToken, @Nullable String actorToken, String... scopes) {
        return new OAuth2TokenExchangeAuthenticationToken(
                ACCESS_TOKEN_TYPE,
                subjectToken,
                ACCESS_TOKEN_TYPE,
                new OAuth2ClientAuthenticationToken(client, ClientAuthenticationMethod.CLIENT_SECRET_BASIC, null),
                actorToken,
                actorToken == null ? null : ACCESS_TOKEN_TYPE,
                null,
                null,
                Set.of(scopes),
                null);
    }

    private static void assertRefused(Runnable call, String errorCode) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        OAuth2AuthenticationException.class,
                        e -> assertThat(e.getError().getErrorCode()).isEqualTo(errorCode));
    }

    @Test
    void authenticateWhenSubjectTokenNamesTheClientInAudienceAndScopesNarrowThenIssuedForTheUser() {
        String subject = userToken("user-token", Map.of("aud", List.of("frontend", "backend")), "read", "write");

        Authentication result = constraints.authenticate(exchange(BACKEND, subject, null, "read"));

        assertThat(result).isInstanceOf(OAuth2AccessTokenAuthenticationToken.class);
        OAuth2AccessToken issued = ((OAuth2AccessTokenAuthenticationToken) result).getAccessToken();
        assertThat(issued.getScopes()).containsExactly("read");
        OAuth2Authorization stored = authorizations.findByToken(issued.getTokenValue(), OAuth2TokenType.ACCESS_TOKEN);
        assertThat(stored).isNotNull();
        assertThat(stored.getPrincipalName()).isEqualTo("alice");
        assertThat(stored.getRegisteredClientId()).isEqualTo(BACKEND.getId());
    }

    @Test
    void authenticateWhenSubjectTokenWasIssuedToTheClientItselfThenIssued() {
        String subject = userToken("own-token", BACKEND, Map.of("aud", "backend"), inTenMinutes(), "read", "write");

        Authentication result = constraints.authenticate(exchange(BACKEND, subject, null, "read", "write"));

        assertThat(((OAuth2AccessTokenAuthenticationToken) result)
                        .getAccessToken()
                        .getScopes())
                .containsExactlyInAnyOrder("read", "write");
    }

    @Test
    void authenticateWhenAudienceIsASingleStringNamingTheClientThenIssued() {
        String subject = userToken("user-token", Map.of("aud", "backend"), "read");

        assertThat(constraints.authenticate(exchange(BACKEND, subject, null, "read")))
                .isInstanceOf(OAuth2AccessTokenAuthenticationToken.class);
    }

    @Test
    void authenticateWhenRequestedScopeWidensTheSubjectTokenThenInvalidScope() {
        // The client is registered for admin, so Spring Authorization Server alone would grant it.
        String subject = userToken("user-token", Map.of("aud", List.of("backend")), "read", "write");

        assertRefused(
                () -> constraints.authenticate(exchange(BACKEND, subject, null, "read", "admin")), "invalid_scope");
    }

    @Test
    void authenticateWhenNoScopeRequestedThenInvalidScopeRatherThanTheClientsDefaults() {
        String subject = userToken("user-token", Map.of("aud", List.of("backend")), "read");

        assertRefused(() -> constraints.authenticate(exchange(BACKEND, subject, null)), "invalid_scope");
    }

    @Test
    void authenticateWhenSubjectTokenBelongsToAnotherClientAndAudienceThenInvalidRequest() {
        String subject = userToken("user-token", Map.of("aud", List.of("frontend", "backend")), "read", "write");

        assertRefused(() -> constraints.authenticate(exchange(OTHER, subject, null, "read")), "invalid_request");
    }

    @Test
    void authenticateWhenSubjectTokenHasNoAudienceAndAnotherClientIdThenInvalidRequest() {
        String subject = userToken("user-token", Map.of(), "read");

        assertRefused(() -> constraints.authenticate(exchange(BACKEND, subject, null, "read")), "invalid_request");
    }

    @Test
    void authenticateWhenSubjectTokenUnknownThenInvalidRequestNotInvalidGrant() {
        assertRefused(
                () -> constraints.authenticate(exchange(BACKEND, "forged-token", null, "read")), "invalid_request");
    }

    @Test
    void authenticateWhenSubjectTokenIsARefreshTokenThenInvalidRequest() {
        userToken("user-token", Map.of("aud", List.of("backend")), "read");

        assertRefused(
                () -> constraints.authenticate(exchange(BACKEND, "user-token-refresh", null, "read")),
                "invalid_request");
    }

    @Test
    void authenticateWhenSubjectTokenExpiredThenInvalidRequest() {
        String subject = userToken(
                "expired-token",
                FRONTEND,
                Map.of("aud", List.of("backend")),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1),
                "read");

        assertRefused(() -> constraints.authenticate(exchange(BACKEND, subject, null, "read")), "invalid_request");
    }

    @Test
    void authenticateWhenSubjectTokenRevokedThenInvalidRequest() {
        String subject = userToken("user-token", Map.of("aud", List.of("backend")), "read");
        OAuth2Authorization found = authorizations.findByToken(subject, OAuth2TokenType.ACCESS_TOKEN);
        authorizations.save(OAuth2Authorization.from(found)
                .invalidate(found.getAccessToken().getToken())
                .build());

        assertRefused(() -> constraints.authenticate(exchange(BACKEND, subject, null, "read")), "invalid_request");
    }

    @Test
    void authenticateWhenSubjectTokenHasNoUserBehindItThenInvalidRequest() {
        // A client-credentials token of the requesting client: it passes the audience rule, Spring Authorization
        // Server refuses it (no principal to impersonate or delegate for) with invalid_grant, answered as RFC 8693
        // asks.
        String subject = clientToken("client-token", BACKEND);

        assertRefused(() -> constraints.authenticate(exchange(BACKEND, subject, null, "read")), "invalid_request");
    }

    @Test
    void authenticateWhenMayActNamesTheActorAndItsTokenIsPresentedThenDelegationIsRecorded() {
        String actor = clientToken("actor-token", BACKEND);
        String subject = userToken(
                "user-token",
                Map.of("aud", List.of("backend"), "may_act", Map.of("iss", ISSUER, "sub", "backend")),
                "read");

        Authentication result = constraints.authenticate(exchange(BACKEND, subject, actor, "read"));

        OAuth2AccessToken issued = ((OAuth2AccessTokenAuthenticationToken) result).getAccessToken();
        OAuth2Authorization stored = authorizations.findByToken(issued.getTokenValue(), OAuth2TokenType.ACCESS_TOKEN);
        assertThat(stored.<Authentication>getAttribute(Principal.class.getName()))
                .isInstanceOfSatisfying(OAuth2TokenExchangeCompositeAuthenticationToken.class, composite -> {
                    assertThat(composite.getSubject().getName()).isEqualTo("alice");
                    assertThat(composite.getActors())
                            .singleElement()
                            .satisfies(a -> assertThat(a.getSubject()).isEqualTo("backend"));
                });
    }

    @Test
    void authenticateWhenMayActNamesAnotherActorThenInvalidRequest() {
        String actor = clientToken("actor-token", BACKEND);
        String subject = userToken(
                "user-token",
                Map.of("aud", List.of("backend"), "may_act", Map.of("iss", ISSUER, "sub", "someone-else")),
                "read");

        assertRefused(() -> constraints.authenticate(exchange(BACKEND, subject, actor, "read")), "invalid_request");
    }

    @Test
    void authenticateWhenMayActRequiresAnActorAndNoneIsPresentedThenInvalidRequest() {
        String subject = userToken(
                "user-token",
                Map.of("aud", List.of("backend"), "may_act", Map.of("iss", ISSUER, "sub", "backend")),
                "read");

        assertRefused(() -> constraints.authenticate(exchange(BACKEND, subject, null, "read")), "invalid_request");
    }

    @Test
    void authenticateWhenActorTokenUnknownThenInvalidRequest() {
        String subject = userToken("user-token", Map.of("aud", List.of("backend")), "read");

        assertRefused(
                () -> constraints.authenticate(exchange(BACKEND, subject, "forged-actor", "read")), "invalid_request");
    }

    @Test
    void authenticateWhenClientIsNotAuthenticatedThenInvalidClientFromTheWrappedProvider() {
        String subject = userToken("user-token", Map.of("aud", List.of("backend")), "read");
        OAuth2TokenExchangeAuthenticationToken anonymous = new OAuth2TokenExchangeAuthenticationToken(
                ACCESS_TOKEN_TYPE,
                subject,
                ACCESS_TOKEN_TYPE,
                new UsernamePasswordAuthenticationToken("backend", null),
                null,
                null,
                null,
                null,
                Set.of("read"),
                null);

        assertRefused(() -> constraints.authenticate(anonymous), "invalid_client");
    }

    /** Alice signed in with these factors. */
    private static Authentication alice(String... factors) {
        List<GrantedAuthority> authorities = new ArrayList<>();
        for (String factor : factors) {
            authorities.add(FactorGrantedAuthority.withAuthority(factor)
                    .issuedAt(Instant.parse("2026-01-01T00:00:00Z"))
                    .build());
        }
        return UsernamePasswordAuthenticationToken.authenticated("alice", null, authorities);
    }

    @Test
    void authenticateWhenClientRequiresMfaAndSubjectSignInHadPasswordOnlyThenInvalidRequest() {
        String subject = userToken(
                "pwd-token",
                FRONTEND,
                Map.of("aud", List.of("mfa-backend")),
                inTenMinutes(),
                alice(FactorGrantedAuthority.PASSWORD_AUTHORITY),
                "read");

        assertRefused(() -> constraints.authenticate(exchange(MFA_BACKEND, subject, null, "read")), "invalid_request");
    }

    @Test
    void authenticateWhenClientRequiresMfaAndSubjectSignInHadPasswordAndOtpThenIssued() {
        String subject = userToken(
                "mfa-token",
                FRONTEND,
                Map.of("aud", List.of("mfa-backend")),
                inTenMinutes(),
                alice(FactorGrantedAuthority.PASSWORD_AUTHORITY, MfaPolicy.OTP_AUTHORITY),
                "read");

        assertThat(constraints.authenticate(exchange(MFA_BACKEND, subject, null, "read")))
                .isInstanceOf(OAuth2AccessTokenAuthenticationToken.class);
    }

    @Test
    void authenticateWhenClientRequiresPhishingResistantAndSubjectSignInHadTotpThenInvalidRequestElsePasskeyIssued() {
        String totp = userToken(
                "totp-token",
                FRONTEND,
                Map.of("aud", List.of("phr-backend")),
                inTenMinutes(),
                alice(FactorGrantedAuthority.PASSWORD_AUTHORITY, MfaPolicy.OTP_AUTHORITY),
                "read");
        String passkey = userToken(
                "passkey-token",
                FRONTEND,
                Map.of("aud", List.of("phr-backend")),
                inTenMinutes(),
                alice(MfaPolicy.PASSKEY_AUTHORITY),
                "read");

        assertRefused(() -> constraints.authenticate(exchange(PHR_BACKEND, totp, null, "read")), "invalid_request");
        assertThat(constraints.authenticate(exchange(PHR_BACKEND, passkey, null, "read")))
                .isInstanceOf(OAuth2AccessTokenAuthenticationToken.class);
    }

    @Test
    void authenticateWhenClientRequiresMfaAndSubjectTokenHasNoUserThenInvalidRequest() {
        String subject = clientToken("mfa-client-token", MFA_BACKEND);

        assertRefused(() -> constraints.authenticate(exchange(MFA_BACKEND, subject, null, "read")), "invalid_request");
    }

    @Test
    void supportsWhenTokenExchangeThenTrueElseFalse() {
        assertThat(constraints.supports(OAuth2TokenExchangeAuthenticationToken.class))
                .isTrue();
        assertThat(constraints.supports(UsernamePasswordAuthenticationToken.class))
                .isFalse();
    }
}
