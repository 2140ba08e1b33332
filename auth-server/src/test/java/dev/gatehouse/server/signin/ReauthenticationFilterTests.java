package dev.gatehouse.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testsupport.MutableClock;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.InMemoryOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Re-authentication for {@code prompt=login} and {@code max_age} (OIDC Core 1.0 §3.1.2.1), on mock requests with a
 * movable clock: an old sign-in is dropped and sent to the sign-in page, a sign-in made for the request lets it through
 * once (no loop), and everything else passes untouched.
 */
class ReauthenticationFilterTests {

    private static final String QUERY = "response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
            + "&scope=openid&state=s1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
            + "&code_challenge_method=S256";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
    private final ReauthenticationFilter filter = new ReauthenticationFilter(
            new AuthorizationRequestParameters(
                    new InMemoryOAuth2AuthorizationService(),
                    new InMemoryRegisteredClientRepository(RegisteredClient.withId("app-id")
                            .clientId("app")
                            .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                            .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                            .redirectUri("https://app.example/cb")
                            .scope("openid")
                            .build()),
                    PathPatternRequestMatcher.pathPattern("/oauth2/authorize"),
                    PathPatternRequestMatcher.pathPattern("/oauth2/device_verification")),
            PathPatternRequestMatcher.pathPattern("/oauth2/authorize"),
            clock);
    private final MockHttpSession session = new MockHttpSession();

    @AfterEach
    void clearContext() {
        SecurityContextHolder.clearContext();
    }

