package dev.gatehouse.server.admin;

import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.PasswordPolicy;
import dev.gatehouse.core.password.PolicyResult;
import dev.gatehouse.server.mfa.JdbcRecoveryCodeStore;
import dev.gatehouse.server.mfa.JdbcTotpFactorStore;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.server.users.SignInSessions;
import dev.gatehouse.server.users.Usernames;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Users, their roles, second factors and sessions, for the admin API. Passwords are checked by auth-core's {@link
 * PasswordPolicy} (NIST SP 800-63B) and stored only as {@link PasswordHasher} hashes; sessions are Spring
 * Authorization Server's stored authorizations, listed without any token value and revoked through its {@link
 * OAuth2AuthorizationService} (so introspection answers {@code active: false} at once, RFC 7662 §2.2).
 */
@Component
final class UserAdministration {

    /** 18 random bytes, Base64url: 144 bits, 24 characters, like the demo password. */
    private static final int GENERATED_PASSWORD_BYTES = 18;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final JdbcUserStore users;
    private final PasswordHasher hasher;
    private final PasswordPolicy policy;
    private final SecureRandom random;
    private final OAuth2AuthorizationService authorizations;
    private final JdbcTotpFactorStore totpFactors;
    private final JdbcRecoveryCodeStore recoveryCodes;
    private final LastAdminGuard lastAdmin;
    private final SignInSessions signIns;

    UserAdministration(
            JdbcTemplate jdbc,
            TransactionTemplate tx,
            JdbcUserStore users,
            PasswordHasher hasher,
            ObjectProvider<PasswordPolicy> policy,
            SecureRandom random,
            OAuth2AuthorizationService authorizations,
            LastAdminGuard lastAdmin,
            SignInSessions signIns) {
        this.lastAdmin = lastAdmin;
        this.signIns = signIns;
        this.jdbc = jdbc;
        this.tx = tx;
        this.users = users;
        this.hasher = hasher;
        this.policy = policy.getIfAvailable(PasswordPolicy::defaults);
        this.random = random;
        this.authorizations = authorizations;
        this.totpFactors = new JdbcTotpFactorStore(jdbc);
        this.recoveryCodes = new JdbcRecoveryCodeStore(jdbc, tx);
    }

    /**
     * A user as the admin API shows it: never the password or its hash.
     *
     * @param username the user name (the token subject)
     * @param enabled whether the user may sign in
     * @param createdAt when the user was created
     * @param roles the roles, sorted
     * @param totpEnrolled whether a confirmed TOTP factor exists
     * @param recoveryCodesLeft unused recovery codes
     * @param mfaRequired whether an operator made the second factor mandatory for this user
     */
    record UserView(
            String username,
            boolean enabled,
            @Nullable Instant createdAt,
            List<String> roles,
            boolean totpEnrolled,
            int recoveryCodesLeft,
            boolean mfaRequired) {}

    /**
     * A session: one stored authorization of the user (code, refresh, device or exchange grant), without any token.
     *
     * @param id the authorization id, for revocation
     * @param clientId the client it was issued to
     * @param grantType the grant that created it
     * @param scopes the authorized scopes
     * @param issuedAt when its latest token (or code) was issued
     * @param accessTokenExpiresAt when its access token expires, if it has one
     * @param refreshTokenExpiresAt when its refresh token expires, if it has one
     */
    record SessionView(
            String id,
            @Nullable String clientId,
            String grantType,
            List<String> scopes,
            @Nullable Instant issuedAt,
            @Nullable Instant accessTokenExpiresAt,
            @Nullable Instant refreshTokenExpiresAt) {}

    Optional<UserView> find(String username) {
        List<UserView> found = views(jdbc.query(
                "SELECT username, enabled, created_at, mfa_required FROM gh_user WHERE username = ?",
                UserAdministration::row,
                username));
        return found.stream().findFirst();
    }

    UserView get(String username) {
        return find(username).orElseThrow(() -> AdminException.notFound("User '" + username + "'"));
    }

    Paging.Page<UserView> list(Paging paging) {
        Long total = jdbc.queryForObject("SELECT COUNT(*) FROM gh_user", Long.class);
        List<Object[]> rows = jdbc.query(
                "SELECT username, enabled, created_at, mfa_required FROM gh_user ORDER BY username LIMIT ? OFFSET ?",
                UserAdministration::row,
                paging.size(),
                paging.offset());
        return paging.page(views(rows), total == null ? 0 : total);
    }

