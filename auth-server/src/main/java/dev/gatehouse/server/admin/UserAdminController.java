package dev.gatehouse.server.admin;

import dev.gatehouse.server.users.Usernames;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/users}: create, read, list, enable/disable, reset password, reset MFA, require MFA, roles and
 * sessions. A password
 * is never returned, except one the server generated, once, with {@code Cache-Control: no-store}.
 */
@RestController
@RequestMapping(path = "/admin", produces = "application/json")
@Tag(name = "users", description = "Users, their roles, second factors and sessions")
final class UserAdminController {

    /** User names: a letter or digit, then letters, digits and {@code . _ @ + -}. */
    static final String USERNAME = "[A-Za-z0-9][A-Za-z0-9._@+-]*";
    /** Role names: a letter, then letters, digits and {@code . _ -}. */
    static final String ROLE = RoleAdministration.NAME;

    private final UserAdministration users;
    private final SessionAdministration sessions;
    private final RoleAdministration roles;
    private final AdminProperties properties;

    UserAdminController(
            UserAdministration users,
            SessionAdministration sessions,
            RoleAdministration roles,
            AdminProperties properties) {
        this.sessions = sessions;
        this.users = users;
        this.roles = roles;
        this.properties = properties;
    }

    /**
     * A new user.
     *
     * @param username the user name
     * @param password the initial password, checked by the password policy
     * @param roles the roles; default {@code ["user"]}
     */
    record CreateUserRequest(
            @NotBlank(message = "username is required")
            @Size(max = 100, message = "username must be at most 100 characters")
            @Pattern(
                    regexp = USERNAME,
                    message = "username must start with a letter or digit and contain only letters, digits"
                            + " and . _ @ + -")
            String username,

            @NotNull(message = "password is required")
            @Size(max = 256, message = "password must be at most 256 characters")
            String password,

            @Nullable @Size(max = 20, message = "at most 20 roles")
            List<
                            @NotNull(message = "role must not be null")
                            @Size(max = 100, message = "role must be at most 100 characters")
                            @Pattern(
                                    regexp = ROLE,
                                    message = "role must start with a letter and contain only letters,"
                                            + " digits and . _ -")
                            String>
                    roles)
            implements AdminRequest {

        @Override
        public String toString() {
            return "CreateUserRequest[" + username + ", roles=" + roles + "]"; // never the password
        }
    }

    /**
     * A password reset: either {@code password} (the admin chooses) or {@code generate: true} (the server chooses and
     * returns it once).
     *
     * @param password the new password
     * @param generate whether the server should generate one
     */
    record PasswordResetRequest(
            @Nullable @Size(max = 256, message = "password must be at most 256 characters")
            String password,

            @Nullable Boolean generate)
            implements AdminRequest {

        @Override
        public String toString() {
            return "PasswordResetRequest[generate=" + generate + "]";
        }
    }

    /**
     * A generated password, shown once.
     *
     * @param username the user
     * @param password the new password
     */
    record GeneratedPassword(String username, String password) {
        @Override
        public String toString() {
            return "GeneratedPassword[" + username + "]";
        }
    }

    /**
     * A user's roles.
     *
     * @param username the user
     * @param roles the roles, sorted
     */
    record UserRoles(String username, List<String> roles) {}

    /**
     * How many sessions were revoked.
     *
     * @param username the user
     * @param revoked the count
     */
    record Revoked(String username, int revoked) {}

    /**
     * Whether the second factor is mandatory for a user.
     *
     * @param mfaRequired {@code true}: every sign-in needs TOTP (or a recovery code), and a user without a factor is
     *     sent to enrolment first; {@code false}: only once the user has enrolled (or a client or request asks)
     */
    record MfaRequiredRequest(
            @NotNull(message = "mfaRequired is required") Boolean mfaRequired) implements AdminRequest {}

    /**
     * Whether a phishing-resistant factor (a passkey) is mandatory for a user.
     *
     * @param passkeyRequired {@code true}: only a passkey meets the sign-in's second step (a one-time code does not),
     *     and a user without one registers one right after the password; {@code false}: as the client or request asks
     */
    record PasskeyRequiredRequest(
            @NotNull(message = "passkeyRequired is required")
            Boolean passkeyRequired) implements AdminRequest {}

