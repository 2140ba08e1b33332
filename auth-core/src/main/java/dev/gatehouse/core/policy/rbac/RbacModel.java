package dev.gatehouse.core.policy.rbac;

import dev.gatehouse.core.policy.PolicyDocuments;
import dev.gatehouse.core.policy.PolicyException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Roles, their inheritance, their permissions and who holds them; immutable once built. Inheritance is a
 * directed acyclic graph ({@code editor} inherits {@code viewer}: an editor may do all a viewer may); a
 * cycle is refused at build time with the cycle named. The closure of every role (itself, all roles it
 * inherits, all their permissions) is computed once at build, so a check is a few hash lookups (NIST RBAC,
 * ANSI INCITS 359-2004, "hierarchical RBAC").
 *
 * <p>In a file (YAML or JSON):
 *
 * <pre>{@code
 * id: documents-rbac
 * actions: [read, write, delete]       # optional: any other action is refused as unknown
 * roles:
 *   viewer: { permissions: ["document:read"] }
 *   editor: { inherits: [viewer], permissions: ["document:write"] }
 *   admin:  { inherits: [editor], permissions: ["document:delete", "report:*"] }
 * assignments:
 *   - { subject: alice, role: admin }
 *   - { subject: bob, role: editor, tenant: acme }   # only in tenant acme
 * }</pre>
 */
public final class RbacModel {

    private static final String GLOBAL = "";

    private final String id;
    private final Set<String> actions;
    private final Map<String, Set<String>> closure;
    private final Map<String, Set<String>> grants;
    private final Map<String, Map<String, Set<String>>> assignments;

    private RbacModel(
            String id,
            Set<String> actions,
            Map<String, Set<String>> closure,
            Map<String, Set<String>> grants,
            Map<String, Map<String, Set<String>>> assignments) {
        this.id = id;
        this.actions = actions;
        this.closure = closure;
        this.grants = grants;
        this.assignments = assignments;
    }

    /**
     * A new builder.
     *
     * @param id the model id, used in decisions
     * @return the builder
     */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /**
     * Loads a model from a YAML or JSON file (format above).
     *
     * @param file the file
     * @return the model
     * @throws PolicyException if unreadable, malformed, or with a role cycle
     */
    public static RbacModel load(Path file) {
        return fromDocument(PolicyDocuments.read(file), file.toString());
    }

    /**
     * Builds a model from a parsed document (format above).
     *
     * @param doc the document
     * @param source where it came from, for messages
     * @return the model
     */
    public static RbacModel fromDocument(Map<String, Object> doc, String source) {
        String id = PolicyDocuments.string(doc, "id", source);
        Builder b = builder(id);
        PolicyDocuments.strings(doc, "actions", source).forEach(b::action);
        for (Map.Entry<?, ?> e : PolicyDocuments.map(doc, "roles", source).entrySet()) {
            // YAML keys need not be strings ("1:", "~:"); a role name must be.
            if (!(e.getKey() instanceof String name)) {
                throw new PolicyException(
                        PolicyException.Reason.INVALID_POLICY, source + ": role names must be strings");
            }
            String where = source + ": role '" + name + "'";
            Map<?, ?> role = e.getValue() == null ? Map.of() : asMap(e.getValue(), where);
            b.role(
                    name,
                    PolicyDocuments.strings(role, "inherits", where),
                    PolicyDocuments.strings(role, "permissions", where).stream()
                            .map(Permission::parse)
                            .toList());
        }
        List<?> list = PolicyDocuments.list(doc, "assignments", source);
        for (int i = 0; i < list.size(); i++) {
            String where = source + ": assignments[" + i + "]";
            Map<?, ?> a = asMap(list.get(i), where);
            b.assign(
                    PolicyDocuments.string(a, "subject", where),
                    PolicyDocuments.string(a, "role", where),
                    PolicyDocuments.optionalString(a, "tenant", where));
        }
        return b.build();
    }

    private static Map<?, ?> asMap(Object o, String where) {
        if (o instanceof Map<?, ?> m) {
            return m;
        }
        throw new PolicyException(PolicyException.Reason.INVALID_POLICY, where + " must be a mapping");
    }

