package dev.gatehouse.core.policy;

import java.util.Map;
import java.util.Objects;

/**
 * Something the enforcement point must do along with a decision (XACML 3.0 §7.18), e.g. {@code audit} or
 * {@code redact} with parameters. An enforcement point that cannot fulfil an obligation must deny.
 *
 * @param id what to do
 * @param attributes its parameters, in the {@link Attributes} value space
 */
public record Obligation(String id, Map<String, Object> attributes) {

    /** Checks and copies values. */
    public Obligation {
        Objects.requireNonNull(id, "id must not be null");
        attributes = Attributes.copy(Objects.requireNonNull(attributes, "attributes must not be null"));
    }
}
