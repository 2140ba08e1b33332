package dev.gatehouse.server.users;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The canonical form of usernames (issue #13 item 18): NFKC, then lower case with Locale.ROOT. */
class UsernamesTests {

    @ParameterizedTest
    @CsvSource({
        "alice, alice",
        "Alice, alice",
        "ALICE, alice",
        // Full-width letters (compatibility forms) fold to ASCII.
        "\uFF21\uFF4C\uFF49\uFF43\uFF45, alice",
        // The ligature "ﬁ" is "fi" under NFKC.
        "\uFB01le, file",
        // Turkish capital dotted I: Locale.ROOT, never the default locale's rules.
        "I\u0307stanbul, i\u0307stanbul",
        // Combining sequence and precomposed form are one name.
        "Jose\u0301, jos\u00e9",
        "bob@Example.COM, bob@example.com"
    })
    void canonicalWhenCaseOrCompatibilityFormDiffersThenOneForm(String typed, String expected) {
        assertThat(Usernames.canonical(typed)).isEqualTo(expected);
        assertThat(Usernames.canonical(Usernames.canonical(typed))).isEqualTo(Usernames.canonical(typed));
    }
}
