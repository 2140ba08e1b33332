package dev.gatehouse.core.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Calibration logic against a deterministic cost model (time proportional to m * t); no clocks. */
class Argon2CalibratorTests {

    /** 1 ms per MiB-pass: m=19456 KiB, t=2 costs 38 ms. */
    private static Duration model(Argon2Parameters p) {
        return Duration.ofMillis((long) p.memoryKiB() * p.iterations() / 1024);
    }

    @Test
    void calibrateWhenTargetAllowsThenRaisesMemoryFirstThenPasses() {
        List<Argon2Parameters> tried = new ArrayList<>();
        Argon2Calibrator calibrator = Argon2Calibrator.builder()
                .maxMemoryKiB(65_536)
                .measure(p -> {
                    tried.add(p);
                    return model(p);
                })
                .build();

        Argon2Calibrator.Calibration c = calibrator.calibrate(Duration.ofMillis(250));

        // 19 MiB -> 38 MiB -> (76 MiB over the 64 MiB ceiling); then t=2..6 at 38 MiB: 38*6 = 228 ms.
        assertThat(c.parameters()).isEqualTo(new Argon2Parameters(38_912, 6, 1, 32, 16));
        assertThat(c.measured()).isEqualTo(Duration.ofMillis(228));
        assertThat(c.withinTarget()).isTrue();
        assertThat(tried.get(0)).isEqualTo(Argon2Parameters.owasp());
    }

    @Test
    void calibrateWhenHostTooSlowForTargetThenReturnsOwaspMinimumAndSaysSo() {
        Argon2Calibrator calibrator =
                Argon2Calibrator.builder().measure(p -> Duration.ofSeconds(1)).build();

        Argon2Calibrator.Calibration c = calibrator.calibrate(Duration.ofMillis(100));

        assertThat(c.parameters()).isEqualTo(Argon2Parameters.owasp());
        assertThat(c.withinTarget()).isFalse();
    }

    @Test
    void calibrateWhenResultUsedThenHasherAcceptsIt() {
        Argon2Calibrator.Calibration c = Argon2Calibrator.builder()
                .measure(Argon2CalibratorTests::model)
                .build()
                .calibrate(Duration.ofMillis(500));

        PasswordHasher hasher =
                PasswordHasher.builder().parameters(c.parameters()).build();

        assertThat(hasher.parameters()).isEqualTo(c.parameters());
    }

    @Test
    void calibrateWhenRealClockThenAtLeastOwaspMinimum() {
        Argon2Calibrator.Calibration c = Argon2Calibrator.builder().build().calibrate(Duration.ofMillis(5));

        assertThat(c.parameters().memoryKiB()).isGreaterThanOrEqualTo(19_456);
        assertThat(c.parameters().iterations()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void calibrateWhenTargetOutOfRangeThenRefused() {
        Argon2Calibrator calibrator = Argon2Calibrator.builder().build();

        assertThatThrownBy(() -> calibrator.calibrate(Duration.ZERO)).isInstanceOf(PasswordException.class);
        assertThatThrownBy(() -> calibrator.calibrate(Duration.ofMinutes(5))).isInstanceOf(PasswordException.class);
        assertThatThrownBy(() -> Argon2Calibrator.builder().maxMemoryKiB(1024)).isInstanceOf(PasswordException.class);
    }
}
