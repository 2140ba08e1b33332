package dev.gatehouse.examples.plain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PolicyFromCodeTests {

    @Test
    void runWhenExecutedThenEveryCapabilityPrintsTheExpectedOutcome() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PolicyFromCode.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String out = buffer.toString(StandardCharsets.UTF_8);

        assertThat(out).contains("verify(right)              -> matched=true rehash=false");
        assertThat(out).contains("verify(wrong)              -> matched=false");
        assertThat(out).contains("verify(legacy bcrypt)      -> matched=true rehash=true upgradedTo=$argon2id$");
        assertThat(out).contains("refused: token.wrong_audience").contains("refused: token.unsecured");
        assertThat(out)
                .contains("confirm(first code)        -> ACCEPTED")
                .contains("verify(same code again)    -> REPLAYED");
        assertThat(out).containsPattern("viewer reads +-> PERMIT");
        assertThat(out).containsPattern("viewer writes +-> DENY");
        assertThat(out).containsPattern("owner writes at 11:00 +-> PERMIT");
        assertThat(out).containsPattern("owner writes at 22:00 +-> DENY");
        assertThat(out).containsPattern("editor writes locked +-> DENY");
        assertThat(out).containsPattern("admin shreds \\(unknown\\) +-> DENY");
        assertThat(out).doesNotContain("secret=" + "J"); // the TOTP secret is never printed
    }
}
