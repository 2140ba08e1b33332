package dev.gatehouse.server.users;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Users, their roles and the roles' permissions in the database ({@code gh_user}, {@code gh_user_role}, {@code
 * gh_role_permission}). Passwords are stored only as auth-core {@link dev.gatehouse.core.password.PasswordHasher}
 * hashes.
 */
public final class JdbcUserStore {

    /**
     * A stored user.
     *
     * @param username the user name (also the token subject)
     * @param passwordHash the stored hash
     * @param enabled whether the user may sign in
     */
    public record StoredUser(String username, String passwordHash, boolean enabled) {
        @Override
        public String toString() {
            return "StoredUser[" + username + ", enabled=" + enabled + "]";
        }
    }

    private final JdbcTemplate jdbc;

    /**
     * Creates the store.
     *
     * @param jdbc the JDBC template
     */
    public JdbcUserStore(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
    }

    /**
     * Finds a user by name, in any case: by the canonical form ({@link Usernames#canonical}), which new users are
     * stored under, or by the case-folded key of a user created before names were canonical (migration V12; its
     * unique index allows one such user per key). Ambiguous matches (possible only for non-ASCII names written to
     * the database directly, whose key is SQL {@code LOWER}, not NFKC) find nobody: sign-in fails closed.
     *
     * @param username the name as typed
     * @return the user, with the name as stored (the token subject), if exactly one matches
     */
    public Optional<StoredUser> find(String username) {
        String canonical = Usernames.canonical(username);
        List<StoredUser> users = jdbc.query(
                "SELECT username, password_hash, enabled FROM gh_user WHERE username = ? OR username_key = ?",
                (rs, n) -> new StoredUser(rs.getString(1), rs.getString(2), rs.getBoolean(3)),
                canonical,
                canonical);
        return users.size() == 1 ? Optional.of(users.get(0)) : Optional.empty();
    }

    /**
     * Whether any user exists (first-start detection).
     *
     * @return {@code true} if the table is not empty
     */
    public boolean isEmpty() {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM gh_user", Integer.class);
        return n == null || n == 0;
    }

    /**
     * Creates a user with roles, under the canonical form of the name ({@link Usernames#canonical}); a name whose
     * case-folded key exists already is refused by the unique index (a {@code DuplicateKeyException}).
     *
     * @param username the name
     * @param passwordHash the hash
     * @param roles the roles
     * @return the name as stored
     */
    public String create(String username, String passwordHash, List<String> roles) {
        String canonical = Usernames.canonical(username);
        jdbc.update("INSERT INTO gh_user (username, password_hash) VALUES (?, ?)", canonical, passwordHash);
        for (String role : roles) {
            jdbc.update("INSERT INTO gh_user_role (username, role) VALUES (?, ?)", canonical, role);
        }
        return canonical;
    }

    /**
     * Replaces a user's hash, when the hashing policy has moved on; only if the stored hash is still the one that
     * was verified (a concurrent password change wins).
     *
     * @param username the name
     * @param expectedHash the hash that was verified
     * @param newHash the upgraded hash
     * @return whether it was replaced
     */
    public boolean upgradeHash(String username, String expectedHash, String newHash) {
        return jdbc.update(
                        "UPDATE gh_user SET password_hash = ? WHERE username = ? AND password_hash = ?",
                        newHash,
                        username,
                        expectedHash)
                == 1;
    }

    /**
     * The roles of a user, sorted.
     *
     * @param username the name
     * @return the roles (empty for unknown users)
     */
    public List<String> roles(String username) {
        return jdbc.queryForList(
                "SELECT role FROM gh_user_role WHERE username = ? ORDER BY role", String.class, username);
    }

    /**
     * The effective permissions of a user: every permission of every role the user holds, deduplicated and sorted
     * (by Java's string order, not the database collation).
     *
     * @param username the name
     * @return the permissions (empty for unknown users and for roles without permissions)
     */
    public List<String> permissions(String username) {
        return List.copyOf(new TreeSet<>(jdbc.queryForList(
                "SELECT p.permission FROM gh_user_role r JOIN gh_role_permission p ON p.role = r.role"
                        + " WHERE r.username = ?",
                String.class,
                username)));
    }

    /**
     * Whether an operator made the second factor mandatory for this user.
     *
     * @param username the name
     * @return {@code true} if required (unknown users: {@code false}; they cannot sign in anyway)
     */
    public boolean mfaRequired(String username) {
        List<Boolean> found =
                jdbc.queryForList("SELECT mfa_required FROM gh_user WHERE username = ?", Boolean.class, username);
        return !found.isEmpty() && Boolean.TRUE.equals(found.get(0));
    }
}
