package dev.gatehouse.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
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
}
