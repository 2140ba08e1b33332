package dev.gatehouse.core.mfa;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 4226 Appendix D: HOTP-SHA1, 6 digits, secret "12345678901234567890", counters 0 to 9. */
class RFC4226AppendixDTests {

    private static final TotpSecret SECRET = TotpSecret.of("12345678901234567890".getBytes(StandardCharsets.US_ASCII));

    @ParameterizedTest(name = "counter {0}")
    @CsvSource({
        "0, 755224", "1, 287082", "2, 359152", "3, 969429", "4, 338314",
        "5, 254676", "6, 287922", "7, 162583", "8, 399871", "9, 520489"
    })
    void hotpWhenAppendixDCounterThenMatchesVector(long counter, String expected) {
        Totp totp = Totp.of(TotpParameters.defaults());

        assertThat(totp.hotp(SECRET, counter)).isEqualTo(expected);
    }
}
