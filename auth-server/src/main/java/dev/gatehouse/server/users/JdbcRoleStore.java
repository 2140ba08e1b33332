package dev.gatehouse.server.users;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Roles and their permissions in the database ({@code gh_role}, {@code gh_role_permission}), and how many users hold
 * each ({@code gh_user_role}, written by {@link JdbcUserStore}). The one owner of the role tables: the admin API checks
 * and explains changes, this class stores them. Callers run changes in their own transaction.
 */
@Component
public final class JdbcRoleStore {

    /**
     * A stored role.
     *
     * @param name the role name
     * @param description what it is for
     * @param builtin whether it is one of the admin API's own roles
     * @param createdAt when it was created
     */
    public record StoredRole(
            String name,
            String description,
            boolean builtin,
            @Nullable Instant createdAt) {}

    private final JdbcTemplate jdbc;

    /**
     * Creates the store.
     *
     * @param jdbc the JDBC template
     */
    public JdbcRoleStore(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
    }

    /**
     * A role by name.
     *
     * @param name the name
     * @return the role, if it exists
     */
    public Optional<StoredRole> find(String name) {
        return jdbc
                .query(
                        "SELECT name, description, builtin, created_at FROM gh_role WHERE name = ?",
                        JdbcRoleStore::role,
                        name)
                .stream()
                .findFirst();
    }

    /**
     * One page of roles, by name.
     *
     * @param limit at most this many
     * @param offset skipping this many
     * @return the roles
     */
    public List<StoredRole> page(int limit, long offset) {
        return jdbc.query(
                "SELECT name, description, builtin, created_at FROM gh_role ORDER BY name LIMIT ? OFFSET ?",
                JdbcRoleStore::role,
                limit,
                offset);
    }

    /**
     * How many roles there are.
     *
     * @return the count
     */
    public long count() {
        Long total = jdbc.queryForObject("SELECT COUNT(*) FROM gh_role", Long.class);
        return total == null ? 0 : total;
    }

    /**
     * Which of {@code names} exist.
     *
     * @param names role names
     * @return the existing ones
     */
    public List<String> existing(Collection<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        return jdbc.queryForList(
                "SELECT name FROM gh_role WHERE name IN (" + placeholders(names) + ")", String.class, names.toArray());
    }

    /**
     * Stores a new role with its permissions.
     *
     * @param name the name
     * @param description what it is for
     * @param permissions its permissions
     */
    public void create(String name, String description, Collection<String> permissions) {
        jdbc.update("INSERT INTO gh_role (name, description) VALUES (?, ?)", name, description);
        insertPermissions(name, permissions);
    }

    /**
     * Locks the role's row for the rest of the caller's transaction and tells whether it is built in.
     *
     * @param name the name
     * @return whether it is built in; empty if the role does not exist
     */
    public Optional<Boolean> lockBuiltin(String name) {
        List<Boolean> found =
                jdbc.queryForList("SELECT builtin FROM gh_role WHERE name = ? FOR UPDATE", Boolean.class, name);
        return found.isEmpty() ? Optional.empty() : Optional.of(Boolean.TRUE.equals(found.get(0)));
    }

    /**
     * Replaces a role's description.
     *
     * @param name the name
     * @param description the new description
     */
    public void setDescription(String name, String description) {
        jdbc.update("UPDATE gh_role SET description = ? WHERE name = ?", description, name);
    }

    /**
     * Replaces a role's permissions.
     *
     * @param name the name
     * @param permissions the new permissions
     */
    public void replacePermissions(String name, Collection<String> permissions) {
        jdbc.update("DELETE FROM gh_role_permission WHERE role = ?", name);
        insertPermissions(name, permissions);
    }

    /**
     * Deletes a role (callers check that no user holds it).
     *
     * @param name the name
     */
    public void delete(String name) {
        jdbc.update("DELETE FROM gh_role WHERE name = ?", name);
    }

    /**
     * The permissions of several roles, each sorted.
     *
     * @param roles role names
     * @return permissions by role; roles without permissions are absent
     */
    public Map<String, TreeSet<String>> permissions(Collection<String> roles) {
        Map<String, TreeSet<String>> permissions = new HashMap<>();
        if (roles.isEmpty()) {
            return permissions;
        }
        jdbc.query(
                "SELECT role, permission FROM gh_role_permission WHERE role IN (" + placeholders(roles) + ")",
                (ResultSet rs) -> {
                    permissions
                            .computeIfAbsent(rs.getString(1), k -> new TreeSet<>())
                            .add(rs.getString(2));
                },
                roles.toArray());
        return permissions;
    }

    /**
     * How many users hold each of several roles.
     *
     * @param roles role names
     * @return holders by role; roles nobody holds are absent
     */
    public Map<String, Long> holders(Collection<String> roles) {
        Map<String, Long> holders = new HashMap<>();
        if (roles.isEmpty()) {
            return holders;
        }
        jdbc.query(
                "SELECT role, COUNT(*) FROM gh_user_role WHERE role IN (" + placeholders(roles) + ") GROUP BY role",
                (ResultSet rs) -> {
                    holders.put(rs.getString(1), rs.getLong(2));
                },
                roles.toArray());
        return holders;
    }

    private void insertPermissions(String role, Collection<String> permissions) {
        for (String p : permissions) {
            jdbc.update("INSERT INTO gh_role_permission (role, permission) VALUES (?, ?)", role, p);
        }
    }

    private static String placeholders(Collection<String> values) {
        return String.join(",", Collections.nCopies(values.size(), "?"));
    }

    private static StoredRole role(ResultSet rs, int n) throws SQLException {
        Timestamp created = rs.getTimestamp("created_at");
        return new StoredRole(
                rs.getString("name"),
                rs.getString("description"),
                rs.getBoolean("builtin"),
                created == null ? null : created.toInstant());
    }
}