    /** Checks the password against the policy; the user name is a context word (NIST SP 800-63B §5.1.1.2). */
    void checkPassword(String username, String password) {
        PolicyResult result = policy.check(password, username);
        if (!result.accepted()) {
            List<Map<String, String>> errors = new ArrayList<>();
            for (PolicyResult.Violation v : result.violations()) {
                errors.add(Map.of(
                        "field",
                        "password",
                        "code",
                        "password." + v.code().name().toLowerCase(java.util.Locale.ROOT),
                        "message",
                        v.message()));
            }
            throw new AdminException(
                    HttpStatus.BAD_REQUEST, "admin.weak_password", "The password is refused by the policy.", errors);
        }
    }

    /**
     * Creates a user under the canonical form of the name ({@link Usernames#canonical}: {@code Alice} is stored as
     * {@code alice}); a name whose canonical form, or case-folded form, is taken is refused with 409, so two accounts
     * can never differ only in case (their {@code sub} values would collide at relying parties that ignore case).
     */
    UserView create(String username, String password, List<String> roles) {
        String canonical = Usernames.canonical(username);
        if (users.find(canonical).isPresent()) {
            throw AdminException.conflict(
                    "admin.user.exists", "User '" + canonical + "' already exists (names are compared in lower case).");
        }
        checkPassword(canonical, password);
        String hash = hasher.hash(password);
        tx.executeWithoutResult(status -> users.create(canonical, hash, List.copyOf(new TreeSet<>(roles))));
        return get(canonical);
    }

    UserView setEnabled(String username, boolean enabled) {
        tx.executeWithoutResult(status -> {
            int changed = jdbc.update("UPDATE gh_user SET enabled = ? WHERE username = ?", enabled, username);
            if (changed == 0) {
                throw AdminException.notFound("User '" + username + "'");
            }
            if (!enabled) {
                lastAdmin.requireAWayIn();
            }
        });
        if (!enabled) {
            revokeAllSessions(username); // a disabled user keeps no session (refresh is refused anyway)
        }
        return get(username);
    }

    /** Sets a new password; the user's sessions are revoked (whoever held them may have known the old one). */
    void setPassword(String username, String password) {
        get(username);
        checkPassword(username, password);
        String hash = hasher.hash(password);
        jdbc.update("UPDATE gh_user SET password_hash = ? WHERE username = ?", hash, username);
        revokeAllSessions(username);
    }

    /** A random password that the policy accepts, set as {@link #setPassword} does; returned once. */
    String generatePassword(String username) {
        get(username);
        for (int attempt = 0; ; attempt++) {
            byte[] raw = new byte[GENERATED_PASSWORD_BYTES];
            random.nextBytes(raw);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
            if (policy.check(password, username).accepted() || attempt >= 10) {
                setPassword(username, password);
                return password;
            }
        }
    }

    /** Removes the TOTP factor and all recovery codes; the user enrols again at the next sign-in that needs it. */
    boolean resetMfa(String username) {
        get(username);
        Boolean removed = tx.execute(status -> {
            boolean totp = totpFactors.delete(username);
            boolean codes = recoveryCodes.deleteAll(username);
            return totp || codes;
        });
        // Whoever enrolled the removed factor may hold a two-factor session: end the user's sign-ins.
        signIns.endAll(username);
        return Boolean.TRUE.equals(removed);
    }

    List<String> roles(String username) {
        get(username);
        return users.roles(username);
    }

    List<String> addRole(String username, String role) {
        get(username);
        if (!users.roles(username).contains(role)) {
            jdbc.update("INSERT INTO gh_user_role (username, role) VALUES (?, ?)", username, role);
        }
        return users.roles(username);
    }

    List<String> removeRole(String username, String role) {
        get(username);
        tx.executeWithoutResult(status -> {
            if (jdbc.update("DELETE FROM gh_user_role WHERE username = ? AND role = ?", username, role) == 0) {
                throw AdminException.notFound("Role '" + role + "' of user '" + username + "'");
            }
            lastAdmin.requireAWayIn();
        });
        return users.roles(username);
    }

    /** Makes the second factor mandatory for the user, or optional again. */
    UserView setMfaRequired(String username, boolean required) {
        if (jdbc.update("UPDATE gh_user SET mfa_required = ? WHERE username = ?", required, username) == 0) {
            throw AdminException.notFound("User '" + username + "'");
        }
        return get(username);
    }

    /** One page of the user's sessions, by id. */
    Paging.Page<SessionView> sessions(String username, Paging paging) {
        get(username);
        Long total = jdbc.queryForObject(
                "SELECT COUNT(*) FROM oauth2_authorization WHERE principal_name = ? AND authorization_grant_type <> ?",
                Long.class,
                username,
                AuthorizationGrantType.CLIENT_CREDENTIALS.getValue());
        return paging.page(sessions(username, paging.size(), paging.offset()), total == null ? 0 : total);
    }

