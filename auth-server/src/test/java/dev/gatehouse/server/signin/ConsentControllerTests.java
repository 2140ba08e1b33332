package dev.gatehouse.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConsentControllerTests {

    @ParameterizedTest
    @CsvSource({
        "http://127.0.0.1:8081/login/oauth2/code/gatehouse, 127.0.0.1:8081",
        "https://app.example/cb, app.example",
        "com.example.app:/oauth2redirect, com.example.app:",
        "'http://bad host/',"
    })
    void hostWhenRedirectUriThenWhatThePageShows(String redirectUri, String shown) {
        assertThat(ConsentController.host(redirectUri)).isEqualTo(shown);
    }
}
