package dev.gatehouse.server.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;

/** The spans' attribute values: always one of their fixed sets, whatever a request sends. */
class TracingSpansTests {

    @Test
    void grantTypeWhenUnknownOrMissingThenOtherOrNone() {
        assertThat(TracingSpans.grantType("refresh_token")).isEqualTo("refresh_token");
        assertThat(TracingSpans.grantType("urn:ietf:params:oauth:grant-type:device_code"))
                .isEqualTo("urn:ietf:params:oauth:grant-type:device_code");
        assertThat(TracingSpans.grantType("password")).isEqualTo("other");
        assertThat(TracingSpans.grantType("x".repeat(5000))).isEqualTo("other");
        assertThat(TracingSpans.grantType(null)).isEqualTo("none");
        assertThat(TracingSpans.grantType("")).isEqualTo("none");
    }

    @Test
    void tokenOutcomeWhenErrorCodeOutsideTheSetThenOther() {
        assertThat(TracingSpans.tokenOutcome(new OAuth2AuthenticationException("invalid_grant")))
                .isEqualTo("invalid_grant");
        assertThat(TracingSpans.tokenOutcome(new OAuth2AuthenticationException(new OAuth2Error("made_up_by_someone"))))
                .isEqualTo("other");
        assertThat(TracingSpans.tokenOutcome(new BadCredentialsException("x"))).isEqualTo("invalid_client");
        assertThat(TracingSpans.TOKEN_OUTCOMES).contains(TracingSpans.tokenOutcome(418));
        assertThat(TracingSpans.tokenOutcome(200)).isEqualTo("success");
        assertThat(TracingSpans.tokenOutcome(429)).isEqualTo("rate_limited");
        assertThat(TracingSpans.tokenOutcome(503)).isEqualTo("error");
    }

    @Test
    void stepOutcomeWhenRedirectedWithErrorThenFailureAndWhenConsentDeclinedThenDenied() {
        assertThat(TracingSpans.stepOutcome(302, "/login?error")).isEqualTo("failure");
        assertThat(TracingSpans.stepOutcome(302, "/mfa/totp?error")).isEqualTo("failure");
        assertThat(TracingSpans.stepOutcome(302, "https://client/cb?error=access_denied&state=s"))
                .isEqualTo("denied");
        assertThat(TracingSpans.stepOutcome(302, "https://client/cb?state=error&code=c"))
                .isEqualTo("success");
        assertThat(TracingSpans.stepOutcome(302, "/oauth2/authorize?client_id=c"))
                .isEqualTo("success");
        assertThat(TracingSpans.stepOutcome(200, null)).isEqualTo("success");
        assertThat(TracingSpans.stepOutcome(401, null)).isEqualTo("failure");
        assertThat(TracingSpans.stepOutcome(503, null)).isEqualTo("error");
    }

    @Test
    void stepWhenNotAPostOfAStepThenNone() {
        assertThat(TracingSpans.step("POST", "/login")).isEqualTo("password");
        assertThat(TracingSpans.step("POST", "/login/webauthn")).isEqualTo("passkey");
        assertThat(TracingSpans.step("GET", "/login")).isNull();
        assertThat(TracingSpans.step("POST", "/oauth2/introspect")).isNull();
    }
}
