package dev.gatehouse.core.policy;

import dev.gatehouse.core.policy.internal.Documents;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads YAML or JSON documents — RBAC models, ABAC policies, access requests — safely: SnakeYAML's safe
 * constructor (maps, lists and scalars only, never Java objects), a size cap and an alias cap.
 */
public final class PolicyDocuments {

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
        return Documents.read(file);
    }

    /**
     * Reads an access request from a file in the shape of {@link AccessRequest#toMap()}.
     *
     * @param file the file
     * @return the request
     * @throws PolicyException ({@code policy.invalid_request}) if a part is missing or mistyped
     */
    public static AccessRequest readRequest(Path file) {
        return AccessRequest.fromMap(Documents.read(file));
    }
}