    /** Every session of the user. */
    List<SessionView> sessions(String username) {
        return sessions(username, Integer.MAX_VALUE, 0);
    }

    private List<SessionView> sessions(String username, int limit, long offset) {
        return jdbc.query(
                "SELECT a.id, c.client_id, a.authorization_grant_type, a.authorized_scopes,"
                        + " a.authorization_code_issued_at, a.access_token_issued_at, a.access_token_expires_at,"
                        + " a.refresh_token_issued_at, a.refresh_token_expires_at"
                        + " FROM oauth2_authorization a LEFT JOIN oauth2_registered_client c"
                        + " ON c.id = a.registered_client_id"
                        + " WHERE a.principal_name = ? AND a.authorization_grant_type <> ? ORDER BY a.id"
                        + " LIMIT ? OFFSET ?",
                (rs, n) -> {
                    Instant issued = latest(
                            instant(rs, "authorization_code_issued_at"),
                            instant(rs, "access_token_issued_at"),
                            instant(rs, "refresh_token_issued_at"));
                    String scopes = rs.getString("authorized_scopes");
                    return new SessionView(
                            rs.getString("id"),
                            rs.getString("client_id"),
                            rs.getString("authorization_grant_type"),
                            scopes == null || scopes.isBlank() ? List.of() : List.of(scopes.split(",")),
                            issued,
                            instant(rs, "access_token_expires_at"),
                            instant(rs, "refresh_token_expires_at"));
                },
                username,
                // Client-credentials authorizations carry the client id as principal name: never a user's.
                AuthorizationGrantType.CLIENT_CREDENTIALS.getValue(),
                limit,
                offset);
    }

    void revokeSession(String username, String id) {
        get(username);
        OAuth2Authorization authorization = authorizations.findById(id);
        if (authorization == null
                || !authorization.getPrincipalName().equals(username)
                || AuthorizationGrantType.CLIENT_CREDENTIALS.equals(authorization.getAuthorizationGrantType())) {
            throw AdminException.notFound("Session '" + id + "' of user '" + username + "'");
        }
        authorizations.remove(authorization);
    }

    int revokeAllSessions(String username) {
        signIns.endAll(username); // browser sign-ins too, on every node (not only the stored tokens)
        int revoked = 0;
        for (SessionView s : sessions(username)) {
            OAuth2Authorization authorization = authorizations.findById(s.id());
            if (authorization != null) {
                authorizations.remove(authorization);
                revoked++;
            }
        }
        return revoked;
    }

    private static Object[] row(ResultSet rs, int n) throws SQLException {
        return new Object[] {rs.getString(1), rs.getBoolean(2), instant(rs, "created_at"), rs.getBoolean(4)};
    }

    private List<UserView> views(List<Object[]> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        rows.forEach(r -> names.add((String) r[0]));
        String in = String.join(",", Collections.nCopies(names.size(), "?"));
        Map<String, List<String>> roles = new HashMap<>();
        jdbc.query(
                "SELECT username, role FROM gh_user_role WHERE username IN (" + in + ") ORDER BY role",
                (ResultSet rs) -> {
                    roles.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(rs.getString(2));
                },
                names.toArray());
        Set<String> totp = new HashSet<>(jdbc.queryForList(
                "SELECT username FROM gh_totp_factor WHERE confirmed = TRUE AND username IN (" + in + ")",
                String.class,
                names.toArray()));
        Map<String, Integer> codes = new HashMap<>();
        jdbc.query(
                "SELECT username, COUNT(*) FROM gh_recovery_code WHERE username IN (" + in + ") GROUP BY username",
                (ResultSet rs) -> {
                    codes.put(rs.getString(1), rs.getInt(2));
                },
                names.toArray());
        List<UserView> out = new ArrayList<>();
        for (Object[] r : rows) {
            String name = (String) r[0];
            out.add(new UserView(
                    name,
                    (Boolean) r[1],
                    (Instant) r[2],
                    List.copyOf(roles.getOrDefault(name, List.of())),
                    totp.contains(name),
                    codes.getOrDefault(name, 0),
                    (Boolean) r[3]));
        }
        return out;
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static @Nullable Instant latest(@Nullable Instant... instants) {
        Instant max = null;
        for (Instant i : instants) {
            if (i != null && (max == null || i.isAfter(max))) {
                max = i;
            }
        }
        return max;
    }
}
