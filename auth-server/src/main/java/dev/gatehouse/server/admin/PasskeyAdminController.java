package dev.gatehouse.server.admin;

import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.passkeys.PasskeyIds;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Objects;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/users/{username}/passkeys} (issue #16): list a user's passkeys (never key material), remove one, or
 * reset them all, each removal audited as {@code passkey.remove} by the operator with the credential as a short hash.
 * The recovery path of a user who lost every passkey: the reset, then a new registration at the next sign-in; no
 * operator action lets a user meet a passkey requirement without a passkey.
 */
@RestController
@RequestMapping(path = "/admin", produces = "application/json")
@Tag(name = "users", description = "Users, their roles, second factors and sessions")
final class PasskeyAdminController {

    private final PasskeyAdministration passkeys;

    PasskeyAdminController(PasskeyAdministration passkeys) {
        this.passkeys = Objects.requireNonNull(passkeys, "passkeys must not be null");
    }

    /**
     * A user's passkeys.
     *
     * @param username the user
     * @param passkeys the passkeys, oldest first
     */
    record UserPasskeys(String username, List<PasskeyAdministration.PasskeyView> passkeys) {}

    /**
     * How many passkeys an operator's reset removed.
     *
     * @param username the user
     * @param removed the count
     */
    record Removed(String username, int removed) {}

    @GetMapping("/users/{username}/passkeys")
    @Operation(summary = "List a user's passkeys (label, times, synced, transports; never key material)")
    UserPasskeys list(@PathVariable String username) {
        return new UserPasskeys(username, passkeys.list(username));
    }

    @DeleteMapping("/users/{username}/passkeys/{id}")
    @Audited(value = AuditEvents.PASSKEY_REMOVE, subject = "username")
    @Operation(summary = "Remove one passkey of a user (its id from the list); the user's sign-ins end")
    ResponseEntity<Void> remove(@PathVariable String username, @PathVariable String id, HttpServletRequest request) {
        AdminAuditInterceptor.detail(request, "by", "operator");
        AdminAuditInterceptor.detail(request, "credential", PasskeyIds.ref(id));
        passkeys.remove(username, id);
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/users/{username}/passkeys")
    @Audited(value = AuditEvents.PASSKEY_REMOVE, subject = "username")
    @Operation(
            summary = "Remove every passkey of a user (a reset after the user lost them); the user's sign-ins end,"
                    + " and a user who must use a passkey registers a new one at the next sign-in")
    Removed removeAll(@PathVariable String username, HttpServletRequest request) {
        AdminAuditInterceptor.detail(request, "by", "operator");
        int n = passkeys.removeAll(username);
        AdminAuditInterceptor.detail(request, "removed", Integer.toString(n));
        return new Removed(username, n);
    }
}
