package dev.gatehouse.core.policy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Shared fixtures of the policy tests. */
public final class PolicyTestSupport {

    private PolicyTestSupport() {}

    /**
     * A test resource as a path.
     *
     * @param name e.g. {@code policy/rbac.yaml}
     * @return the path
     */
    public static Path resource(String name) {
        try {
            return Path.of(
                    PolicyTestSupport.class.getClassLoader().getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A request.
     *
     * @param subject subject id
     * @param roles space-separated roles, may be empty
     * @param action the action
     * @param type the resource type
     * @return the request
     */
    public static AccessRequest request(String subject, String roles, String action, String type) {
        return request(subject, roles, action, type, Map.of());
    }

    /**
     * A request with resource attributes.
     *
     * @param subject subject id
     * @param roles space-separated roles, may be empty
     * @param action the action
     * @param type the resource type
     * @param resourceAttributes attributes
     * @return the request
     */
    public static AccessRequest request(
            String subject, String roles, String action, String type, Map<String, ?> resourceAttributes) {
        Set<String> r = roles == null || roles.isBlank()
                ? Set.of()
                : Arrays.stream(roles.strip().split("\\s+")).collect(Collectors.toSet());
        return AccessRequest.builder()
                .subject(new Subject(subject, r, Map.of()))
                .action(action)
                .resource(new Resource(type, "x-1", Attributes.copy(resourceAttributes)))
                .build();
    }

    /**
     * An engine that always answers {@code effect}, naming itself as the policy and {@code r} as the rule.
     *
     * @param id the engine's and policy's id
     * @param effect its answer to every request
     * @return the engine
     */
    public static PolicyEngine fixed(String id, Evaluation.Effect effect) {
        return new PolicyEngine() {
            @Override
            public Evaluation evaluate(AccessRequest request) {
                return new Evaluation(effect, id, "r", id + " says " + effect, java.util.List.of());
            }

            @Override
            public String id() {
                return id;
            }
        };
    }
}
