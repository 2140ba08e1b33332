package dev.gatehouse.server.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.RotationPolicy;
import dev.gatehouse.spring.autoconfigure.GatehouseProperties;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class KeysConfigurationTests {

    private static GatehouseProperties.Token token(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("gatehouse", GatehouseProperties.class)
                .token();
    }

    @Test
    void tokenSettingsWhenUnsetThenTheRingDefaultsTheServerAlwaysHad() {
        GatehouseProperties.Token token = token(Map.of());

        assertThat(KeysConfiguration.signingAlgorithm(token)).isEqualTo(KeyRing.DEFAULT_ALGORITHM);
        assertThat(new RotationPolicy(token.rotateEvery(), token.prepublish(), token.retireAfter()))
                .isEqualTo(RotationPolicy.defaults());
    }

    @Test
    void signingAlgorithmWhenConfiguredAsymmetricThenUsed() {
        assertThat(KeysConfiguration.signingAlgorithm(token(Map.of("gatehouse.token.algorithm", "ES256"))))
                .isEqualTo(JwsAlgorithm.ES256);
    }

    @Test
    void signingAlgorithmWhenHmacThenRefusedNamingTheProperty() {
        assertThatIllegalStateException()
                .isThrownBy(
                        () -> KeysConfiguration.signingAlgorithm(token(Map.of("gatehouse.token.algorithm", "HS256"))))
                .withMessageContaining("gatehouse.token.algorithm=HS256")
                .withMessageContaining("RS256");
    }
}
