package dev.gatehouse.server.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.throttle.ThrottlePolicy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class ThrottlePropertiesTests {

    @Test
    void bindWhenNothingSetThenAuthCoreDefaults() {
        assertThat(bind(Map.of()).policy()).isEqualTo(ThrottlePolicy.defaults());
    }

    @Test
    void bindWhenSetThenPolicyCarriesEveryValue() {
        ThrottlePolicy policy = bind(Map.of(
                        "gatehouse.server.throttle.free-attempts", "5",
                        "gatehouse.server.throttle.base-delay", "2s",
                        "gatehouse.server.throttle.max-delay", "1m",
                        "gatehouse.server.throttle.lockout-threshold", "8",
                        "gatehouse.server.throttle.lockout-duration", "30m",
                        "gatehouse.server.throttle.address-free-attempts", "40",
                        "gatehouse.server.throttle.address-lockout-threshold", "400",
                        "gatehouse.server.throttle.forget-after", "2h"))
                .policy();
        assertThat(policy)
                .isEqualTo(new ThrottlePolicy(
                        5,
                        Duration.ofSeconds(2),
                        Duration.ofMinutes(1),
                        8,
                        Duration.ofMinutes(30),
                        40,
                        400,
                        Duration.ofHours(2)));
    }

    @Test
    void bindWhenLockoutNotAboveFreeAttemptsThenStartUpFailsWithThePolicysReason() {
        assertThatThrownBy(() -> bind(Map.of(
                        "gatehouse.server.throttle.free-attempts",
                        "5",
                        "gatehouse.server.throttle.lockout-threshold",
                        "5")))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("pairLockoutThreshold must be greater than freeAttempts");
    }

    private static ThrottleProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("gatehouse.server.throttle", ThrottleProperties.class);
    }
}
