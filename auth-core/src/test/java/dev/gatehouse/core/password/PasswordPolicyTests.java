package dev.gatehouse.core.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.password.PolicyResult.Code;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordPolicyTests {

    private final PasswordPolicy policy = PasswordPolicy.defaults();

    @ParameterizedTest
    @ValueSource(strings = {"lantern quarry velvet orbit", "vU8#kq2!Lm", "Schmetterlingsflügel im Mai", "水の音が聞こえる静かな夜"})
    void checkWhenLongUncommonPasswordThenAccepted(String password) {
        PolicyResult result = policy.check(password, "alice", "alice@example.com");

        assertThat(result.accepted()).as(result.message()).isTrue();
        assertThat(result.message()).isEqualTo("accepted");
    }

    @Test
    void checkWhenShorterThanMinimumThenTooShortWithUserFacingReason() {
        PolicyResult result = policy.check("x7#Lq2");

        assertThat(result.violations()).extracting(PolicyResult.Violation::code).containsExactly(Code.TOO_SHORT);
        assertThat(result.message()).isEqualTo("Use at least 8 characters.").doesNotContain("x7#Lq2");
    }

    @Test
    void checkWhenLengthCountedThenCodePointsAfterNfkcNotUtf16Units() {
        // Seven emoji are 14 UTF-16 units but seven characters: too short. Eight are enough.
        assertThat(policy.check("🐢🦊🐙🦉🐝🦀🐧").violations())
                .extracting(PolicyResult.Violation::code)
                .containsExactly(Code.TOO_SHORT);
        assertThat(policy.check("🐢🦊🐙🦉🐝🦀🐧🦒").accepted()).isTrue();
    }

    @Test
    void checkWhenLongerThanMaximumThenTooLong() {
        assertThat(policy.check("a1b2c3d4e5".repeat(7)).violations())
                .extracting(PolicyResult.Violation::code)
                .containsExactly(Code.TOO_LONG);
        assertThat(policy.check("x".repeat(10_000)).violations())
                .extracting(PolicyResult.Violation::code)
                .containsExactly(Code.TOO_LONG);
    }

    @ParameterizedTest
    @ValueSource(strings = {"password", "Password", "PASSWORD1", "12345678", "iloveyou", "qwertyuiop", "Ｐａｓｓｗｏｒｄ"})
    void checkWhenCommonPasswordThenRefusedAsCommon(String password) {
        PolicyResult result = policy.check(password);

        assertThat(result.violations()).extracting(PolicyResult.Violation::code).containsExactly(Code.COMMON);
    }

    @Test
    void checkWhenContainsUserNameOrEmailLocalPartThenContextSpecific() {
        assertThat(policy.check("Margaret-2024-spring!", "margaret").violations())
                .extracting(PolicyResult.Violation::code)
                .containsExactly(Code.CONTEXT_SPECIFIC);
        assertThat(policy.check("zebra.jones.is.here", "zebra.jones@example.org")
                        .violations())
                .extracting(PolicyResult.Violation::code)
                .containsExactly(Code.CONTEXT_SPECIFIC);
        // Short context words are ignored: "al" would refuse half the dictionary.
        assertThat(policy.check("lantern quarry velvet orbit", "al").accepted()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"aaaaaaaaaaaaaaa", "abcdefghijklmn", "zzzzzzzzzzzz1"})
    void checkWhenRepetitiveOrSequentialThenTooPredictable(String password) {
        PolicyResult result = policy.check(password);

        assertThat(result.accepted()).isFalse();
        assertThat(result.violations())
                .extracting(PolicyResult.Violation::code)
                .containsAnyOf(Code.TOO_PREDICTABLE, Code.COMMON);
    }

    @Test
    void checkWhenControlCharacterThenInvalidCharacters() {
        assertThat(policy.check("correct\u0000horse battery").violations())
                .extracting(PolicyResult.Violation::code)
                .containsExactly(Code.INVALID_CHARACTERS);
        assertThat(policy.check("correct horse \uD800battery").violations())
                .extracting(PolicyResult.Violation::code)
                .containsExactly(Code.INVALID_CHARACTERS);
    }

    @Test
    void checkWhenNoCompositionRuleThenAllLowercasePassphraseAccepted() {
        assertThat(policy.check("purple monkey dishwasher lantern").accepted()).isTrue();
    }

    @Test
    void blocklistWhenCustomEntriesAddedThenRefused() {
        PasswordPolicy custom = PasswordPolicy.builder()
                .blocklist(PasswordBlocklist.common().and(PasswordBlocklist.of(List.of("Gatehouse2026!"))))
                .build();

        assertThat(custom.check("gatehouse2026!").violations())
                .extracting(PolicyResult.Violation::code)
                .containsExactly(Code.COMMON);
        assertThat(PasswordBlocklist.common().size()).isGreaterThan(90_000);
    }

    @Test
    void builderWhenLimitsOutsideNistThenRefused() {
        assertThatThrownBy(() -> PasswordPolicy.builder().minLength(6)).isInstanceOf(PasswordException.class);
        assertThatThrownBy(() -> PasswordPolicy.builder().maxLength(32)).isInstanceOf(PasswordException.class);
        assertThatThrownBy(() -> PasswordPolicy.builder().minLength(100).build())
                .isInstanceOf(PasswordException.class);
        assertThat(PasswordPolicy.builder()
                        .minLength(15)
                        .maxLength(128)
                        .build()
                        .check("short but 12c")
                        .violations())
                .extracting(PolicyResult.Violation::code)
                .containsExactly(Code.TOO_SHORT);
    }
}
