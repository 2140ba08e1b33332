package dev.gatehouse.core.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Deep, immutable copies of attribute values so requests can be cached and shared between threads. Values
 * are normalised to the JSON/CEL value space: {@code String}, {@code Boolean}, {@code Long} (all integral
 * types), {@code Double} (float, double), {@code List} and {@code Map<String, ?>}; anything else is refused,
 * so an attribute cannot smuggle a mutable or identity-compared object into a cache key.
 */
public final class Attributes {

    private static final int MAX_DEPTH = 16;

    private Attributes() {}

    /**
     * An immutable, normalised copy of an attribute map.
     *
     * @param attributes the attributes; keys and values must not be {@code null}
     * @return an unmodifiable copy preserving iteration order
     * @throws PolicyException ({@code policy.invalid_request}) for an unsupported value
     */
    public static Map<String, Object> copy(Map<String, ?> attributes) {
        Objects.requireNonNull(attributes, "attributes must not be null");
        return copyMap(attributes, 0);
    }

    private static Map<String, Object> copyMap(Map<?, ?> map, int depth) {
        if (map.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw invalid("attribute keys must be strings");
            }
            out.put(key, value(e.getValue(), depth + 1));
        }
        return Collections.unmodifiableMap(out);
    }

    private static Object value(Object v, int depth) {
        if (depth > MAX_DEPTH) {
            throw invalid("attributes nest deeper than " + MAX_DEPTH + " levels");
        }
        if (v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof Map<?, ?> m) {
            return copyMap(m, depth);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                out.add(value(o, depth + 1));
            }
            return List.copyOf(out);
        }
        if (v == null) {
            throw invalid("attribute values must not be null; leave the attribute out instead");
        }
        throw invalid("unsupported attribute value type " + v.getClass().getName()
                + "; use String, Boolean, Long, Double, List or Map");
    }

    private static PolicyException invalid(String message) {
        return new PolicyException(PolicyException.Reason.INVALID_REQUEST, message);
    }
}
