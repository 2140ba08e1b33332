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

    private static dev.gatehouse.server.settings.GatehouseProperties.Token server(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("gatehouse", dev.gatehouse.server.settings.GatehouseProperties.class)
                .token();
    }

    @Test
    void publicationDelayWhenUnsetThenJwksMaxAgePlusPollIntervalPlusMarginFarBelowPrepublish() {
        java.time.Duration delay = KeysConfiguration.publicationDelay(server(Map.of()));

        assertThat(delay).isEqualTo(java.time.Duration.ofMinutes(5).plusSeconds(11));
        assertThat(delay.multipliedBy(100)).isLessThan(token(Map.of()).prepublish());
    }

    @Test
    void requireRetiredKeysOutliveTheirTokensWhenRetireAfterTooShortThenRefusedNamingTheProperty() {
        GatehouseProperties.Token shortRetire = token(Map.of("gatehouse.token.retire-after", "6m"));
        dev.gatehouse.server.settings.GatehouseProperties.Token server = server(Map.of());
        java.time.Duration delay = KeysConfiguration.publicationDelay(server);

        assertThatIllegalStateException()
                .isThrownBy(() -> KeysConfiguration.requireRetiredKeysOutliveTheirTokens(shortRetire, server, delay))
                .withMessageContaining("gatehouse.token.retire-after");
        KeysConfiguration.requireRetiredKeysOutliveTheirTokens(token(Map.of()), server, delay); // defaults: 2 days
    }
}
