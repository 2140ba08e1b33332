package dev.gatehouse.spring.autoconfigure;

import java.util.Base64;

/** Reads secrets given as properties; a refusal names the property, never the value or a character of it. */
final class GatehouseSecrets {

    static final String GENERATE = "Generate one with `openssl rand -base64 32` (32 random bytes in Base64; 64 for"
            + " HS512) and keep it in a secret store or an environment variable, never in source control.";

    private GatehouseSecrets() {}

    /**
     * Decodes a Base64 secret.
     *
     * @param value the property's value
     * @param property the property's name, for the message
     * @return the bytes
     * @throws GatehouseConfigurationException if it is not Base64 (without the JDK's message, which quotes the
     *     offending character)
     */
    static byte[] base64(String value, String property) {
        try {
            return Base64.getDecoder().decode(value.strip());
        } catch (IllegalArgumentException e) {
            throw new GatehouseConfigurationException(property + " is not valid Base64.", GENERATE, null);
        }
    }
}
