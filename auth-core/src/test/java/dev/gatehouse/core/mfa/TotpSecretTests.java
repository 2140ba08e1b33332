package dev.gatehouse.core.mfa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TotpSecretTests {

    @Test
    void base32WhenRfc4648ExampleThenEncodesWithoutPadding() {
        // RFC 4648 §10: BASE32("foobar") = "MZXW6YTBOI======"; 16-byte secrets need a longer input.
        TotpSecret s = TotpSecret.of("12345678901234567890".getBytes(StandardCharsets.US_ASCII));

        assertThat(s.base32()).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    @Test
    void fromBase32WhenLowerCaseSpacedOrPaddedThenSameSecret() {
        TotpSecret s = TotpSecret.fromBase32("gezd gnbv-gy3t qojq gezd gnbv gy3t qojq");

        assertThat(s.bytes()).isEqualTo("12345678901234567890".getBytes(StandardCharsets.US_ASCII));
        assertThat(TotpSecret.fromBase32(s.base32() + "").base32()).isEqualTo(s.base32());
    }

    @Test
    void generateWhenDefaultLengthThenIs160BitsAndRoundTrips() {
        TotpSecret s = TotpSecret.generate(new SecureRandom(), TotpSecret.DEFAULT_BYTES);

        assertThat(s.length()).isEqualTo(20);
        assertThat(s.base32()).hasSize(32);
        assertThat(TotpSecret.fromBase32(s.base32()).bytes()).isEqualTo(s.bytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ!", "A", ""})
    void fromBase32WhenNotBase32ThenInvalidSecretWithoutEchoingIt(String input) {
        assertThatThrownBy(() -> TotpSecret.fromBase32(input))
                .isInstanceOf(MfaException.class)
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_SECRET)
                .satisfies(e -> assertThat(((MfaException) e).code()).isEqualTo("mfa.invalid_secret"))
                .satisfies(e -> {
                    if (input.length() > 1) {
                        assertThat(e.getMessage()).doesNotContain(input);
                    }
                });
    }

    @Test
    void ofWhenShorterThan128BitsThenInvalidSecret() {
        assertThatThrownBy(() -> TotpSecret.fromBase32("GEZDGNBVGY3TQOJQ"))
                .isInstanceOf(MfaException.class)
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_SECRET);
    }

    @Test
    void toStringWhenCalledThenRedacted() {
        TotpSecret s = TotpSecret.fromBase32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");

        assertThat(s.toString()).doesNotContain("GEZD").contains("redacted");
    }

    @Test
    void parametersWhenOutOfRangeThenInvalidParameters() {
        TotpParameters d = TotpParameters.defaults();

        assertThatThrownBy(() -> d.withDigits(7))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_PARAMETERS);
        assertThatThrownBy(() -> d.withPeriod(Duration.ZERO))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_PARAMETERS);
        assertThatThrownBy(() -> d.withPeriod(Duration.ofMillis(1500)))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_PARAMETERS);
        assertThatThrownBy(() -> d.withWindow(11))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_PARAMETERS);
        assertThatThrownBy(() -> d.withWindow(-1))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_PARAMETERS);
    }
}