    @PostMapping(path = "/users", consumes = "application/json")
    @Audited("admin.user.create")
    @Operation(summary = "Create a user (password checked by the policy, stored hashed)")
    ResponseEntity<UserAdministration.UserView> create(
            @Valid @RequestBody CreateUserRequest body, HttpServletRequest request) {
        request.setAttribute(AdminAuditInterceptor.SUBJECT, Usernames.canonical(body.username()));
        List<String> roles = body.roles() == null ? List.of("user") : body.roles();
        roles.forEach(UserAdminController::assignable);
        List<String> unknown = this.roles.unknown(roles);
        if (!unknown.isEmpty()) {
            throw AdminException.invalidField(
                    "roles",
                    "admin.unknown_role",
                    "role '" + unknown.get(0) + "' does not exist; create it first (POST /admin/roles).");
        }
        UserAdministration.UserView user = users.create(body.username(), body.password(), roles);
        return ResponseEntity.created(URI.create("/admin/users/" + user.username()))
                .body(user);
    }

    @GetMapping("/users/{username}")
    @Operation(summary = "Get a user")
    UserAdministration.UserView get(@PathVariable String username) {
        return users.get(username);
    }

    @GetMapping("/users")
    @Operation(summary = "List users, by user name, one page at a time")
    Paging.Page<UserAdministration.UserView> list(
            @RequestParam(required = false) @Nullable Integer page,
            @RequestParam(required = false) @Nullable Integer size) {
        return users.list(Paging.of(page, size, properties));
    }

    @PostMapping("/users/{username}/disable")
    @Audited(value = "admin.user.disable", subject = "username")
    @Operation(summary = "Disable a user (no sign-in, no new tokens; sessions revoked)")
    UserAdministration.UserView disable(@PathVariable String username) {
        return users.setEnabled(username, false);
    }

    @PostMapping("/users/{username}/enable")
    @Audited(value = "admin.user.enable", subject = "username")
    @Operation(summary = "Enable a user")
    UserAdministration.UserView enable(@PathVariable String username) {
        return users.setEnabled(username, true);
    }

