package dev.gatehouse.server.dynamicclients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.authorization.OAuth2ClientRegistration;

class RegistrationPolicyTests {

    /** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E. */
    static final String DESCRIPTION_CHARSET = "[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*";

    final RegistrationPolicy policy = new RegistrationPolicy(
            DynamicRegistrationPropertiesTests.with(
                    List.of("authorization_code", "refresh_token"), List.of("none"), List.of()),
            Duration.ofMinutes(5),
            Duration.ofHours(1));

    @Test
    void excerptWhenQuoteBackslashOrControlThenReplaced() {
        assertThat(RegistrationPolicy.excerpt("a\"b\\c\u0001d'e")).isEqualTo("a?b?c?d?e");
    }

    @Test
    void checkWhenRefusedThenErrorDescriptionWithinRfc6749Charset() {
        for (OAuth2ClientRegistration request : List.of(
                OAuth2ClientRegistration.builder()
                        .redirectUri("http://127.0.0.1:4000/cb")
                        .tokenEndpointAuthenticationMethod("none")
                        .responseType("token")
                        .build(),
                OAuth2ClientRegistration.builder()
                        .redirectUri("https://a.example.test/\"\\cb#x")
                        .tokenEndpointAuthenticationMethod("none")
                        .build(),
                OAuth2ClientRegistration.builder()
                        .redirectUri("http://127.0.0.1:4000/cb")
                        .tokenEndpointAuthenticationMethod("none")
                        .scope("a\"b\\")
                        .build())) {
            OAuth2AuthenticationException e =
                    catchThrowableOfType(OAuth2AuthenticationException.class, () -> policy.check(request));
            String description = e.getError().getDescription();
            assertThat(description).doesNotContain("\"", "\\");
            // As written: the section signs spelled out, nothing outside the charset.
            assertThat(RegistrationResponses.safeDescription(description))
                    .matches(DESCRIPTION_CHARSET)
                    .doesNotContain("?3");
        }
    }

    @Test
    void safeDescriptionWhenOutsideRfc6749CharsetThenReplaced() {
        assertThat(RegistrationResponses.safeDescription("scope \"x\" \\ \u00e9\n§ ok"))
                .matches(DESCRIPTION_CHARSET);
    }

    @Test
    void checkWhenClientNameHasBidiOrFormatCharacterThenInvalidClientMetadata() {
        for (String name : List.of("Gatehouse\u202eAdmin", "Ad\u200bmin", "Admin\u2066", "a\u00adb")) {
            OAuth2AuthenticationException e = catchThrowableOfType(
                    OAuth2AuthenticationException.class,
                    () -> policy.check(OAuth2ClientRegistration.builder()
                            .clientName(name)
                            .redirectUri("http://127.0.0.1:4000/cb")
                            .tokenEndpointAuthenticationMethod("none")
                            .build()));
            assertThat(e).as(name).isNotNull();
            assertThat(e.getError().getErrorCode()).isEqualTo("invalid_client_metadata");
        }
    }
}