    private static Authentication signedInAt(Instant at) {
        return UsernamePasswordAuthenticationToken.authenticated(
                "alice",
                null,
                List.of(FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.PASSWORD_AUTHORITY)
                        .issuedAt(at)
                        .build()));
    }

    /** Signs in as the session and the security context filter would have: in the holder and the session. */
    private void signIn(Authentication user) {
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(user);
        SecurityContextHolder.setContext(context);
        session.setAttribute(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY, context);
    }

    private MockHttpServletRequest authorize(String extra) {
        return request("GET", "/oauth2/authorize", QUERY + extra);
    }

    private MockHttpServletRequest request(String method, String path, String query) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.setSession(session);
        if ("GET".equals(method)) {
            request.setQueryString(query); // a POST carries its parameters in the form body
        }
        for (String pair : query.split("&")) {
            String[] kv = pair.split("=", 2);
            request.addParameter(kv[0], URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
        }
        return request;
    }

    /** Runs the filter; returns the response, with the chain reached or not. */
    private Outcome run(MockHttpServletRequest request) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();
        filter.doFilter(request, response, chain);
        return new Outcome(response, chain.getRequest() != null);
    }

    private record Outcome(MockHttpServletResponse response, boolean passed) {
        void assertSentToSignIn() {
            assertThat(passed).as("the request went on").isFalse();
            assertThat(response.getRedirectedUrl()).isEqualTo("/login");
        }

        void assertPassed() {
            assertThat(passed).as("the request went on").isTrue();
            assertThat(response.getRedirectedUrl()).isNull();
        }
    }

    @Test
    void doFilterWhenNotTheAuthorizationEndpointThenPassesWithoutASession() throws Exception {
        signIn(signedInAt(clock.instant().minus(Duration.ofDays(1))));
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/userinfo");
        request.setParameter("prompt", "login");

        run(request).assertPassed();

        assertThat(request.getSession(false)).isNull();
    }

    @Test
    void doFilterWhenNeitherPromptLoginNorMaxAgeThenPassesAndKeepsTheSignIn() throws Exception {
        Authentication alice = signedInAt(clock.instant().minus(Duration.ofDays(1)));
        signIn(alice);

        run(authorize("")).assertPassed();

        assertThat(SecurityContextHolder.getContext().getAuthentication()).isSameAs(alice);
    }

    @Test
    void doFilterWhenPromptLoginAndAnEarlierSignInThenSignedOutRequestSavedAndSentToSignIn() throws Exception {
        signIn(signedInAt(clock.instant().minusSeconds(5)));

        run(authorize("&prompt=login")).assertSentToSignIn();

        assertThat(SecurityContextHolder.getContext().getAuthentication()).isNull();
        // The session keeps no sign-in either, so no earlier factor carries over into the new sign-in.
        assertThat(session.getAttribute(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY))
                .isNull();
        assertThat(session.getAttribute("SPRING_SECURITY_SAVED_REQUEST")).isNotNull();
    }

    @Test
    void doFilterWhenPromptLoginAndTheSignInWasMadeForThisRequestThenPassesOnceWithoutLooping() throws Exception {
        signIn(signedInAt(clock.instant().minusSeconds(5)));
        run(authorize("&prompt=login")).assertSentToSignIn();

        clock.advance(Duration.ofSeconds(20));
        signIn(signedInAt(clock.instant()));
        clock.advance(Duration.ofSeconds(1));
        // The saved request replays with continue added; it is the same request.
        run(authorize("&prompt=login&continue")).assertPassed();

        // Passed once: the request is forgotten, so asking again demands another sign-in.
        clock.advance(Duration.ofSeconds(1));
        run(authorize("&prompt=login")).assertSentToSignIn();
    }

    @Test
    void doFilterWhenAnonymousWithPromptLoginThenPassesToTheSignInAndThatSignInCountsAsFresh() throws Exception {
        signIn(new AnonymousAuthenticationToken(
                "key", "anonymousUser", AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS")));
        run(authorize("&prompt=login")).assertPassed();

        clock.advance(Duration.ofSeconds(30));
        signIn(signedInAt(clock.instant()));
        run(authorize("&prompt=login")).assertPassed();
    }

    @Test
    void doFilterWhenSignInOlderThanMaxAgeThenSentToSignIn() throws Exception {
        Instant signedIn = clock.instant();
        clock.advance(Duration.ofSeconds(301));
        signIn(signedInAt(signedIn));

        run(authorize("&max_age=300")).assertSentToSignIn();
    }

    @Test
    void doFilterWhenSignInWithinMaxAgeThenPasses() throws Exception {
        Instant signedIn = clock.instant();
        clock.advance(Duration.ofSeconds(300));
        signIn(signedInAt(signedIn));

        run(authorize("&max_age=300")).assertPassed();
    }

    @Test
    void doFilterWhenMaxAgeZeroThenTheSignInMadeForTheRequestPassesButOnlyWhileFresh() throws Exception {
        signIn(signedInAt(clock.instant().minusSeconds(1)));
        run(authorize("&max_age=0")).assertSentToSignIn();

        // The password and factor steps take a while; max_age=0 has run out, the sign-in is still the one asked for.
        clock.advance(Duration.ofSeconds(10));
        Authentication fresh = signedInAt(clock.instant());
        signIn(fresh);
        clock.advance(Duration.ofMinutes(2));
        run(authorize("&max_age=0")).assertPassed();
    }

    @Test
    void doFilterWhenTheSignInForTheRequestIsNoLongerFreshThenSentToSignInAgain() throws Exception {
        signIn(signedInAt(clock.instant().minusSeconds(1)));
        run(authorize("&max_age=0")).assertSentToSignIn();

        clock.advance(Duration.ofSeconds(10));
        signIn(signedInAt(clock.instant()));
        clock.advance(ReauthenticationFilter.FRESH_FOR.plusSeconds(1));
        run(authorize("&max_age=0")).assertSentToSignIn();
    }

    @Test
    void doFilterWhenSignInCarriesNoFactorTimeAndMaxAgeThenSentToSignIn() throws Exception {
        signIn(UsernamePasswordAuthenticationToken.authenticated("alice", null, List.of()));

        run(authorize("&max_age=3600")).assertSentToSignIn();
    }

    @Test
    void doFilterWhenPromptNoneThenLeftToTheValidatorEvenForAnOldSignIn() throws Exception {
        signIn(signedInAt(clock.instant().minus(Duration.ofDays(1))));

        run(authorize("&prompt=none&max_age=0")).assertPassed();
    }

    @Test
    void doFilterWhenMaxAgeInvalidThenIgnoredHereForTheValidatorToRefuse() throws Exception {
        signIn(signedInAt(clock.instant().minus(Duration.ofDays(1))));

        run(authorize("&max_age=abc")).assertPassed();
    }

    @Test
    void doFilterWhenPromptRepeatedThenLeftToSpringAuthorizationServersErrorWithoutSigningOut() throws Exception {
        Authentication alice = signedInAt(clock.instant().minus(Duration.ofDays(1)));
        signIn(alice);

        run(authorize("&prompt=login&prompt=none")).assertPassed();

        assertThat(SecurityContextHolder.getContext().getAuthentication()).isSameAs(alice);
    }

    @Test
    void doFilterWhenUnknownRequestUriThenLeftToSpringAuthorizationServersError() throws Exception {
        Authentication alice = signedInAt(clock.instant().minus(Duration.ofDays(1)));
        signIn(alice);

        run(request(
                        "GET",
                        "/oauth2/authorize",
                        "client_id=app&request_uri=" + AuthorizationRequestParameters.REQUEST_URI_PREFIX + "unknown"))
                .assertPassed();

        assertThat(SecurityContextHolder.getContext().getAuthentication()).isSameAs(alice);
    }

    @Test
    void doFilterWhenPostedAuthorizationRequestWithPromptLoginThenSentToSignInWithoutSavingIt() throws Exception {
        signIn(signedInAt(clock.instant().minusSeconds(5)));

        run(request("POST", "/oauth2/authorize", QUERY + "&prompt=login")).assertSentToSignIn();

        assertThat(session.getAttribute("SPRING_SECURITY_SAVED_REQUEST")).isNull();
    }

    @Test
    void doFilterWhenContextPathSetThenTheSignInPageIsUnderIt() throws Exception {
        signIn(signedInAt(clock.instant().minusSeconds(5)));
        MockHttpServletRequest request = authorize("&prompt=login");
        request.setContextPath("/auth");
        request.setRequestURI("/auth/oauth2/authorize");

        Outcome outcome = run(request);

        assertThat(outcome.response().getRedirectedUrl()).isEqualTo("/auth/login");
    }

    @Test
    void doFilterWhenManyRequestsSeenThenAtMostSixteenAreRememberedPerSession() throws Exception {
        for (int i = 0; i < 20; i++) {
            run(authorize("&prompt=login&nonce=n" + i)).assertPassed(); // anonymous: remembered, then signed in
        }

        assertThat(session.getAttribute(ReauthenticationFilter.FIRST_SEEN))
                .isInstanceOfSatisfying(Map.class, m -> assertThat(m).hasSize(16));
    }

    @Test
    void doFilterWhenTheFirstSightIsOverAnHourOldThenASignInMadeAfterItNoLongerCounts() throws Exception {
        run(authorize("&prompt=login")).assertPassed(); // anonymous: first seen now, then nobody signs in
        clock.advance(Duration.ofMinutes(61));
        signIn(signedInAt(clock.instant()));
        clock.advance(Duration.ofMinutes(1));

        // Remembered for an hour only: the request is seen anew, the sign-in predates that sight.
        run(authorize("&prompt=login")).assertSentToSignIn();
    }
}
