package dev.gatehouse.server.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

class ResourceIndicatorsTests {

    private static final String API = "https://api.example/v1";

    @Test
    void valuesWhenSingleRepeatedOrStoredAsListThenInOrderWithoutDuplicates() {
        assertThat(ResourceIndicators.values(null)).isEmpty();
        assertThat(ResourceIndicators.values(API)).containsExactly(API);
        assertThat(ResourceIndicators.values(new String[] {API, "https://b.example/", API}))
                .containsExactly(API, "https://b.example/");
        assertThat(ResourceIndicators.values(new ArrayList<>(List.of("https://b.example/", API))))
                .containsExactly("https://b.example/", API);
        // Not a string: an empty value, which is refused.
        assertThat(ResourceIndicators.values(List.of(42))).containsExactly("");
    }

    @Test
    void refusalWhenInAllowListThenNone() {
        assertThat(ResourceIndicators.refusal(List.of(API), List.of(API, "https://b.example/")))
                .isEmpty();
        assertThat(ResourceIndicators.refusal(List.of(), List.of())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", "/relative", "api", "https://api.example/v1#f", "https://api.example/v1#", "https://[x"})
    void refusalWhenNotAbsoluteOrWithFragmentThenRefusedWithoutEchoingIt(String bad) {
        assertThat(ResourceIndicators.refusal(List.of(bad), List.of(bad)))
                .hasValueSatisfying(reason -> assertThat(reason)
                        .contains("absolute URI without a fragment")
                        .doesNotContain(bad.isEmpty() ? "\u0000" : bad));
    }

    @Test
    void refusalWhenNotInAllowListOrTooManyOrTooLongThenRefused() {
        assertThat(ResourceIndicators.refusal(List.of(API, "https://other.example/"), List.of(API)))
                .hasValueSatisfying(reason -> assertThat(reason).doesNotContain("other.example"));
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= ResourceIndicators.MAX_RESOURCES; i++) {
            many.add("https://r" + i + ".example/");
        }
        assertThat(ResourceIndicators.refusal(many, many)).isPresent();
        String longUri = "https://api.example/" + "x".repeat(ResourceIndicators.MAX_LENGTH);
        assertThat(ResourceIndicators.refusal(List.of(longUri), List.of(longUri)))
                .isPresent();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://api.example/v1",
                "https://api.example/v1?x=1",
                "http://localhost:8082",
                "http://127.0.0.1:8443/api",
                "http://[::1]/"
            })
    void registrationProblemWhenHttpsOrLoopbackHttpThenNone(String uri) {
        assertThat(ResourceIndicators.registrationProblem(uri)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "https://api.example/v1#f",
                "/relative",
                "urn:example:api",
                "http://api.example/",
                "javascript:alert(1)",
                "https://*.example/",
                "https://user@api.example/",
                "https://api.example/ space"
            })
    void registrationProblemWhenNotAnAbsoluteHttpsOrLoopbackUriThenReasonWithoutTheValue(String uri) {
        assertThat(ResourceIndicators.registrationProblem(uri)).hasValueSatisfying(reason -> {
            if (!uri.isEmpty()) {
                assertThat(reason).doesNotContain(uri);
            }
        });
    }

    @Test
    void allowedWhenSettingMissingOrNotAListThenEmpty() {
        assertThat(ResourceIndicators.allowed(client(ClientSettings.builder().build())))
                .isEmpty();
        assertThat(ResourceIndicators.allowed(client(ClientSettings.builder()
                        .setting(ResourceIndicators.RESOURCES_SETTING, API)
                        .build())))
                .isEmpty();
        assertThat(ResourceIndicators.allowed(client(ClientSettings.builder()
                        .setting(ResourceIndicators.RESOURCES_SETTING, new ArrayList<>(List.of(API)))
                        .build())))
                .containsExactly(API);
    }

    private static RegisteredClient client(ClientSettings settings) {
        return RegisteredClient.withId("id")
                .clientId("client")
                .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .clientSettings(settings)
                .build();
    }
}
