package dev.gatehouse.server.signin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.endpoint.PkceParameterNames;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * The OIDC checks Spring Authorization Server leaves alone: PKCE challenge shape, single-valued and well-formed
 * {@code prompt}/{@code max_age}/{@code acr_values}, {@code prompt=none} without a fresh enough session, missing
 * factors; errors go only to a registered redirect URI.
 */
class AuthenticationRequestValidatorTests {

    private static final String REDIRECT = "https://app.example/cb";
    /** BASE64URL(SHA256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")), RFC 7636 Appendix B. */
    private static final String S256_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    private static final RegisteredClient CLIENT = RegisteredClient.withId("app-id")
            .clientId("app")
            .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
            .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
            .redirectUri(REDIRECT)
            .scope("openid")
            .scope("profile")
            .build();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
    private final AtomicReference<Boolean> factorMissing = new AtomicReference<>(false);
    private final AuthenticationRequestValidator validator = AuthenticationRequestValidator.forAuthorizationEndpoint(
            clock, (user, clientId, acr) -> factorMissing.get());

    private static Authentication signedInAt(Instant at) {
        return UsernamePasswordAuthenticationToken.authenticated(
                "alice",
                null,
                List.of(FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.PASSWORD_AUTHORITY)
                        .issuedAt(at)
                        .build()));
    }

    private static Authentication anonymous() {
        return new AnonymousAuthenticationToken(
                "key", "anonymousUser", AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));
    }

    private static OAuth2AuthorizationCodeRequestAuthenticationContext context(
            Authentication principal, @Nullable String redirectUri, Set<String> scopes, Map<String, Object> params) {
        Map<String, Object> parameters = new HashMap<>(params);
        parameters.putIfAbsent(PkceParameterNames.CODE_CHALLENGE, S256_CHALLENGE);
        parameters.putIfAbsent(PkceParameterNames.CODE_CHALLENGE_METHOD, "S256");
        OAuth2AuthorizationCodeRequestAuthenticationToken request =
                new OAuth2AuthorizationCodeRequestAuthenticationToken(
                        "https://issuer.example/oauth2/authorize",
                        "app",
                        principal,
                        redirectUri,
                        "state-1",
                        scopes,
                        parameters);
        return OAuth2AuthorizationCodeRequestAuthenticationContext.with(request)
                .registeredClient(CLIENT)
                .build();
    }

    private static OAuth2AuthorizationCodeRequestAuthenticationContext context(
            Authentication principal, Map<String, Object> params) {
        return context(principal, REDIRECT, Set.of("openid"), params);
    }

    private static void assertRefused(
            Consumer<OAuth2AuthorizationCodeRequestAuthenticationContext> validator,
            OAuth2AuthorizationCodeRequestAuthenticationContext context,
            String errorCode,
            String description) {
        assertThatThrownBy(() -> validator.accept(context))
                .isInstanceOfSatisfying(OAuth2AuthorizationCodeRequestAuthenticationException.class, e -> {
                    assertThat(e.getError().getErrorCode()).isEqualTo(errorCode);
                    assertThat(e.getError().getDescription()).contains(description);
                });
    }

    @Test
    void acceptWhenWellFormedRequestOfASignedInUserThenPasses() {
        assertThatCode(() -> validator.accept(
                        context(signedInAt(clock.instant()), Map.of("prompt", "consent", "max_age", "300"))))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"a", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cMM"
            })
    void acceptWhenS256ChallengeIsNot43CharactersThenInvalidRequest(String challenge) {
        assertRefused(
                validator,
                context(signedInAt(clock.instant()), Map.of(PkceParameterNames.CODE_CHALLENGE, challenge)),
                "invalid_request",
                "code_challenge");
    }

    @Test
    void acceptWhenS256ChallengeHasCharactersOutsideBase64UrlThenInvalidRequestWithThePkceErrorUri() {
        // Standard Base64 ('+', '/', '=') is not what RFC 7636 §4.2 asks for.
        String standardBase64 = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+c/";
        assertThatThrownBy(() -> validator.accept(context(
                        signedInAt(clock.instant()), Map.of(PkceParameterNames.CODE_CHALLENGE, standardBase64))))
                .isInstanceOfSatisfying(
                        OAuth2AuthorizationCodeRequestAuthenticationException.class,
                        e -> assertThat(e.getError().getUri()).endsWith("rfc7636#section-4.4.1"));
    }

    @Test
    void acceptWhenPlainMethodThenTheChallengeShapeIsLeftToSpringAuthorizationServer() {
        assertThatCode(() -> validator.accept(context(
                        signedInAt(clock.instant()),
                        Map.of(
                                PkceParameterNames.CODE_CHALLENGE, "short",
                                PkceParameterNames.CODE_CHALLENGE_METHOD, "plain"))))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"prompt", "max_age", "acr_values"})
    void acceptWhenSingleValuedParameterRepeatedThenInvalidRequest(String name) {
        assertRefused(
                validator,
                context(signedInAt(clock.instant()), Map.of(name, new String[] {"login", "none"})),
                "invalid_request",
                name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nonce", "login_hint", "ui_locales", "claims"})
    void acceptWhenAnyOtherParameterRepeatedThenInvalidRequestNamingIt(String name) {
        assertRefused(
                validator,
                context(signedInAt(clock.instant()), Map.of(name, new String[] {"a", "b"})),
                "invalid_request",
                "repeated: " + name);
        assertRefused(
                AuthenticationRequestValidator.forPushedRequests(),
                context(signedInAt(clock.instant()), Map.of(name, new String[] {"a", "b"})),
                "invalid_request",
                "repeated: " + name);
    }

    @Test
    void acceptWhenRepeatedParameterNameNotPlainThenInvalidRequestWithoutEchoingIt() {
        String name = "x\"\n" + "y".repeat(100);
        assertThatThrownBy(() ->
                        validator.accept(context(signedInAt(clock.instant()), Map.of(name, new String[] {"a", "b"}))))
                .isInstanceOfSatisfying(OAuth2AuthorizationCodeRequestAuthenticationException.class, e -> {
                    assertThat(e.getError().getErrorCode()).isEqualTo("invalid_request");
                    assertThat(e.getError().getDescription()).isEqualTo("OAuth 2.0 Parameter repeated");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"none login", "login none", "none consent"})
    void acceptWhenPromptNoneCombinedWithAnotherValueThenInvalidRequest(String prompt) {
        assertRefused(
                validator, context(signedInAt(clock.instant()), Map.of("prompt", prompt)), "invalid_request", "prompt");
    }

    @Test
    void acceptWhenPromptNoneCombinedWithoutOpenidThenStillInvalidRequest() {
        assertRefused(
                validator,
                context(signedInAt(clock.instant()), REDIRECT, Set.of("profile"), Map.of("prompt", "none login")),
                "invalid_request",
                "prompt");
    }

    @Test
    void acceptWhenPromptLongerThanReadThenInvalidRequestRatherThanIgnored() {
        assertRefused(
                validator,
                context(signedInAt(clock.instant()), Map.of("prompt", "login " + "x".repeat(100))),
                "invalid_request",
                "prompt");
    }

    @Test
    void acceptWhenAcrValuesLongerThanReadThenInvalidRequest() {
        assertRefused(
                validator,
                context(signedInAt(clock.instant()), Map.of("acr_values", "x".repeat(1001))),
                "invalid_request",
                "acr_values");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1.5", "abc", "", " 5", "12345678901", "+5"})
    void acceptWhenMaxAgeNotANonNegativeIntegerThenInvalidRequest(String maxAge) {
        assertRefused(
                validator,
                context(signedInAt(clock.instant()), Map.of("max_age", maxAge)),
                "invalid_request",
                "max_age");
    }

    @Test
    void acceptWhenPromptNoneAndNobodySignedInThenLoginRequired() {
        assertRefused(validator, context(anonymous(), Map.of("prompt", "none")), "login_required", "prompt=none");
    }

    @Test
    void acceptWhenPromptNoneWithoutOpenidThenLeftToTheOAuthFlow() {
        assertThatCode(() ->
                        validator.accept(context(anonymous(), REDIRECT, Set.of("profile"), Map.of("prompt", "none"))))
                .doesNotThrowAnyException();
    }

    @Test
    void acceptWhenPromptNoneAndSignInOlderThanMaxAgeThenLoginRequired() {
        Authentication alice = signedInAt(clock.instant());
        clock.advance(Duration.ofSeconds(301));

        assertRefused(
                validator,
                context(alice, Map.of("prompt", "none", "max_age", "300")),
                "login_required",
                "older than max_age");
    }

    @Test
    void acceptWhenPromptNoneAndSignInExactlyMaxAgeOldThenPasses() {
        Authentication alice = signedInAt(clock.instant());
        clock.advance(Duration.ofSeconds(300));

        assertThatCode(() -> validator.accept(context(alice, Map.of("prompt", "none", "max_age", "300"))))
                .doesNotThrowAnyException();
    }

    @Test
    void acceptWhenPromptNoneAndSignInHasNoFactorTimeThenLoginRequired() {
        Authentication noFactor = UsernamePasswordAuthenticationToken.authenticated("alice", null, List.of());

        assertRefused(
                validator,
                context(noFactor, Map.of("prompt", "none", "max_age", "3600")),
                "login_required",
                "older than max_age");
    }

    @Test
    void acceptWhenSignedInUserLacksARequiredFactorThenInteractionRequired() {
        factorMissing.set(true);

        assertRefused(
                validator,
                context(signedInAt(clock.instant()), Map.of()),
                "interaction_required",
                "further sign-in step");
        assertRefused(
                validator,
                context(signedInAt(clock.instant()), Map.of("prompt", "none")),
                "interaction_required",
                "(prompt=none)");
    }

    @Test
    void acceptWhenAnonymousThenTheFactorCheckIsNotAsked() {
        AuthenticationRequestValidator strict =
                AuthenticationRequestValidator.forAuthorizationEndpoint(clock, (user, clientId, acr) -> {
                    throw new AssertionError("asked about " + user);
                });

        assertThatCode(() -> strict.accept(context(anonymous(), Map.of()))).doesNotThrowAnyException();
    }

    @Test
    void acceptWhenFactorCheckAskedThenItGetsTheClientAndAcrValues() {
        AtomicReference<String> asked = new AtomicReference<>();
        AuthenticationRequestValidator recording =
                AuthenticationRequestValidator.forAuthorizationEndpoint(clock, (user, clientId, acr) -> {
                    asked.set(user.getName() + "|" + clientId + "|" + acr);
                    return false;
                });

        recording.accept(context(signedInAt(clock.instant()), Map.of("acr_values", "mfa")));

        assertThat(asked.get()).isEqualTo("alice|app|mfa");
    }

    @Test
    void acceptWhenRequestHasNoRedirectUriThenTheErrorGoesToTheOnlyRegisteredOne() {
        assertThatThrownBy(
                        () -> validator.accept(context(anonymous(), null, Set.of("openid"), Map.of("prompt", "none"))))
                .isInstanceOfSatisfying(
                        OAuth2AuthorizationCodeRequestAuthenticationException.class,
                        e -> assertThat(e.getAuthorizationCodeRequestAuthentication()
                                        .getRedirectUri())
                                .isEqualTo(REDIRECT));
    }

    @Test
    void forPushedRequestsWhenPromptNoneFromTheClientThenOnlyChallengeAndMaxAgeAreChecked() {
        Consumer<OAuth2AuthorizationCodeRequestAuthenticationContext> pushed =
                AuthenticationRequestValidator.forPushedRequests();

        // The principal at the PAR endpoint is the client: prompt=none is for the authorization endpoint to judge.
        assertThatCode(() -> pushed.accept(context(anonymous(), Map.of("prompt", "none"))))
                .doesNotThrowAnyException();
        assertRefused(
                pushed,
                context(anonymous(), Map.of(PkceParameterNames.CODE_CHALLENGE, "short")),
                "invalid_request",
                "code_challenge");
        assertRefused(pushed, context(anonymous(), Map.of("max_age", "-1")), "invalid_request", "max_age");
    }

    @Test
    void afterDefaultsWhenRedirectUriUnregisteredThenRefusedBeforeAnyErrorIsRedirected() {
        // A bad challenge too: the redirect URI is checked first, and its error is never sent to that URI.
        assertThatThrownBy(() -> validator
                        .afterDefaults()
                        .accept(context(
                                signedInAt(clock.instant()),
                                "https://attacker.example/cb",
                                Set.of("openid"),
                                Map.of(PkceParameterNames.CODE_CHALLENGE, "short"))))
                .isInstanceOfSatisfying(OAuth2AuthorizationCodeRequestAuthenticationException.class, e -> {
                    assertThat(e.getError().getDescription()).contains("redirect_uri");
                    assertThat(e.getAuthorizationCodeRequestAuthentication().getRedirectUri())
                            .isNull();
                });
    }

    @Test
    void afterDefaultsWhenLoopbackRedirectHasAnOutOfRangePortThenInvalidRequestNotAServerError() {
        assertThatThrownBy(() -> validator
                        .afterDefaults()
                        .accept(context(
                                signedInAt(clock.instant()), "http://127.0.0.1:99999/cb", Set.of("openid"), Map.of())))
                .isInstanceOfSatisfying(
                        OAuth2AuthorizationCodeRequestAuthenticationException.class,
                        e -> assertThat(e.getError().getErrorCode()).isEqualTo("invalid_request"));
    }

    @Test
    void afterDefaultsWhenScopeNotRegisteredThenInvalidScopeBeforeThePromptChecks() {
        assertRefused(
                validator.afterDefaults(),
                context(anonymous(), REDIRECT, Set.of("openid", "admin"), Map.of("prompt", "none")),
                "invalid_scope",
                "scope");
    }
}
