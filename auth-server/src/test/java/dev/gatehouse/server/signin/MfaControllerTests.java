package dev.gatehouse.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MfaControllerTests {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "http://localhost:9000/oauth2/authorize?client_id=a&state=x%22y | /oauth2/authorize?client_id=a&state=x%22y",
                "https://evil.example/oauth2/authorize?x=1 | /oauth2/authorize?x=1",
                "http://localhost:9000/ | /",
                "http://localhost:9000//evil.example/path | /",
                "not a url at all | /",
                "http://localhost:9000 | /"
            })
    void sameOriginWhenSavedUrlThenOnlyPathAndQueryOfThisServer(String saved, String expected) {
        assertThat(MfaController.sameOrigin(saved)).isEqualTo(expected);
    }
}
