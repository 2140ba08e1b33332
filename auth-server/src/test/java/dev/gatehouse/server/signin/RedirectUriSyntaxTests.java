package dev.gatehouse.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedirectUriSyntaxTests {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1:8081/login/oauth2/code/gatehouse",
                "http://127.0.0.1/cb",
                "http://127.0.0.1:65535/cb",
                "http://127.0.0.1:1/cb",
                "http://[::1]:5173/callback",
                "http://[::1]/callback",
                "https://app.example.com/cb?x=1&y=%20",
                "https://app.example.com:443/cb",
                "com.example.app:/callback"
            })
    void wellFormedWhenRegistrableUriThenTrue(String uri) {
        assertThat(RedirectUriSyntax.wellFormed(uri)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1:/cb",
                "http://127.0.0.1:0/cb",
                "http://127.0.0.1:65536/cb",
                "http://127.0.0.1:2147483648/cb",
                "http://127.0.0.1:-1/cb",
                "http://127.0.0.1:+80/cb",
                "http://127.0.0.1:80x/cb",
                "http://[::1]:/x",
                "http://[::1]:2147483648/x",
                "http://[::1",
                "http://a b/",
                "http://127.0.0.1/cb#x",
                "http://127.0.0.1/cb#",
                "http://u@127.0.0.1/cb",
                "http://127.0.0.1/cb%",
                "//127.0.0.1/cb",
                "/cb",
                "http://",
                "http:///cb",
                ":"
            })
    void wellFormedWhenMalformedThenFalse(String uri) {
        assertThat(RedirectUriSyntax.wellFormed(uri)).isFalse();
    }

    @Test
    void wellFormedWhenLongerThanRegistrableThenFalse() {
        String base = "https://app.example.com/cb?x=";
        assertThat(RedirectUriSyntax.wellFormed(base + "a".repeat(RedirectUriSyntax.MAX_LENGTH - base.length())))
                .isTrue();
        assertThat(RedirectUriSyntax.wellFormed(base + "a".repeat(RedirectUriSyntax.MAX_LENGTH - base.length() + 1)))
                .isFalse();
    }
}
