package dev.gatehouse.server.admin;

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
import org.jspecify.annotations.Nullable;
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
 * {@code /admin/roles}: list, read, create, update (description and permission set) and delete roles. A role's
 * permissions ({@code resource:action}) go into the {@code permissions} claim of its holders' access tokens; they do
 * not widen what anyone may do in the admin API itself, which only the built-in roles decide (see {@link
 * AdminPolicy}).
 */
@RestController
@RequestMapping(path = "/admin/roles", produces = "application/json")
@Tag(name = "roles", description = "Roles and their permissions")
final class RoleAdminController {

    private static final String NAME_MESSAGE =
            "name must start with a letter and contain only letters, digits and . _ -";

    private final RoleAdministration roles;
    private final AdminProperties properties;

    RoleAdminController(RoleAdministration roles, AdminProperties properties) {
        this.roles = roles;
        this.properties = properties;
    }

    /**
     * A new role.
     *
     * @param name the role name
     * @param description what it is for; default empty
     * @param permissions its permissions, {@code resource:action} with {@code *} for any part
     */
    record CreateRoleRequest(
            @NotBlank(message = "name is required")
            @Size(max = 100, message = "name must be at most 100 characters")
            @Pattern(regexp = RoleAdministration.NAME, message = NAME_MESSAGE)
            String name,

            @Nullable
            @Size(max = 500, message = "description must be at most 500 characters")
            @Pattern(regexp = "[^\\p{Cntrl}]*", message = "description must not contain control characters")
            String description,

            @NotNull(message = "permissions is required (it may be empty)")
            @Size(max = 100, message = "at most 100 permissions")
            List<@NotNull(message = "permission must not be null") String> permissions)
            implements AdminRequest {}

    /**
     * A role's new permission set (replacing the stored one) and, if given, its new description.
     *
     * @param description what it is for; omitted: unchanged
     * @param permissions its permissions, replacing the stored ones
     */
    record UpdateRoleRequest(
            @Nullable
            @Size(max = 500, message = "description must be at most 500 characters")
            @Pattern(regexp = "[^\\p{Cntrl}]*", message = "description must not contain control characters")
            String description,

            @NotNull(message = "permissions is required (it may be empty)")
            @Size(max = 100, message = "at most 100 permissions")
            List<@NotNull(message = "permission must not be null") String> permissions)
            implements AdminRequest {}

    @GetMapping
    @Operation(summary = "List roles, by name, one page at a time, with their permissions and how many users hold each")
    Paging.Page<RoleAdministration.RoleView> list(
            @RequestParam(required = false) @Nullable Integer page,
            @RequestParam(required = false) @Nullable Integer size) {
        return roles.list(Paging.of(page, size, properties));
    }

    @GetMapping("/{role}")
    @Operation(summary = "Get a role")
    RoleAdministration.RoleView get(@PathVariable String role) {
        return roles.get(role);
    }

    @PostMapping(consumes = "application/json")
    @Audited("admin.role.create")
    @Operation(summary = "Create a role with its permissions (resource:action)")
    ResponseEntity<RoleAdministration.RoleView> create(
            @Valid @RequestBody CreateRoleRequest body, HttpServletRequest request) {
        request.setAttribute(AdminAuditInterceptor.SUBJECT, body.name());
        RoleAdministration.RoleView created =
                roles.create(body.name(), body.description() == null ? "" : body.description(), body.permissions());
        AdminAuditInterceptor.detail(request, "permissions", String.join(" ", created.permissions()));
        return ResponseEntity.created(URI.create("/admin/roles/" + created.name()))
                .body(created);
    }

    @PutMapping(path = "/{role}", consumes = "application/json")
    @Audited(value = "admin.role.update", subject = "role")
    @Operation(
            summary = "Replace a role's permissions (and description, if given); built-in roles keep their"
                    + " permissions")
    RoleAdministration.RoleView update(
            @PathVariable String role, @Valid @RequestBody UpdateRoleRequest body, HttpServletRequest request) {
        RoleAdministration.RoleView updated = roles.update(role, body.description(), body.permissions());
        AdminAuditInterceptor.detail(request, "permissions", String.join(" ", updated.permissions()));
        return updated;
    }

    @DeleteMapping("/{role}")
    @Audited(value = "admin.role.delete", subject = "role")
    @Operation(summary = "Delete a role that no user holds (409 while held; built-in roles cannot be deleted)")
    ResponseEntity<Void> delete(@PathVariable String role) {
        roles.delete(role);
        return ResponseEntity.noContent().build();
    }
}
