package dev.gatehouse.server.admin;

import dev.gatehouse.core.policy.PolicyException;
import dev.gatehouse.core.policy.rbac.Permission;
import dev.gatehouse.core.policy.rbac.RbacModel;
import dev.gatehouse.server.users.JdbcRoleStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Roles and their permissions, for the admin API and the {@code permissions} claim of access tokens, stored by the
 * users package's {@link JdbcRoleStore}. Names and permissions follow auth-core's RBAC rules (a role and its
 * permissions must build an {@link RbacModel}; permissions are {@link Permission} {@code resource:action}).
 *
 * <p>Built-in roles ({@code admin}, {@code auditor}, {@code admin-client}) are the admin API's own: what they may do
 * there is fixed in code ({@link AdminPolicy}), so their stored permissions mirror it and cannot be changed, and they
 * cannot be deleted. Every change runs in one transaction that ends with the {@link LastAdminGuard} check.
 */
@Component
final class RoleAdministration {

    /** Role names: a letter, then letters, digits and {@code . _ -}. */
    static final String NAME = "[A-Za-z][A-Za-z0-9._-]*";

    /** Permissions: printable ASCII without spaces (they travel in a JWT claim), at most this long. */
    static final int MAX_PERMISSION_LENGTH = 200;

    private final JdbcRoleStore store;
    private final TransactionTemplate tx;
    private final LastAdminGuard lastAdmin;

    RoleAdministration(JdbcRoleStore store, TransactionTemplate tx, LastAdminGuard lastAdmin) {
        this.store = store;
        this.tx = tx;
        this.lastAdmin = lastAdmin;
    }

    /**
     * A role.
     *
     * @param name the role name
     * @param description what it is for
     * @param permissions its permissions ({@code resource:action}), sorted
     * @param builtin whether it is one of the admin API's own roles (permissions fixed, not deletable)
     * @param users how many users hold it
     * @param createdAt when it was created
     */
    record RoleView(
            String name,
            String description,
            List<String> permissions,
            boolean builtin,
            long users,
            @Nullable Instant createdAt) {}

    Optional<RoleView> find(String name) {
        return store.find(name).map(role -> views(List.of(role)).get(0));
    }

    RoleView get(String name) {
        return find(name).orElseThrow(() -> AdminException.notFound("Role '" + name + "'"));
    }

    Paging.Page<RoleView> list(Paging paging) {
        long total = store.count();
        return paging.page(views(store.page(paging.size(), paging.offset())), total);
    }

    /** The roles of {@code names} that do not exist, in the order given. */
    List<String> unknown(List<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        List<String> known = store.existing(names);
        return names.stream().filter(n -> !known.contains(n)).distinct().toList();
    }

    RoleView create(String name, String description, List<String> permissions) {
        List<String> checked = check(name, permissions);
        if (find(name).isPresent()) {
            throw AdminException.conflict("admin.role.exists", "Role '" + name + "' already exists.");
        }
        tx.executeWithoutResult(status -> {
            store.create(name, description, checked);
        });
        return get(name);
    }

    /** Replaces the permission set and, unless {@code null}, the description (in one transaction). */
    RoleView update(String name, @Nullable String description, List<String> permissions) {
        List<String> checked = check(name, permissions);
        tx.executeWithoutResult(status -> {
            Boolean builtin = builtin(name);
            if (Boolean.TRUE.equals(builtin)
                    && !checked.equals(List.copyOf(new TreeSet<>(
                            AdminPolicy.PERMISSIONS.getOrDefault(name, get(name).permissions()))))) {
                throw AdminException.conflict(
                        "admin.role.builtin",
                        "Role '" + name + "' is built in: its permissions are those of the admin API and cannot be"
                                + " changed (its description can).");
            }
            if (description != null) {
                store.setDescription(name, description);
            }
            store.replacePermissions(name, checked);
            lastAdmin.requireAWayIn();
        });
        return get(name);
    }