    /**
     * The model id.
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * The declared actions; empty if the model accepts any.
     *
     * @return the actions
     */
    public Set<String> actions() {
        return actions;
    }

    /**
     * The roles defined.
     *
     * @return role names
     */
    public Set<String> roles() {
        return closure.keySet();
    }

    /**
     * A role and every role it inherits, directly or not.
     *
     * @param role a defined role
     * @return the closure, including {@code role}; empty for an unknown role
     */
    public Set<String> closureOf(String role) {
        return closure.getOrDefault(role, Set.of());
    }

    /**
     * Roles assigned to a subject, globally and in the tenant.
     *
     * @param subject the subject id
     * @param tenant the tenant, or {@code null}
     * @return the assigned roles (not expanded)
     */
    public Set<String> assignedRoles(String subject, @Nullable String tenant) {
        Map<String, Set<String>> byTenant = assignments.get(subject);
        if (byTenant == null) {
            return Set.of();
        }
        Set<String> global = byTenant.getOrDefault(GLOBAL, Set.of());
        if (tenant == null) {
            return global;
        }
        Set<String> scoped = byTenant.getOrDefault(tenant, Set.of());
        if (scoped.isEmpty()) {
            return global;
        }
        Set<String> all = new HashSet<>(global);
        all.addAll(scoped);
        return all;
    }

    /**
     * Whether a role (with everything it inherits) grants an action on a resource type: at most four hash
     * lookups.
     *
     * @param role the role
     * @param resourceType the resource type
     * @param action the action
     * @return whether it is granted
     */
    public boolean grants(String role, String resourceType, String action) {
        Set<String> g = grants.get(role);
        if (g == null) {
            return false;
        }
        return g.contains(resourceType + ':' + action)
                || g.contains(resourceType + ":*")
                || g.contains("*:" + action)
                || g.contains("*:*");
    }

    @Override
    public String toString() {
        return "RbacModel[" + id + ", " + closure.size() + " roles]";
    }

    /** Builds an {@link RbacModel}. Not thread-safe. */
    public static final class Builder {
        private final String id;
        private final Set<String> actions = new LinkedHashSet<>();
        private final Map<String, List<String>> parents = new LinkedHashMap<>();
        private final Map<String, Set<Permission>> permissions = new LinkedHashMap<>();
        private final Map<String, Map<String, Set<String>>> assignments = new HashMap<>();

