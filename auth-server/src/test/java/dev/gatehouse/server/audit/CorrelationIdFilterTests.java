package dev.gatehouse.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CorrelationIdFilterTests {

    @ParameterizedTest
    @ValueSource(strings = {"abc", "A-1", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
    void chooseWhenWellFormedThenKept(String id) {
        assertThat(CorrelationIdFilter.choose(id)).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "with space",
                "new\nline",
                "ansi\u001b[31m",
                "semi;colon",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefX"
            })
    void chooseWhenMalformedThenRandomUuid(String id) {
        assertThat(CorrelationIdFilter.choose(id)).isNotEqualTo(id).matches("[0-9a-f]{8}-[0-9a-f-]{27}");
    }
}