    @PostMapping(path = "/users/{username}/password", consumes = "application/json")
    @Audited(value = "admin.user.password.reset", subject = "username")
    @Operation(
            summary = "Reset a password: set one, or have the server generate one (returned once); sessions are"
                    + " revoked")
    ResponseEntity<?> resetPassword(
            @PathVariable String username, @Valid @RequestBody PasswordResetRequest body, HttpServletRequest request) {
        boolean generate = Boolean.TRUE.equals(body.generate());
        if (generate == (body.password() != null)) {
            throw AdminException.invalidField(
                    "password",
                    "admin.password_or_generate",
                    "Give either a password or \"generate\": true, not both and not neither.");
        }
        if (generate) {
            AdminAuditInterceptor.detail(request, "generated", "true");
            String password = users.generatePassword(username);
            return ResponseEntity.ok()
                    .cacheControl(CacheControl.noStore())
                    .body(new GeneratedPassword(username, password));
        }
        // Not generating, so a password was given (the either-or check above).
        users.setPassword(username, Objects.requireNonNull(body.password()));
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/users/{username}/mfa")
    @Audited(value = "admin.user.mfa.reset", subject = "username")
    @Operation(summary = "Reset MFA: delete the TOTP factor and all recovery codes")
    ResponseEntity<Void> resetMfa(@PathVariable String username, HttpServletRequest request) {
        AdminAuditInterceptor.detail(request, "removed", Boolean.toString(users.resetMfa(username)));
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/users/{username}/roles")
    @Operation(summary = "List a user's roles")
    UserRoles roles(@PathVariable String username) {
        return new UserRoles(username, users.roles(username));
    }

    @PutMapping("/users/{username}/roles/{role}")
    @Audited(value = "admin.user.role.add", subject = "username")
    @Operation(summary = "Give a user a role (idempotent)")
    UserRoles addRole(@PathVariable String username, @PathVariable String role, HttpServletRequest request) {
        AdminAuditInterceptor.detail(request, "role", role);
        assignable(role);
        if (!roles.unknown(List.of(role)).isEmpty()) {
            throw AdminException.notFound("Role '" + role + "'");
        }
        return new UserRoles(username, users.addRole(username, role));
    }

    @DeleteMapping("/users/{username}/roles/{role}")
    @Audited(value = "admin.user.role.remove", subject = "username")
    @Operation(summary = "Take a role from a user")
    UserRoles removeRole(@PathVariable String username, @PathVariable String role, HttpServletRequest request) {
        AdminAuditInterceptor.detail(request, "role", role);
        validName(role);
        return new UserRoles(username, users.removeRole(username, role));
    }

    @PutMapping(path = "/users/{username}/mfa-required", consumes = "application/json")
    @Audited(value = "admin.user.mfa.required", subject = "username")
    @Operation(
            summary = "Make the second factor mandatory for a user (a user without one enrols at the next sign-in),"
                    + " or optional again")
    UserAdministration.UserView mfaRequired(
            @PathVariable String username, @Valid @RequestBody MfaRequiredRequest body, HttpServletRequest request) {
        AdminAuditInterceptor.detail(request, "mfaRequired", body.mfaRequired().toString());
        return users.setMfaRequired(username, body.mfaRequired());
    }

    @PutMapping(path = "/users/{username}/passkey-required", consumes = "application/json")
    @Audited(value = "admin.user.passkey.required", subject = "username")
    @Operation(
            summary = "Make a passkey (a phishing-resistant factor) mandatory for a user (a user without one registers"
                    + " one at the next sign-in, after the password), or optional again")
    UserAdministration.UserView passkeyRequired(
            @PathVariable String username,
            @Valid @RequestBody PasskeyRequiredRequest body,
            HttpServletRequest request) {
        AdminAuditInterceptor.detail(
                request, "passkeyRequired", body.passkeyRequired().toString());
        return users.setPasskeyRequired(username, body.passkeyRequired());
    }

    @GetMapping("/users/{username}/sessions")
    @Operation(summary = "List a user's sessions (stored authorizations; never token values), one page at a time")
    Paging.Page<SessionAdministration.SessionView> sessions(
            @PathVariable String username,
            @RequestParam(required = false) @Nullable Integer page,
            @RequestParam(required = false) @Nullable Integer size) {
        users.get(username);
        return sessions.sessions(username, Paging.of(page, size, properties));
    }

    @DeleteMapping("/users/{username}/sessions/{id}")
    @Audited(value = "admin.user.session.revoke", subject = "username")
    @Operation(summary = "Revoke one session: its access, refresh and ID tokens stop working here at once")
    ResponseEntity<Void> revokeSession(
            @PathVariable String username, @PathVariable String id, HttpServletRequest request) {
        AdminAuditInterceptor.detail(request, "session", id);
        users.get(username);
        sessions.revoke(username, id);
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/users/{username}/sessions")
    @Audited(value = "admin.user.session.revoke_all", subject = "username")
    @Operation(summary = "Revoke every session of a user")
    Revoked revokeSessions(@PathVariable String username, HttpServletRequest request) {
        users.get(username);
        int n = sessions.revokeAll(username);
        AdminAuditInterceptor.detail(request, "revoked", Integer.toString(n));
        return new Revoked(username, n);
    }

    private static void validName(String role) {
        if (role.length() > 100 || !role.matches(ROLE)) {
            throw AdminException.invalidField(
                    "role",
                    "admin.invalid_role",
                    "role must start with a letter and contain only letters, digits and . _ - (at most 100).");
        }
    }

    private static void assignable(String role) {
        validName(role);
        if (role.equals(AdminPolicy.ADMIN_CLIENT)) {
            throw AdminException.invalidField(
                    "role",
                    "admin.reserved_role",
                    "Role '" + AdminPolicy.ADMIN_CLIENT + "' is reserved for client-credentials tokens.");
        }
    }
}
