package dev.gatehouse.core.mfa;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 6238 Appendix B: 8-digit TOTP values, 30 s step, T0 = 0, the RFC's ASCII seeds. */
class RFC6238AppendixBTests {

    private static final String SEED20 = "12345678901234567890";
    private static final String SEED32 = "12345678901234567890123456789012";
    private static final String SEED64 = "1234567890123456789012345678901234567890123456789012345678901234";

    @ParameterizedTest(name = "{1} at {0}")
    @CsvSource({
        "59,          SHA1,   94287082",
        "59,          SHA256, 46119246",
        "59,          SHA512, 90693936",
        "1111111109,  SHA1,   07081804",
        "1111111109,  SHA256, 68084774",
        "1111111109,  SHA512, 25091201",
        "1111111111,  SHA1,   14050471",
        "1111111111,  SHA256, 67062674",
        "1111111111,  SHA512, 99943326",
        "1234567890,  SHA1,   89005924",
        "1234567890,  SHA256, 91819424",
        "1234567890,  SHA512, 93441116",
        "2000000000,  SHA1,   69279037",
        "2000000000,  SHA256, 90698825",
        "2000000000,  SHA512, 38618901",
        "20000000000, SHA1,   65353130",
        "20000000000, SHA256, 77737706",
        "20000000000, SHA512, 47863826"
    })
    void codeWhenAppendixBTimeAndAlgorithmThenMatchesVector(long time, TotpAlgorithm algorithm, String expected) {
        Totp totp = Totp.of(new TotpParameters(algorithm, 8, Duration.ofSeconds(30), 1));

        String code = totp.code(seed(algorithm), Instant.ofEpochSecond(time));

        assertThat(code).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{1} at {0}")
    @CsvSource({"59, SHA1, 94287082", "1111111109, SHA256, 68084774", "20000000000, SHA512, 47863826"})
    void matchWhenAppendixBCodeThenMatchesItsStep(long time, TotpAlgorithm algorithm, String code) {
        Totp totp = Totp.of(new TotpParameters(algorithm, 8, Duration.ofSeconds(30), 0));

        assertThat(totp.match(seed(algorithm), code, Instant.ofEpochSecond(time), -1))
                .hasValue(time / 30);
    }

    private static TotpSecret seed(TotpAlgorithm algorithm) {
        String seed = switch (algorithm) {
            case SHA1 -> SEED20;
            case SHA256 -> SEED32;
            case SHA512 -> SEED64;
        };
        return TotpSecret.of(seed.getBytes(StandardCharsets.US_ASCII));
    }
}
