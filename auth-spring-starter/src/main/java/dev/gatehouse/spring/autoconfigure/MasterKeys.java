package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.crypto.CryptoException;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.crypto.MasterKeyResolution;
import dev.gatehouse.core.crypto.MasterKeyResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;

/**
 * Resolves the master key with auth-core's {@link MasterKeyResolver}: {@code gatehouse.master-key}, else {@code
 * GATEHOUSE_MASTER_KEY}, else (dev mode) an ephemeral key; its refusals become {@link
 * GatehouseConfigurationException}s naming the feature that needs the key.
 */
final class MasterKeys {

    private static final Logger log = LoggerFactory.getLogger(MasterKeys.class);

    private MasterKeys() {}

    static Envelope envelope(GatehouseProperties properties, Environment environment, String feature) {
        MasterKeyResolution resolution;
        try {
            resolution = MasterKeyResolver.builder()
                    .configured(properties.masterKey(), "gatehouse.master-key")
                    .environment(environment::getProperty)
                    .devMode(properties.devMode())
                    .ephemeralDevelopmentKey()
                    .build()
                    .resolve();
        } catch (CryptoException e) {
            if (e.reason() == CryptoException.Reason.MISSING_MASTER_KEY) {
                throw new GatehouseConfigurationException(
                        feature + " needs a master key: it seals private keys and secrets at rest, and neither "
                                + MasterKey.ENVIRONMENT_VARIABLE + " nor gatehouse.master-key is set.",
                        "Set " + MasterKey.ENVIRONMENT_VARIABLE + " (or gatehouse.master-key) to 32 random bytes in"
                                + " Base64, e.g. `openssl rand -base64 32`, the same on every node; for local"
                                + " development only, set gatehouse.dev-mode=true.",
                        null);
            }
            throw new GatehouseConfigurationException(
                    "gatehouse.master-key / " + MasterKey.ENVIRONMENT_VARIABLE + " is invalid: " + e.getMessage(),
                    "Set it to the master key that sealed the existing keys and secrets; for a new installation,"
                            + " generate one with `openssl rand -base64 32` (32 random bytes in Base64).",
                    e);
        }
        if (resolution instanceof MasterKeyResolution.Ephemeral) {
            log.warn(
                    "gatehouse.dev-mode=true: {} uses an EPHEMERAL master key; everything it seals is lost on restart. "
                            + "Never run like this in production.",
                    feature);
        }
        return Envelope.of(resolution.key());
    }
}
