package dev.gatehouse.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InputsTests {

    @Test
    void checkWhenPlainTextWithinBoundThenAccepted() {
        List<FormError> errors = new ArrayList<>();
        assertThat(Inputs.check(errors, "f", "correct horse – ünïcödé 🐎", 64)).isTrue();
        assertThat(errors).isEmpty();
    }

    @Test
    void checkWhenMissingOrEmptyThenRequired() {
        List<FormError> errors = new ArrayList<>();
        assertThat(Inputs.check(errors, "a", null, 10)).isFalse();
        assertThat(Inputs.check(errors, "b", "", 10)).isFalse();
        assertThat(errors)
                .extracting(FormError::key)
                .containsExactly("account.error.required", "account.error.required");
    }

    @Test
    void checkWhenTooLongThenRefusedWithTheBoundAndNeverTheValue() {
        List<FormError> errors = new ArrayList<>();
        assertThat(Inputs.check(errors, "f", "x".repeat(11), 10)).isFalse();
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo("account.error.too_long");
            assertThat(e.args()).containsExactly(10);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "a\nb", "a\tb", "a\u007fb", "a\u0085b", "a\ud800b", "a\udc00", "\ud83d"})
    void checkWhenControlCharacterOrUnpairedSurrogateThenRefused(String value) {
        List<FormError> errors = new ArrayList<>();
        assertThat(Inputs.check(errors, "f", value, 64)).isFalse();
        assertThat(errors).extracting(FormError::key).containsExactly("account.error.control_characters");
    }
}
