package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;

/** Resolves the master key: {@code gatehouse.master-key}, else {@code GATEHOUSE_MASTER_KEY}, else dev mode. */
final class MasterKeys {

    private static final Logger log = LoggerFactory.getLogger(MasterKeys.class);

    private MasterKeys() {}

    static Envelope envelope(GatehouseProperties properties, Environment environment, String feature) {
        String configured = properties.masterKey();
        if (configured == null || configured.isBlank()) {
            configured = environment.getProperty(MasterKey.ENVIRONMENT_VARIABLE);
        }
        if (configured != null && !configured.isBlank()) {
            try {
                return Envelope.of(MasterKey.fromBase64(configured));
            } catch (GatehouseException e) {
                throw new GatehouseConfigurationException(
                        "gatehouse.master-key / " + MasterKey.ENVIRONMENT_VARIABLE + " is invalid: " + e.getMessage(),
                        e);
            }
        }
        if (properties.devMode()) {
            log.warn(
                    "gatehouse.dev-mode=true: {} uses an EPHEMERAL master key; everything it seals is lost on restart. "
                            + "Never run like this in production.",
                    feature);
            return Envelope.of(MasterKey.ephemeralForDevelopment());
        }
        throw new GatehouseConfigurationException(feature + " needs a master key: set " + MasterKey.ENVIRONMENT_VARIABLE
                + " (or gatehouse.master-key) to 32 random bytes in Base64, e.g. `openssl rand -base64 32`; "
                + "for local development only, set gatehouse.dev-mode=true");
    }
}
