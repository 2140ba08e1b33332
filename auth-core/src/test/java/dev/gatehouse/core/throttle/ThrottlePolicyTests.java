package dev.gatehouse.core.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ThrottlePolicyTests {

    @Test
    void delayAfterWhenFailuresGrowThenDoublesUpToMax() {
        ThrottlePolicy p = ThrottlePolicy.defaults();

        assertThat(p.delayAfter(3, 3)).isZero();
        assertThat(p.delayAfter(4, 3)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.delayAfter(5, 3)).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.delayAfter(8, 3)).isEqualTo(Duration.ofSeconds(16));
        assertThat(p.delayAfter(9, 3)).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.delayAfter(Integer.MAX_VALUE, 3)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void builderWhenCustomThenValuesKept() {
        ThrottlePolicy p = ThrottlePolicy.builder()
                .freeAttempts(5)
                .baseDelay(Duration.ofMillis(500))
                .maxDelay(Duration.ofMinutes(1))
                .pairLockoutThreshold(20)
                .lockoutDuration(Duration.ofMinutes(30))
                .addressFreeAttempts(50)
                .addressLockoutThreshold(500)
                .forgetAfter(Duration.ofHours(2))
                .build();

        assertThat(p.freeAttempts()).isEqualTo(5);
        assertThat(p.delayAfter(7, 5)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void builderWhenInconsistentThenInvalidPolicy() {
        assertThatThrownBy(
                        () -> ThrottlePolicy.builder().baseDelay(Duration.ZERO).build())
                .isInstanceOf(ThrottleException.class)
                .hasFieldOrPropertyWithValue("reason", ThrottleException.Reason.INVALID_POLICY);
        assertThatThrownBy(() ->
                        ThrottlePolicy.builder().maxDelay(Duration.ofMillis(10)).build())
                .hasFieldOrPropertyWithValue("reason", ThrottleException.Reason.INVALID_POLICY);
        assertThatThrownBy(
                        () -> ThrottlePolicy.builder().pairLockoutThreshold(3).build())
                .hasFieldOrPropertyWithValue("reason", ThrottleException.Reason.INVALID_POLICY);
        assertThatThrownBy(() -> ThrottlePolicy.builder()
                        .forgetAfter(Duration.ofMinutes(5))
                        .build())
                .hasFieldOrPropertyWithValue("reason", ThrottleException.Reason.INVALID_POLICY);
        assertThatThrownBy(() -> ThrottlePolicy.builder().freeAttempts(-1).build())
                .hasFieldOrPropertyWithValue("reason", ThrottleException.Reason.INVALID_POLICY);
    }
}
