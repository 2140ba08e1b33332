package dev.gatehouse.server.dynamicclients;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RegistrationRedirectUrisTests {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://app.example.com/cb",
                "https://app.example.com:8443/cb?x=1",
                "http://127.0.0.1:49152/cb",
                "http://127.0.0.1/cb",
                "http://[::1]:8080/cb",
                "com.example.app:/oauth2redirect",
                "com.example.app:/"
            })
    void problemWhenHttpsLoopbackOrPrivateUseSchemeThenAccepted(String uri) {
        assertThat(RegistrationRedirectUris.problem(uri)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "javascript:alert(1)|javascript",
                "JavaScript:alert(1)|javascript",
                "data:text/html,x|data",
                "vbscript:x|vbscript",
                "file:///etc/passwd|file",
                "https://app.example.com/cb#x|fragment",
                "https://*.example.com/cb|wildcard",
                "https://user@app.example.com/cb|user information",
                "https://user:pw@app.example.com/cb|user information",
                "http://app.example.com/cb|https",
                "http://localhost:8080/cb|localhost is not accepted",
                "http://127.0.0.2/cb|https",
                "/cb|absolute",
                "myapp:/cb|reverse domain name",
                "com.example.app://host/cb|no authority",
                "https://app.example.com/a b|ASCII"
            })
    void problemWhenRefusedFormThenReasonNamesIt(String uri, String reason) {
        assertThat(RegistrationRedirectUris.problem(uri))
                .hasValueSatisfying(r -> assertThat(r).contains(reason));
    }
}