    /** Deletes a role no user holds; built-in roles stay. */
    void delete(String name) {
        tx.executeWithoutResult(status -> {
            if (Boolean.TRUE.equals(builtin(name))) {
                throw AdminException.conflict(
                        "admin.role.builtin", "Role '" + name + "' is built in and cannot be deleted.");
            }
            long holders = store.holders(List.of(name)).getOrDefault(name, 0L);
            if (holders > 0) {
                throw AdminException.conflict(
                        "admin.role.in_use",
                        "Role '" + name + "' is held by " + holders + " user(s); take it from them first.");
            }
            store.delete(name);
            lastAdmin.requireAWayIn();
        });
    }

    /** Locks the role's row for the rest of the transaction; 404 if it does not exist. */
    private Boolean builtin(String name) {
        return store.lockBuiltin(name).orElseThrow(() -> AdminException.notFound("Role '" + name + "'"));
    }

    /**
     * Checks a role and its permissions against auth-core's RBAC rules (by building a model of it), plus the limits
     * of a JWT claim; returns the permissions deduplicated and sorted. All problems at once, as field errors.
     */
    static List<String> check(String name, List<String> permissions) {
        List<Map<String, String>> errors = new ArrayList<>();
        if (name.length() > 100 || !name.matches(NAME)) {
            errors.add(error(
                    "name",
                    "admin.invalid_role",
                    "role must start with a letter and contain only letters, digits and . _ - (at most 100)."));
        }
        List<Permission> parsed = new ArrayList<>();
        for (int i = 0; i < permissions.size(); i++) {
            String p = permissions.get(i);
            String field = "permissions[" + i + "]";
            if (p == null || p.isEmpty() || p.length() > MAX_PERMISSION_LENGTH || !p.matches("[\\x21-\\x7E]+")) {
                errors.add(error(
                        field,
                        "admin.invalid_permission",
                        "permission must be 1 to " + MAX_PERMISSION_LENGTH
                                + " printable ASCII characters without spaces."));
                continue;
            }
            try {
                parsed.add(Permission.parse(p));
            } catch (PolicyException e) {
                errors.add(error(
                        field,
                        "admin.invalid_permission",
                        "permission must be resource:action, each part a name without ':' or exactly '*'"
                                + " (e.g. document:read, document:*, *:read)."));
            }
        }
        if (errors.isEmpty()) {
            try {
                RbacModel.builder("gatehouse-roles")
                        .role(name, List.of(), parsed)
                        .build();
            } catch (PolicyException e) {
                errors.add(error("name", "admin.invalid_role", "the role is refused by the RBAC model."));
            }
        }
        if (!errors.isEmpty()) {
            throw new AdminException(
                    HttpStatus.BAD_REQUEST, "admin.invalid_fields", "The request has invalid fields.", errors);
        }
        TreeSet<String> sorted = new TreeSet<>();
        parsed.forEach(p -> sorted.add(p.toString()));
        return List.copyOf(sorted);
    }

    private static Map<String, String> error(String field, String code, String message) {
        return Map.of("field", field, "code", code, "message", message);
    }

    private List<RoleView> views(List<JdbcRoleStore.StoredRole> roles) {
        if (roles.isEmpty()) {
            return List.of();
        }
        List<String> names = roles.stream().map(JdbcRoleStore.StoredRole::name).toList();
        Map<String, TreeSet<String>> permissions = store.permissions(names);
        Map<String, Long> holders = store.holders(names);
        List<RoleView> out = new ArrayList<>();
        for (JdbcRoleStore.StoredRole r : roles) {
            out.add(new RoleView(
                    r.name(),
                    r.description(),
                    List.copyOf(permissions.getOrDefault(r.name(), new TreeSet<>())),
                    r.builtin(),
                    holders.getOrDefault(r.name(), 0L),
                    r.createdAt()));
        }
        return out;
    }
}
