package dev.gatehouse.server.users;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Users, their roles and the roles' permissions in the database ({@code gh_user}, {@code gh_user_role}, {@code
 * gh_role_permission}). Passwords are stored only as auth-core {@link dev.gatehouse.core.password.PasswordHasher}
 * hashes. The one owner of {@code gh_user} and {@code gh_user_role}: sign-in, the admin API and the demo data all
 * read and write users through it.
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

    /**
     * A user's account as operators see it: never the password or its hash.
     *
     * @param username the user name (the token subject)
     * @param enabled whether the user may sign in
     * @param createdAt when the user was created
     * @param mfaRequired whether an operator made the second factor mandatory for this user
     * @param passkeyRequired whether an operator made a phishing-resistant factor (a passkey) mandatory for this user
     */
    public record Account(
            String username,
            boolean enabled,
            @Nullable Instant createdAt,
            boolean mfaRequired,
            boolean passkeyRequired) {}

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
     * Finds the user a sign-in names: by name as {@link #find} does, or, when no name matches, by a verified e-mail
     * address (migration V17), so a user who changed their address signs in with the new one. A name always wins over
     * another user's address. Only for the sign-in form: everything that resolves a token's subject uses {@link
     * #find}, so a subject never resolves to another user through an address.
     *
     * The input is read in its sign-in form ({@link Usernames#forSignIn}: trimmed of any Unicode space, NFKC, lower
     * case).
     *
     * @param typed the name or address as typed
     * @return the user, with the name as stored (the token subject), if exactly one matches
     */
    public Optional<StoredUser> findForSignIn(String typed) {
        // One normal form for the name and the address lookup, the same the attempt limiter counts by.
        String key = Usernames.forSignIn(typed);
        Optional<StoredUser> byName = find(key);
        if (byName.isPresent() || key.indexOf('@') <= 0) {
            return byName;
        }
        List<StoredUser> users = jdbc.query(
                "SELECT username, password_hash, enabled FROM gh_user WHERE email_key = ? AND email_verified = TRUE",
                (rs, n) -> new StoredUser(rs.getString(1), rs.getString(2), rs.getBoolean(3)),
                key);
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
     * Both factor requirements an operator may set on this user, in one query (the factor policy asks on every
     * refresh grant).
     *
     * @param username the name
     * @return the flags (unknown users: neither; they cannot sign in anyway)
     */
    public FactorRequirements factorRequirements(String username) {
        List<FactorRequirements> found = jdbc.query(
                "SELECT mfa_required, passkey_required FROM gh_user WHERE username = ?",
                (rs, n) -> new FactorRequirements(rs.getBoolean(1), rs.getBoolean(2)),
                username);
        return found.isEmpty() ? new FactorRequirements(false, false) : found.get(0);
    }

    /**
     * The factor requirements an operator set on a user ({@link #mfaRequired}, {@link #passkeyRequired}).
     *
     * @param mfaRequired whether the second factor is mandatory
     * @param passkeyRequired whether a phishing-resistant factor (a passkey) is mandatory
     */
    public record FactorRequirements(boolean mfaRequired, boolean passkeyRequired) {}

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

    /**
     * The account stored under exactly this name (no case folding: operators address users by their stored name).
     *
     * @param username the stored name
     * @return the account, if any
     */
    public Optional<Account> account(String username) {
        return jdbc
                .query(
                        "SELECT username, enabled, created_at, mfa_required, passkey_required FROM gh_user"
                                + " WHERE username = ?",
                        JdbcUserStore::account,
                        username)
                .stream()
                .findFirst();
    }

    /**
     * One page of accounts, by name.
     *
     * @param limit at most this many
     * @param offset skipping this many
     * @return the accounts
     */
    public List<Account> accounts(int limit, long offset) {
        return jdbc.query(
                "SELECT username, enabled, created_at, mfa_required, passkey_required FROM gh_user"
                        + " ORDER BY username LIMIT ? OFFSET ?",
                JdbcUserStore::account,
                limit,
                offset);
    }

    /**
     * How many users there are.
     *
     * @return the count
     */
    public long count() {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM gh_user", Long.class);
        return n == null ? 0 : n;
    }

    /**
     * Enables or disables a user.
     *
     * @param username the stored name
     * @param enabled whether the user may sign in
     * @return whether the user exists
     */
    public boolean setEnabled(String username, boolean enabled) {
        // An operator's decision ends a self-registration's wait for verification: a link followed later verifies the
        // address but never enables an account the operator disabled.
        return jdbc.update(
                        "UPDATE gh_user SET enabled = ?, registration_pending = FALSE WHERE username = ?",
                        enabled,
                        username)
                > 0;
    }

    /**
     * Replaces a user's password hash (an operator's reset; sign-in's rehash uses {@link #upgradeHash}).
     *
     * @param username the stored name
     * @param passwordHash the new hash
     * @return whether the user exists
     */
    public boolean setPasswordHash(String username, String passwordHash) {
        return jdbc.update("UPDATE gh_user SET password_hash = ? WHERE username = ?", passwordHash, username) > 0;
    }

    /**
     * Makes the second factor mandatory for a user, or optional again.
     *
     * @param username the stored name
     * @param required whether it is mandatory
     * @return whether the user exists
     */
    public boolean setMfaRequired(String username, boolean required) {
        return jdbc.update("UPDATE gh_user SET mfa_required = ? WHERE username = ?", required, username) > 0;
    }

    /**
     * Whether an operator made a phishing-resistant factor (a passkey, issue #16) mandatory for this user: then no
     * one-time code meets the sign-in's second step, only a passkey; a user without one registers one first. Read by
     * the factor policy; an exception fails the sign-in, never skips the requirement.
     *
     * @param username the name as signed in
     * @return {@code true} if required (unknown users: {@code false}; they cannot sign in anyway)
     */
    public boolean passkeyRequired(String username) {
        List<Boolean> found =
                jdbc.queryForList("SELECT passkey_required FROM gh_user WHERE username = ?", Boolean.class, username);
        return !found.isEmpty() && Boolean.TRUE.equals(found.get(0));
    }

    /**
     * Makes a passkey mandatory for a user, or optional again.
     *
     * @param username the stored name
     * @param required whether it is mandatory
     * @return whether the user exists
     */
    public boolean setPasskeyRequired(String username, boolean required) {
        return jdbc.update("UPDATE gh_user SET passkey_required = ? WHERE username = ?", required, username) > 0;
    }

    /**
     * Grants a role (nothing happens if the user has it already).
     *
     * @param username the stored name
     * @param role the role
     */
    public void addRole(String username, String role) {
        if (!roles(username).contains(role)) {
            jdbc.update("INSERT INTO gh_user_role (username, role) VALUES (?, ?)", username, role);
        }
    }

    /**
     * Takes a role away.
     *
     * @param username the stored name
     * @param role the role
     * @return whether the user had it
     */
    public boolean removeRole(String username, String role) {
        return jdbc.update("DELETE FROM gh_user_role WHERE username = ? AND role = ?", username, role) > 0;
    }

    /**
     * The roles of several users at once, each list sorted (one query for a page of users).
     *
     * @param usernames the stored names
     * @return roles by name; users without roles are absent
     */
    public Map<String, List<String>> roles(Collection<String> usernames) {
        Map<String, List<String>> roles = new HashMap<>();
        if (usernames.isEmpty()) {
            return roles;
        }
        String in = String.join(",", Collections.nCopies(usernames.size(), "?"));
        jdbc.query(
                "SELECT username, role FROM gh_user_role WHERE username IN (" + in + ") ORDER BY role",
                (ResultSet rs) -> {
                    roles.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(rs.getString(2));
                },
                usernames.toArray());
        return roles;
    }

    /**
     * How many enabled users hold a role.
     *
     * @param role the role
     * @return the count
     */
    public long countEnabledWithRole(String role) {
        Long n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM gh_user u JOIN gh_user_role r ON r.username = u.username"
                        + " WHERE r.role = ? AND u.enabled = TRUE",
                Long.class,
                role);
        return n == null ? 0 : n;
    }

    /**
     * A user's e-mail state (issue #15): never the password or its hash.
     *
     * @param username the stored name
     * @param email the address, or {@code null} when the user has none
     * @param emailVerified whether the user followed a link sent to that address
     * @param enabled whether the user may sign in
     * @param registrationPending whether this is a self-registration still waiting for its address to be verified (an
     *     operator's enabling or disabling ends the wait)
     */
    public record EmailAccount(
            String username,
            @Nullable String email,
            boolean emailVerified,
            boolean enabled,
            boolean registrationPending) {}

    /**
     * The user whose address this is, in any case (the {@code email_key} unique index, migration V17).
     *
     * @param email the address
     * @return the user, if any
     */
    public Optional<EmailAccount> findByEmail(String email) {
        Objects.requireNonNull(email, "email must not be null");
        return jdbc
                .query(
                        "SELECT username, email, email_verified, enabled, registration_pending FROM gh_user WHERE email_key = ?",
                        JdbcUserStore::emailAccount,
                        email.toLowerCase(Locale.ROOT))
                .stream()
                .findFirst();
    }

    /**
     * The e-mail state of the user stored under exactly this name.
     *
     * @param username the stored name
     * @return the user, if any
     */
    public Optional<EmailAccount> emailAccount(String username) {
        Objects.requireNonNull(username, "username must not be null");
        return jdbc
                .query(
                        "SELECT username, email, email_verified, enabled, registration_pending FROM gh_user"
                                + " WHERE username = ?",
                        JdbcUserStore::emailAccount,
                        username)
                .stream()
                .findFirst();
    }

    /**
     * Creates a self-registered user, without roles, under the canonical form of the name, with an address not yet
     * verified. A taken name or address is refused by the unique indexes (a {@code DuplicateKeyException}).
     *
     * @param username the name
     * @param passwordHash the hash
     * @param email the address
     * @param enabled whether the user may sign in before verifying the address; if not, the account waits for its
     *     verification ({@link EmailAccount#registrationPending()})
     * @return the name as stored
     */
    public String createWithEmail(String username, String passwordHash, String email, boolean enabled) {
        String canonical = Usernames.canonical(username);
        jdbc.update(
                "INSERT INTO gh_user (username, password_hash, enabled, email, email_verified, registration_pending)"
                        + " VALUES (?, ?, ?, ?, ?, ?)",
                canonical,
                passwordHash,
                enabled,
                email,
                false,
                !enabled);
        return canonical;
    }

    /**
     * Marks a registration's address verified and, if the registration was waiting for it, lets the user sign in. An
     * account an operator disabled stays disabled: the operator's decision ended the wait ({@link #setEnabled}).
     *
     * @param username the stored name
     * @return whether the user exists
     */
    public boolean verifyRegistration(String username) {
        return jdbc.update(
                        "UPDATE gh_user SET email_verified = TRUE,"
                                + " enabled = CASE WHEN registration_pending THEN TRUE ELSE enabled END,"
                                + " registration_pending = FALSE WHERE username = ?",
                        username)
                > 0;
    }

    /**
     * Sets a user's address, verified (the user followed a link sent to it). An address another user has is refused
     * by the unique index (a {@code DuplicateKeyException}).
     *
     * @param username the stored name
     * @param email the new address
     * @return whether the user exists
     */
    public boolean setVerifiedEmail(String username, String email) {
        return jdbc.update("UPDATE gh_user SET email = ?, email_verified = TRUE WHERE username = ?", email, username)
                > 0;
    }

    /**
     * Deletes a self-registration still waiting for its address to be verified (its verification link expired
     * unused); any other account, including one an operator enabled or disabled meanwhile, is left alone.
     *
     * @param username the stored name
     * @return whether it was deleted
     */
    public boolean deleteUnverifiedRegistration(String username) {
        return jdbc.update("DELETE FROM gh_user WHERE username = ? AND registration_pending = TRUE", username) > 0;
    }

    private static EmailAccount emailAccount(ResultSet rs, int n) throws SQLException {
        return new EmailAccount(
                rs.getString("username"),
                rs.getString("email"),
                rs.getBoolean("email_verified"),
                rs.getBoolean("enabled"),
                rs.getBoolean("registration_pending"));
    }

    private static Account account(ResultSet rs, int n) throws SQLException {
        Timestamp created = rs.getTimestamp("created_at");
        return new Account(
                rs.getString("username"),
                rs.getBoolean("enabled"),
                created == null ? null : created.toInstant(),
                rs.getBoolean("mfa_required"),
                rs.getBoolean("passkey_required"));
    }
}
