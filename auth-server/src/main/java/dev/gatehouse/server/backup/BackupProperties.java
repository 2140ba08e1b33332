package dev.gatehouse.server.backup;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the online backup, under {@code gatehouse.server.backup.*} (environment: {@code
 * GATEHOUSE_SERVER_BACKUP_*}).
 *
 * @param directory where the server writes an online backup of its embedded H2 database on {@code POST /admin/backup}
 *     (created owner-only if missing); unset (the default) turns the online backup off. The file name is the server's
 *     own ({@code gatehouse-<UTC time>.zip}), never taken from a request.
 */
@ConfigurationProperties("gatehouse.server.backup")
public record BackupProperties(@Nullable Path directory) {}
