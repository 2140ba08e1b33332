package dev.gatehouse.core;

/**
 * Root of every exception Gatehouse throws. Each capability has one unchecked subclass carrying a
 * machine-readable {@linkplain #code() code}, so HTTP layers can map failures to RFC 6749 / RFC 9457
 * responses without parsing messages.
 *
 * <p>Messages explain what was wrong and how to fix it. They never contain a password, secret, token or
 * stored hash.
 */
public abstract class GatehouseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected GatehouseException(String message) {
        super(message);
    }

    protected GatehouseException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A stable, machine-readable code such as {@code password.malformed_hash}.
     *
     * @return the code, never {@code null}
     */
    public abstract String code();
}
