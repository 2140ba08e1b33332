package dev.gatehouse.server.signin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.signin.AuthorizationRequestParameters.Kind;
import dev.gatehouse.server.signin.AuthorizationRequestParameters.Refused;
import dev.gatehouse.server.signin.AuthorizationRequestParameters.Resolved;
import dev.gatehouse.server.signin.AuthorizationRequestParameters.Unresolved;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.authorization.InMemoryOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.web.authentication.AuthenticationConverter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

class AuthorizationRequestParametersTests {

    private final AuthorizationRequestParameters parameters = new AuthorizationRequestParameters(
            new InMemoryOAuth2AuthorizationService(),
            new InMemoryRegisteredClientRepository(RegisteredClient.withId("id")
                    .clientId("app")
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                    .authorizationGrantType(AuthorizationGrantType.DEVICE_CODE)
                    .build()),
            PathPatternRequestMatcher.pathPattern("/oauth2/authorize"),
            PathPatternRequestMatcher.pathPattern("/oauth2/device_verification"));

    /** Spring Authorization Server 7.0's OAuth2EndpointUtils.normalizeUserCode, case for case. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "BCDF-GHJK|BCDF-GHJK",
                "bcdf-ghjk|BCDF-GHJK",
                "bcdfghjk|BCDF-GHJK",
                "' b c d f - g h j k '|BCDF-GHJK",
                "bcdf_ghjk!|BCDF-GHJK",
                "12345678|1234-5678",
                // Locale.ENGLISH upper case: the sharp s becomes two letters, the dotless i an I.
                "ßbcdefg|SSBC-DEFG",
                "ıbcd-ghjk|IBCD-GHJK",
                "bcdf-ghj|",
                "bcdf-ghjkl|",
                "ąbcd-ghj|",
                "''|"
            })
    void normalizeUserCodeWhenTypedThenAsSpringAuthorizationServer(String typed, String expected) {
        assertThat(AuthorizationRequestParameters.normalizeUserCode(typed)).isEqualTo(expected);
    }

    @Test
    void requireRequestUriPrefixWhenOtherPrefixOfSameLengthThenInvalidRequest() {
        AuthenticationConverter sas = request -> null;
        MockHttpServletRequest request = get("client_id=app&request_uri=other");
        request.addParameter("client_id", "app");
        request.addParameter("request_uri", "urn:example:gatehouse:request_uri:abc___1");
        assertThatThrownBy(() -> AuthorizationRequestParameters.requireRequestUriPrefix(sas)
                        .convert(request))
                .isInstanceOfSatisfying(
                        OAuth2AuthenticationException.class,
                        e -> assertThat(e.getError().getErrorCode()).isEqualTo("invalid_request"));
        assertThat(parameters.resolve(request)).isInstanceOf(Refused.class);
    }

    @Test
    void resolveWhenPushedRequestUnknownThenRefusedAsSasRefusesIt() {
        MockHttpServletRequest request = get("client_id=app&request_uri=abc");
        request.addParameter("client_id", "app");
        request.addParameter("request_uri", AuthorizationRequestParameters.REQUEST_URI_PREFIX + "abc___1");
        assertThat(parameters.resolve(request))
                .isEqualTo(new Refused(Kind.AUTHORIZATION_REQUEST, "request_uri unknown, used or of another client"));
    }

    @Test
    void resolveWhenPromptRepeatedThenRefusedAndNotPromptNone() {
        MockHttpServletRequest request = get("client_id=app&prompt=none&prompt=login");
        request.addParameter("client_id", "app");
        request.addParameter("prompt", "none");
        request.addParameter("prompt", "login");
        assertThat(parameters.resolve(request)).isInstanceOf(Refused.class);
        assertThat(parameters.promptNone().matches(request)).isFalse();
    }

    @Test
    void resolveWhenPostCarriesPromptInQueryStringThenReadAsSasReadsTheForm() {
        // OAuth2EndpointUtils.getFormParameters: a name found in the query string is not a form parameter.
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/oauth2/authorize");
        request.setQueryString("x=prompt");
        request.addParameter("x", "prompt");
        request.addParameter("response_type", "code");
        request.addParameter("client_id", "app");
        request.addParameter("prompt", "none");
        assertThat(parameters.resolve(request))
                .isInstanceOfSatisfying(
                        Resolved.class, r -> assertThat(r.get("prompt")).isNull());
    }

    private static MockHttpServletRequest get(String query) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/oauth2/authorize");
        request.setQueryString(query);
        return request;
    }

    @Test
    void resolveWhenRequestUriOnDeviceEndpointThenIgnoredAndUnknownCodeRefusedAsSasRefusesIt() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/oauth2/device_verification");
        request.addParameter("user_code", "bcdf-ghjk");
        request.addParameter("request_uri", "x");
        assertThat(parameters.resolve(request))
                .isEqualTo(
                        new Refused(Kind.DEVICE_VERIFICATION, "no device authorization for this user code or state"));
    }

    @Test
    void resolveWhenUserCodeRepeatedThenUnresolved() {
        // Spring Authorization Server reads the form only; which value it would read is not certain.
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/oauth2/device_verification");
        request.addParameter("user_code", "bcdf-ghjk");
        request.addParameter("user_code", "cdfg-hjkl");
        assertThat(parameters.resolve(request)).isInstanceOf(Unresolved.class);
    }

    @Test
    void resolveWhenUserCodeMalformedThenRefusedAsSasRefusesIt() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/oauth2/device_verification");
        request.addParameter("user_code", "bcdf-ghj");
        assertThat(parameters.resolve(request)).isInstanceOf(Refused.class);
    }

    @Test
    void resolveWhenPlainAuthorizationRequestThenItsOwnParameters() {
        MockHttpServletRequest request = get("response_type=code&client_id=app&prompt=none");
        request.addParameter("response_type", "code");
        request.addParameter("client_id", "app");
        request.addParameter("prompt", "none");
        assertThat(parameters.resolve(request))
                .isInstanceOfSatisfying(
                        Resolved.class, r -> assertThat(r.clientId()).isEqualTo("app"));
        assertThat(parameters.promptNone().matches(request)).isTrue();
    }
}
