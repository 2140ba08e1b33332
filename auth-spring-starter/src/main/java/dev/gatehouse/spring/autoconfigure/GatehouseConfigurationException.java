package dev.gatehouse.spring.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * An unsafe or incomplete Gatehouse configuration, found at start-up. The message names the property and
 * says how to fix it; the application does not start. Spring Boot prints it as "APPLICATION FAILED TO START"
 * with a Description and an Action. Messages never contain a secret.
 */
public final class GatehouseConfigurationException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String description;
    private final @Nullable String action;

    GatehouseConfigurationException(String message) {
        this(message, null, null);
    }

    GatehouseConfigurationException(String message, Throwable cause) {
        this(message, null, cause);
    }

    GatehouseConfigurationException(String description, @Nullable String action, @Nullable Throwable cause) {
        super(action == null ? description : description + " " + action, cause);
        this.description = description;
        this.action = action;
    }

    /**
     * What is wrong, naming the property.
     *
     * @return the description
     */
    public String description() {
        return description;
    }

    /**
     * How to fix it, when it is said apart from the description.
     *
     * @return the action, or {@code null} when the description says it
     */
    public @Nullable String action() {
        return action;
    }
}
