package dev.gatehouse.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SignInDeviceTests {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0|Firefox, Linux",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0"
                        + " Safari/537.36 Edg/131.0.0.0|Edge, Windows",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1"
                        + " Safari/605.1.15|Safari, macOS",
                "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile"
                        + " Safari/537.36|Chrome, Android",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile"
                        + " Safari/604.1|Safari, iOS",
                "curl/8.5.0|''",
                "Java-http-client/17|''"
            })
    void labelWhenUserAgentKnownThenBrowserAndSystemFamilyOnly(String userAgent, String label) {
        assertThat(SignInDevice.label(userAgent)).isEqualTo(label);
    }
}
