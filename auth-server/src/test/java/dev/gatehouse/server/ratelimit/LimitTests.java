package dev.gatehouse.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LimitTests {

    @Test
    void valueOfWhenCapacityAndPeriodThenParsed() {
        assertThat(Limit.valueOf("300/10s")).isEqualTo(new Limit(300, Duration.ofSeconds(10)));
        assertThat(Limit.valueOf(" 60 / 1m ")).isEqualTo(new Limit(60, Duration.ofMinutes(1)));
        assertThat(Limit.valueOf("5/PT2S")).isEqualTo(new Limit(5, Duration.ofSeconds(2)));
    }

    @Test
    void valueOfWhenOffThenOff() {
        assertThat(Limit.valueOf("OFF")).isSameAs(Limit.OFF);
        assertThat(Limit.OFF.isOff()).isTrue();
        assertThat(Limit.OFF).hasToString("off");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "300", "/10s", "300/", "x/10s", "0/10s", "-1/10s", "10/0s", "10/soon"})
    void valueOfWhenMalformedThenExplains(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.valueOf(text));
    }

    @Test
    void toStringWhenLimitThenStableForKeys() {
        assertThat(new Limit(300, Duration.ofSeconds(10))).hasToString("300/10000ms");
    }
}
