package dev.gatehouse.core.password;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Argon2ParametersTests {

    /** Every equivalent configuration in the OWASP Password Storage Cheat Sheet's Argon2id list (p=1). */
    @ParameterizedTest(name = "m={0} t={1}")
    @CsvSource({
        "47104, 1", "19456, 2", "12288, 3", "9216, 4", "7168, 5",
        // more memory or more passes than a listed entry
        "47104, 2", "65536, 1", "7168, 40", "12288, 4", "19456, 3"
    })
    void requireStrongEnoughForNewHashesWhenOwaspListedOrStrongerThenAccepted(int memoryKiB, int iterations) {
        assertThatCode(() -> Argon2Parameters.of(memoryKiB, iterations, 1).requireStrongEnoughForNewHashes())
                .doesNotThrowAnyException();
    }

    /** One KiB or one pass short of every listed entry, and below the 7 MiB floor however many passes. */
    @ParameterizedTest(name = "m={0} t={1}")
    @CsvSource({
        "47103, 1", "19455, 2", "12287, 3", "9215, 4", "7167, 5",
        "36000, 1", "19456, 1", "12288, 2", "9216, 3", "7168, 4",
        "7167, 100", "4096, 10"
    })
    void requireStrongEnoughForNewHashesWhenJustBelowOwaspThenRefused(int memoryKiB, int iterations) {
        assertThatThrownBy(() -> Argon2Parameters.of(memoryKiB, iterations, 1).requireStrongEnoughForNewHashes())
                .isInstanceOf(PasswordException.class)
                .hasMessageContaining("OWASP");
    }
}
