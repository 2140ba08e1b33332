package dev.gatehouse.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The server's package boundaries (ARCHITECTURE.md, "Each server package wires itself"), held by ArchUnit. */
class ArchitectureTests {

    private static final JavaClasses SERVER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.gatehouse.server");

    @Test
    void packagesWhenImportedThenFreeOfCycles() {
        slices().matching("dev.gatehouse.server.(*)..")
                .should()
                .beFreeOfCycles()
                .because("each package wires itself and depends only on packages below it")
                .check(SERVER);
    }

    @Test
    void keyRingPersistenceWhenUsedThenOnlyFromKeysPackage() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.gatehouse.server.keys..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("dev.gatehouse.server.keys.JdbcKeyRepository")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("dev.gatehouse.core.jwt.KeyRepository")
                .because("private signing keys are read and written in one place")
                .check(SERVER);
    }

    @Test
    void adminWhenCompiledThenUsesNothingOfTheBrowserSignIn() {
        noClasses()
                .that()
                .resideInAPackage("dev.gatehouse.server.admin..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.gatehouse.server.signin..", "dev.gatehouse.server.config..")
                .because("the admin API is a resource server of its own; sign-in pages and the server's wiring are not"
                        + " its business")
                .check(SERVER);
    }

    @Test
    void secretsAndSettingsWhenCompiledThenDependOnNoOtherServerPackage() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.gatehouse.server.secrets..", "dev.gatehouse.server.settings..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.gatehouse.server.admin..",
                        "dev.gatehouse.server.audit..",
                        "dev.gatehouse.server.clients..",
                        "dev.gatehouse.server.config..",
                        "dev.gatehouse.server.keys..",
                        "dev.gatehouse.server.maintenance..",
                        "dev.gatehouse.server.mfa..",
                        "dev.gatehouse.server.observability..",
                        "dev.gatehouse.server.ratelimit..",
                        "dev.gatehouse.server.signin..",
                        "dev.gatehouse.server.tokens..",
                        "dev.gatehouse.server.transport..",
                        "dev.gatehouse.server.users..")
                .because("every package may read settings and secrets, so they must sit at the bottom")
                .check(SERVER);
    }

    /**
     * Each table has one owning package, the only one whose SQL names it (comments aside): the admin API, the
     * maintenance jobs and the wiring go through the owners. Spring Authorization Server's own JDBC classes are the
     * tokens and clients packages' business. The MFA tables ({@code gatehouse_totp_factor}, {@code
     * gatehouse_recovery_code}) belong to the starter's JDBC stores, so no server package names them.
     */
    private static final Map<String, String> TABLE_OWNERS = Map.ofEntries(
            Map.entry("gh_admin_guard", "admin"),
            Map.entry("gh_audit_chain", "audit"),
            Map.entry("gh_audit_event", "audit"),
            Map.entry("gh_server_secret", "secrets"),
            Map.entry("gh_key_ring", "keys"),
            Map.entry("gh_signing_key", "keys"),
            Map.entry("gh_rate_limit_bucket", "ratelimit"),
            Map.entry("oauth2_registered_client", "clients"),
            Map.entry("gh_client_epoch", "clients"),
            Map.entry("oauth2_authorization", "tokens"),
            Map.entry("oauth2_authorization_consent", "tokens"),
            Map.entry("gh_consumed_refresh_token", "tokens"),
            Map.entry("gh_revoked_authorization", "tokens"),
            Map.entry("gh_used_jti", "tokens"),
            Map.entry("gh_user", "users"),
            Map.entry("gh_user_role", "users"),
            Map.entry("gh_role", "users"),
            Map.entry("gh_role_permission", "users"),
            Map.entry("gh_attempt_counter", "users"),
            Map.entry("gh_sign_in_revocation", "users"),
            // Replacement TOTP keys awaiting their first code (account self-service, issue #15).
            Map.entry("gh_totp_replacement", "mfa"),
            // The e-mail flows' single-use links (issue #15); their users' e-mail columns stay with users.
            Map.entry("gh_email_token", "registration"),
            // Passkeys: WebAuthn user handles and credentials (issue #16).
            Map.entry("gh_passkey_user", "passkeys"),
            Map.entry("gh_passkey", "passkeys"),
            // "Don't ask again" answers to the passkey offer after a password sign-in (issue #16).
            Map.entry("gh_passkey_offer_declined", "passkeys"),
            // Back-channel logout (issue #17): relying parties' sessions and the outbox of logout tokens.
            Map.entry("gh_rp_session", "logout"),
            Map.entry("gh_logout_delivery", "logout"),
            // Back-channel logout's circuit breaker per client (review 2 finding 5).
            Map.entry("gh_logout_circuit", "logout"),
            // Dynamic client registration (issue #17): initial and registration access tokens, hashed.
            Map.entry("gh_initial_access_token", "dynamicclients"),
            Map.entry("gh_registration_access_token", "dynamicclients"),
            // Spring Session's tables (its repository's SQL is its own); the anonymous-session cap names them.
            Map.entry("spring_session", "transport"),
            Map.entry("spring_session_attributes", "transport"));

    private static final Pattern TABLE =
            Pattern.compile("\\b(gh_[a-z_]+|oauth2_[a-z_]+|gatehouse_[a-z_]+|(?i:spring_session(?:_attributes)?))\\b");

    @Test
    void tablesWhenNamedInSqlThenOnlyByTheirOwningPackage() throws IOException {
        Path root = Path.of("src/main/java/dev/gatehouse/server");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(file).getName(0).toString();
                List<String> lines = Files.readAllLines(file);
                for (int n = 0; n < lines.size(); n++) {
                    String line = lines.get(n).strip();
                    if (line.startsWith("*") || line.startsWith("/*") || line.startsWith("//")) {
                        continue;
                    }
                    Matcher m = TABLE.matcher(line);
                    while (m.find()) {
                        String table = m.group(1).toLowerCase(java.util.Locale.ROOT);
                        String owner = TABLE_OWNERS.get(table);
                        if (!pkg.equals(owner)) {
                            violations.add(root.relativize(file) + ":" + (n + 1) + " names " + table + " (owner: "
                                    + (owner == null ? "none declared" : owner) + ")");
                        }
                    }
                }
            }
        }
        assertThat(violations).as("SQL on tables another package owns").isEmpty();
    }
}
