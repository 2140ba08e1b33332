package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The admin API suite on an H2 file database in a fresh data directory. */
class H2AdminApiTests extends AbstractAdminApiTests {

    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-admin-h2-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the online backup writes (H2 only; the PostgreSQL suite leaves it unset). */
    static final Path BACKUPS = DATA.resolve("backups");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
        registry.add("gatehouse.server.backup.directory", BACKUPS::toString);
    }

    @Test
    void backupWhenPostedByAdminThenOwnerOnlyCopyInConfiguredDirectoryAndAuditedAuditorRefused() throws Exception {
        String admin = adminToken();
        int before = audit.events.size();

        Map<String, Object> made = object(call("POST", "/admin/backup", admin, null), 200);

        String file = (String) made.get("file");
        assertThat(file).matches("gatehouse-\\d{8}T\\d{6}Z\\.zip");
        Path written = BACKUPS.resolve(file);
        assertThat(written).isRegularFile();
        assertThat(Files.size(written)).isEqualTo(((Number) made.get("bytes")).longValue());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written)))
                .isEqualTo("rw-------");
        assertThat(only(before, "admin.backup").subject()).isEqualTo(file);

        // Writing a backup is an admin's action: the read-only auditor role is refused.
        String name = "backup-auditor-" + System.nanoTime();
        created(createUser(admin, name, STRONG, List.of("auditor")));
        String auditor = userToken(name, STRONG, "openid admin");
        assertThat(call("POST", "/admin/backup", auditor, null).statusCode()).isEqualTo(403);
    }

    @Override
    Path dataDir() {
        return DATA;
    }
}
