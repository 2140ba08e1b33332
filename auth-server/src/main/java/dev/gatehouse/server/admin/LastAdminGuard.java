package dev.gatehouse.server.admin;

import dev.gatehouse.server.clients.ClientRegistrations;
import dev.gatehouse.server.users.JdbcUserStore;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps one way into the admin API open: after a change that could close the last one (disabling a user, taking the
 * {@code admin} role away, deleting a client, changing or deleting a role), at least one enabled user holding the {@code admin} role, or one client
 * allowed the client-credentials grant with the admin scope, must remain. Otherwise the change is refused with
 * {@code 409 admin.last_admin} and its transaction rolled back, instead of locking every operator out until someone
 * edits the database. Called inside the change's transaction, after the change, so the count sees it; it locks one
 * row first ({@code gh_admin_guard}), so concurrent guarded changes are counted one after the other.
 */
@Component
final class LastAdminGuard {

    private final JdbcTemplate jdbc;
    private final JdbcUserStore users;
    private final ClientRegistrations clients;
    private final String adminScope;

    LastAdminGuard(JdbcTemplate jdbc, JdbcUserStore users, ClientRegistrations clients, AdminProperties properties) {
        this.jdbc = jdbc;
        this.users = users;
        this.clients = clients;
        this.adminScope = properties.scope();
    }

    /** Throws {@code 409 admin.last_admin} when no way into the admin API would remain. */
    void requireAWayIn() {
        // Serialise the guarded changes: under READ COMMITTED two transactions that each remove one of two admins
        // would otherwise each count the other's admin as still there, and both commit. Whoever comes second waits
        // here for the first to commit, and its count (a new statement) then sees that change.
        jdbc.queryForObject("SELECT id FROM gh_admin_guard WHERE id = 1 FOR UPDATE", Integer.class);
        if (users.countEnabledWithRole(AdminPolicy.ADMIN) > 0 || clients.anyWith(adminScope, "client_credentials")) {
            return;
        }
        throw AdminException.conflict(
                "admin.last_admin",
                "This change would leave no enabled user with the admin role and no client with the admin scope;"
                        + " grant another first.");
    }
}
