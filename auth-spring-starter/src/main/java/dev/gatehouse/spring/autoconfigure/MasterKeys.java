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
                        "Set it to the master key that sealed the existing keys and secrets; for a new installation,"
                                + " generate one with `openssl rand -base64 32` (32 random bytes in Base64).",
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
        throw new GatehouseConfigurationException(
                feature + " needs a master key: it seals private keys and secrets at rest, and neither "
                        + MasterKey.ENVIRONMENT_VARIABLE + " nor gatehouse.master-key is set.",
                "Set " + MasterKey.ENVIRONMENT_VARIABLE + " (or gatehouse.master-key) to 32 random bytes in Base64,"
                        + " e.g. `openssl rand -base64 32`, the same on every node; for local development only, set"
                        + " gatehouse.dev-mode=true.",
                null);
    }
}
