package dev.gatehouse.core.policy;

import dev.gatehouse.core.internal.OptionalLibrary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads YAML or JSON documents — RBAC models, ABAC policies, access requests — safely: SnakeYAML's safe
 * constructor (maps, lists and scalars only, never Java objects), a size cap (4 MiB) and an alias cap. JSON is
 * read as YAML, of which it is a subset for documents like these. The typed field readers ({@link #string},
 * {@link #strings}, {@link #map}, {@link #list}) are how the engines, and an application's own {@link
 * PolicyEngine}, read their formats with one kind of error: {@code policy.invalid_policy} naming the place and key.
 */
public final class PolicyDocuments {

    /** Largest document read: 4 MiB. */
    static final int MAX_BYTES = 4 * 1024 * 1024;

    private PolicyDocuments() {}

    /**
     * Reads a file whose top level is a mapping.
     *
     * @param file a {@code .yaml}, {@code .yml} or {@code .json} file
     * @return the mapping
     * @throws PolicyException ({@code policy.unavailable}) if unreadable, ({@code policy.invalid_policy}) if
     *     malformed
     */
    public static Map<String, Object> read(Path file) {
        requireYaml();
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new PolicyException(
                        PolicyException.Reason.INVALID_POLICY, file + " is larger than " + MAX_BYTES + " bytes");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PolicyException(PolicyException.Reason.UNAVAILABLE, "cannot read " + file + ": " + e, e);
        }
        return parse(text, file.toString());
    }

    /**
     * Reads an access request from a file in the shape of {@link AccessRequest#toMap()}.
     *
     * @param file the file
     * @return the request
     * @throws PolicyException ({@code policy.invalid_request}) if a part is missing or mistyped
     */
    public static AccessRequest readRequest(Path file) {
        return AccessRequest.fromMap(read(file));
    }

    /**
     * Parses text whose top level is a mapping.
     *
     * @param text YAML or JSON
     * @param source the name used in error messages
     * @return the mapping
     * @throws PolicyException ({@code policy.invalid_policy}) if it is not a mapping or not well-formed
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String text, String source) {
        requireYaml();
        Object doc;
        try {
            doc = SnakeYaml.load(text);
        } catch (RuntimeException e) {
            // YAMLException for most malformed text, but SnakeYAML's constructors also let through an
            // IllegalArgumentException (a !!binary that is not Base64) and a ClassCastException (a !!set tag on a
            // scalar): every failure to load is the document's fault.
            throw new PolicyException(
                    PolicyException.Reason.INVALID_POLICY, source + " is not valid YAML/JSON: " + e.getMessage(), e);
        }
        if (!(doc instanceof Map<?, ?> m)) {
            throw new PolicyException(
                    PolicyException.Reason.INVALID_POLICY, source + " must hold a mapping at the top");
        }
        return (Map<String, Object>) m;
    }

    /**
     * A string field.
     *
     * @param map the mapping
     * @param key the key
     * @param where the location for messages, e.g. {@code policy 'p' rules[2]}
     * @return the value
     * @throws PolicyException if absent or not a string
     */
    public static String string(Map<?, ?> map, String key, String where) {
        Object v = map.get(key);
        if (v instanceof String s && !s.isBlank()) {
            return s;
        }
        throw new PolicyException(
                PolicyException.Reason.INVALID_POLICY, where + ": '" + key + "' must be a non-blank string");
    }

    /**
     * An optional string field.
     *
     * @param map the mapping
     * @param key the key
     * @param where the location for messages
     * @return the value or {@code null}
     */
    public static @Nullable String optionalString(Map<?, ?> map, String key, String where) {
        return map.get(key) == null ? null : string(map, key, where);
    }

    /**
     * A list of strings, empty if absent; a single string counts as a list of one.
     *
     * @param map the mapping
     * @param key the key
     * @param where the location for messages
     * @return the strings
     */
    public static List<String> strings(Map<?, ?> map, String key, String where) {
        Object v = map.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> l) {
            for (Object o : l) {
                if (!(o instanceof String)) {
                    throw new PolicyException(
                            PolicyException.Reason.INVALID_POLICY, where + ": '" + key + "' must list strings");
                }
            }
            return l.stream().map(String.class::cast).toList();
        }
        throw new PolicyException(
                PolicyException.Reason.INVALID_POLICY, where + ": '" + key + "' must be a list of strings");
    }

    /**
     * A mapping field, empty if absent.
     *
     * @param map the mapping
     * @param key the key
     * @param where the location for messages
     * @return the mapping
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Map<?, ?> map, String key, String where) {
        Object v = map.get(key);
        if (v == null) {
            return Map.of();
        }
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new PolicyException(PolicyException.Reason.INVALID_POLICY, where + ": '" + key + "' must be a mapping");
    }

    /**
     * A list field, empty if absent.
     *
     * @param map the mapping
     * @param key the key
     * @param where the location for messages
     * @return the list
     */
    public static List<?> list(Map<?, ?> map, String key, String where) {
        Object v = map.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return l;
        }
        throw new PolicyException(PolicyException.Reason.INVALID_POLICY, where + ": '" + key + "' must be a list");
    }

    private static void requireYaml() {
        if (!OptionalLibrary.SNAKEYAML.isPresent()) {
            throw new PolicyException(
                    PolicyException.Reason.LIBRARY_MISSING,
                    OptionalLibrary.SNAKEYAML.missingMessage("policy documents (YAML or JSON)"));
        }
    }

    /** SnakeYAML's types stay in this class, linked only when a document is parsed (SnakeYAML is optional). */
    private static final class SnakeYaml {

        private SnakeYaml() {}

        static @Nullable Object load(String text) {
            LoaderOptions options = new LoaderOptions();
            options.setMaxAliasesForCollections(20);
            options.setAllowDuplicateKeys(false);
            options.setCodePointLimit(MAX_BYTES);
            return new Yaml(new SafeConstructor(options)).load(text);
        }
    }
}
