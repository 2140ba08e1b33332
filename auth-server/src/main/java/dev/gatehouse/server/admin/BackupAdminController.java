package dev.gatehouse.server.admin;

import dev.gatehouse.server.backup.OnlineBackup;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /admin/backup}: an online backup of the embedded H2 database into the configured directory ({@code
 * gatehouse.server.backup.directory}; the request chooses neither directory nor name). Admin writes only (the
 * auditor role reads). PostgreSQL is backed up with its own tools: 409 {@code admin.backup.not_h2}.
 */
@RestController
@RequestMapping(path = "/admin/backup", produces = "application/json")
@Tag(name = "backup", description = "Online backup of the embedded H2 database")
final class BackupAdminController {

    private final OnlineBackup backup;

    BackupAdminController(OnlineBackup backup) {
        this.backup = backup;
    }

    @PostMapping
    @Audited("admin.backup")
    @Operation(summary = "Back the embedded H2 database up into gatehouse.server.backup.directory (owner-only file)")
    OnlineBackup.Made backUp(HttpServletRequest request) {
        try {
            OnlineBackup.Made made = backup.backUp();
            request.setAttribute(AdminAuditInterceptor.SUBJECT, made.file());
            return made;
        } catch (OnlineBackup.Refused e) {
            throw AdminException.conflict("admin." + e.code(), e.detail());
        }
    }
}
