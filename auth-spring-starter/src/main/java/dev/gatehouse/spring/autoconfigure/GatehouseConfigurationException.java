package dev.gatehouse.spring.autoconfigure;

/**
 * An unsafe or incomplete Gatehouse configuration, found at start-up. The message names the property and
 * says how to fix it; the application does not start.
 */
public final class GatehouseConfigurationException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    GatehouseConfigurationException(String message) {
        super(message);
    }

    GatehouseConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
