package dev.gatehouse.server.admin;

import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.PasswordPolicy;
import dev.gatehouse.core.password.PolicyResult;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.server.users.Usernames;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Users, their roles and second factors, for the admin API. It owns no table: accounts and roles go through the
 * users package's {@link JdbcUserStore}, second factors through auth-core's {@link TotpService} and {@link
 * RecoveryCodes}, sessions through {@link SessionAdministration}. Passwords are checked by auth-core's {@link
 * PasswordPolicy} (NIST SP 800-63B) and stored only as {@link PasswordHasher} hashes.
 */
@Component
final class UserAdministration {

    /** 18 random bytes, Base64url: 144 bits, 24 characters, like the demo password. */
    private static final int GENERATED_PASSWORD_BYTES = 18;

    private final TransactionTemplate tx;
    private final JdbcUserStore users;
    private final PasswordHasher hasher;
    private final PasswordPolicy policy;
    private final SecureRandom random;
    private final TotpService totp;
    private final RecoveryCodes recoveryCodes;
    private final LastAdminGuard lastAdmin;
    private final SessionAdministration sessions;

    UserAdministration(
            TransactionTemplate tx,
            JdbcUserStore users,
            PasswordHasher hasher,
            ObjectProvider<PasswordPolicy> policy,
            SecureRandom random,
            TotpService totp,
            RecoveryCodes recoveryCodes,
            LastAdminGuard lastAdmin,
            SessionAdministration sessions) {
        this.tx = tx;
        this.users = users;
        this.hasher = hasher;
        this.policy = policy.getIfAvailable(PasswordPolicy::defaults);
        this.random = random;
        this.totp = totp;
        this.recoveryCodes = recoveryCodes;
        this.lastAdmin = lastAdmin;
        this.sessions = sessions;
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
     * @param passkeyRequired whether an operator made a passkey (a phishing-resistant factor) mandatory for this user
     */
    record UserView(
            String username,
            boolean enabled,
            @Nullable Instant createdAt,
            List<String> roles,
            boolean totpEnrolled,
            int recoveryCodesLeft,
            boolean mfaRequired,
            boolean passkeyRequired) {}

    Optional<UserView> find(String username) {
        return users.account(username).map(account -> views(List.of(account)).get(0));
    }

    UserView get(String username) {
        return find(username).orElseThrow(() -> AdminException.notFound("User '" + username + "'"));
    }

    Paging.Page<UserView> list(Paging paging) {
        long total = users.count();
        return paging.page(views(users.accounts(paging.size(), paging.offset())), total);
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
            if (!users.setEnabled(username, enabled)) {
                throw AdminException.notFound("User '" + username + "'");
            }
            if (!enabled) {
                lastAdmin.requireAWayIn();
            }
        });
        if (!enabled) {
            sessions.revokeAll(username); // a disabled user keeps no session (refresh is refused anyway)
        }
        return get(username);
    }

    /** Sets a new password; the user's sessions are revoked (whoever held them may have known the old one). */
    void setPassword(String username, String password) {
        get(username);
        checkPassword(username, password);
        String hash = hasher.hash(password);
        users.setPasswordHash(username, hash);
        sessions.revokeAll(username);
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
            boolean factor = totp.remove(username);
            boolean codes = recoveryCodes.revokeAll(username);
            return factor || codes;
        });
        // Whoever enrolled the removed factor may hold a two-factor session: end the user's sign-ins.
        sessions.endSignIns(username);
        return Boolean.TRUE.equals(removed);
    }

    List<String> roles(String username) {
        get(username);
        return users.roles(username);
    }

    List<String> addRole(String username, String role) {
        get(username);
        users.addRole(username, role);
        return users.roles(username);
    }

    List<String> removeRole(String username, String role) {
        get(username);
        tx.executeWithoutResult(status -> {
            if (!users.removeRole(username, role)) {
                throw AdminException.notFound("Role '" + role + "' of user '" + username + "'");
            }
            lastAdmin.requireAWayIn();
        });
        return users.roles(username);
    }

    /** Makes the second factor mandatory for the user, or optional again. */
    UserView setMfaRequired(String username, boolean required) {
        if (!users.setMfaRequired(username, required)) {
            throw AdminException.notFound("User '" + username + "'");
        }
        return get(username);
    }

    /** Makes a passkey mandatory for the user, or optional again. */
    UserView setPasskeyRequired(String username, boolean required) {
        if (!users.setPasskeyRequired(username, required)) {
            throw AdminException.notFound("User '" + username + "'");
        }
        return get(username);
    }

    private List<UserView> views(List<JdbcUserStore.Account> accounts) {
        if (accounts.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        accounts.forEach(a -> names.add(a.username()));
        Map<String, List<String>> roles = users.roles(names);
        List<UserView> out = new ArrayList<>();
        for (JdbcUserStore.Account a : accounts) {
            String name = a.username();
            out.add(new UserView(
                    name,
                    a.enabled(),
                    a.createdAt(),
                    List.copyOf(roles.getOrDefault(name, List.of())),
                    totp.status(name) == TotpService.FactorStatus.CONFIRMED,
                    recoveryCodes.remaining(name),
                    a.mfaRequired(),
                    a.passkeyRequired()));
        }
        return out;
    }
}