        private Builder(String id) {
            Objects.requireNonNull(id, "id must not be null");
            if (id.isBlank()) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "model id must not be blank");
            }
            this.id = id;
        }

        /**
         * Declares an action; once any is declared, requests for other actions are refused as unknown.
         *
         * @param action the action
         * @return this builder
         */
        public Builder action(String action) {
            Objects.requireNonNull(action, "action must not be null");
            actions.add(action);
            return this;
        }

        /**
         * Defines a role.
         *
         * @param name the role name
         * @param inherits roles it inherits (must be defined by {@link #build()})
         * @param grants its own permissions
         * @return this builder
         */
        public Builder role(String name, List<String> inherits, List<Permission> grants) {
            Objects.requireNonNull(name, "name must not be null");
            if (name.isBlank()) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "role name must not be blank");
            }
            if (parents.containsKey(name)) {
                throw new PolicyException(
                        PolicyException.Reason.INVALID_POLICY, "role '" + name + "' is defined twice");
            }
            parents.put(name, List.copyOf(inherits));
            permissions.put(name, new LinkedHashSet<>(grants));
            return this;
        }

        /**
         * Defines a role from {@code resource:action} strings.
         *
         * @param name the role name
         * @param inherits roles it inherits
         * @param grants permissions such as {@code document:read}
         * @return this builder
         */
        public Builder role(String name, List<String> inherits, String... grants) {
            List<Permission> list = new ArrayList<>();
            for (String g : grants) {
                list.add(Permission.parse(g));
            }
            return role(name, inherits, list);
        }

        /**
         * Assigns a role to a subject everywhere.
         *
         * @param subject the subject id
         * @param role the role
         * @return this builder
         */
        public Builder assign(String subject, String role) {
            return assign(subject, role, null);
        }

        /**
         * Assigns a role to a subject, in one tenant or everywhere.
         *
         * @param subject the subject id
         * @param role the role
         * @param tenant the tenant, or {@code null} for every tenant
         * @return this builder
         */
        public Builder assign(String subject, String role, @Nullable String tenant) {
            Objects.requireNonNull(subject, "subject must not be null");
            Objects.requireNonNull(role, "role must not be null");
            String t = tenant == null ? GLOBAL : tenant;
            if (tenant != null && tenant.isBlank()) {
                throw new PolicyException(PolicyException.Reason.INVALID_POLICY, "tenant must not be blank");
            }
            assignments
                    .computeIfAbsent(subject, k -> new HashMap<>())
                    .computeIfAbsent(t, k -> new HashSet<>())
                    .add(role);
            return this;
        }

        /**
         * Checks the model and precomputes every role's closure.
         *
         * @return the model
         * @throws PolicyException ({@code policy.role_cycle}) naming a cycle, ({@code policy.invalid_policy})
         *     for an undefined role
         */
        public RbacModel build() {
            for (Map.Entry<String, List<String>> e : parents.entrySet()) {
                for (String p : e.getValue()) {
                    if (!parents.containsKey(p)) {
                        throw new PolicyException(
                                PolicyException.Reason.INVALID_POLICY,
                                "role '" + e.getKey() + "' inherits undefined role '" + p + "'");
                    }
                }
            }
            for (Map.Entry<String, Map<String, Set<String>>> e : assignments.entrySet()) {
                for (Set<String> roles : e.getValue().values()) {
                    for (String r : roles) {
                        if (!parents.containsKey(r)) {
                            throw new PolicyException(
                                    PolicyException.Reason.INVALID_POLICY,
                                    "subject '" + e.getKey() + "' is assigned undefined role '" + r + "'");
                        }
                    }
                }
            }
            detectCycles();
            Map<String, Set<String>> closure = new HashMap<>();
            Map<String, Set<String>> grants = new HashMap<>();
            for (String role : parents.keySet()) {
                Set<String> c = new LinkedHashSet<>();
                Deque<String> todo = new ArrayDeque<>(List.of(role));
                while (!todo.isEmpty()) {
                    String r = todo.pop();
                    if (c.add(r)) {
                        todo.addAll(parents.get(r));
                    }
                }
                Set<String> g = new HashSet<>();
                for (String r : c) {
                    // Every role reached was checked as defined above, and role() fills both maps.
                    for (Permission p : Objects.requireNonNull(permissions.get(r))) {
                        g.add(p.toString());
                    }
                }
                closure.put(role, Collections.unmodifiableSet(c));
                grants.put(role, Set.copyOf(g));
            }
            Map<String, Map<String, Set<String>>> frozen = new HashMap<>();
            assignments.forEach((s, byTenant) -> {
                Map<String, Set<String>> m = new HashMap<>();
                byTenant.forEach((t, roles) -> m.put(t, Set.copyOf(roles)));
                frozen.put(s, Map.copyOf(m));
            });
            return new RbacModel(id, Set.copyOf(actions), Map.copyOf(closure), Map.copyOf(grants), Map.copyOf(frozen));
        }

        private void detectCycles() {
            // Depth-first search with three colours; the grey path is the cycle when a grey node is reached.
            Map<String, Integer> colour = new HashMap<>();
            for (String root : parents.keySet()) {
                visit(root, colour, new ArrayList<>());
            }
        }

        private void visit(String role, Map<String, Integer> colour, List<String> path) {
            Integer c = colour.get(role);
            if (c != null && c == 2) {
                return;
            }
            if (c != null && c == 1) {
                List<String> cycle = new ArrayList<>(path.subList(path.indexOf(role), path.size()));
                cycle.add(role);
                throw new PolicyException(
                        PolicyException.Reason.ROLE_CYCLE,
                        "role inheritance must be acyclic; cycle: " + String.join(" -> ", cycle));
            }
            colour.put(role, 1);
            path.add(role);
            // build() checked that every inherited role is defined before the search.
            for (String p : Objects.requireNonNull(parents.get(role))) {
                visit(p, colour, path);
            }
            path.remove(path.size() - 1);
            colour.put(role, 2);
        }
    }
}
