package dev.gatehouse.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import org.junit.jupiter.api.Test;

/** Module boundaries from ARCHITECTURE.md, held by ArchUnit. */
class ArchitectureTests {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.gatehouse.core");

    @Test
    void coreWhenCheckedThenDependsOnNoSpring() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework..")
                .because("auth-core is plain Java; Spring lives in auth-server and auth-spring-starter")
                .check(CORE);
    }

    @Test
    void passwordLibrariesWhenUsedThenOnlyInsidePasswordPackage() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.gatehouse.core.password..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("com.password4j..", "org.bouncycastle..", "me.gosimple.nbvcxz..")
                .because("swapping the hashing library must touch one package")
                .check(CORE);
    }

    @Test
    void nimbusWhenUsedThenOnlyInsideJwtPackage() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.gatehouse.core.jwt..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("com.nimbusds..", "com.google.crypto.tink..")
                .because("swapping the JOSE library must touch one package")
                .check(CORE);
    }

    @Test
    void googleauthAndZxingWhenUsedThenOnlyInsideMfaPackage() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.gatehouse.core.mfa..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("com.warrenstrange..", "com.google.zxing..")
                .because("swapping the TOTP or QR library must touch one package")
                .check(CORE);
    }

    @Test
    void coreWhenCheckedThenNoStandardStreamsOrPrintStackTrace() {
        noClasses()
                .should()
                .accessField(System.class, "out")
                .orShould()
                .accessField(System.class, "err")
                .orShould()
                .callMethod(Throwable.class, "printStackTrace")
                .because("a library must not write secrets-bearing output on its own")
                .check(CORE);
    }

    @Test
    void celWhenUsedThenOnlyInsideAbacPackage() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.gatehouse.core.policy.abac..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.cel..")
                .because("swapping the expression language must touch one package")
                .check(CORE);
    }

    @Test
    void opaLibrariesWhenUsedThenOnlyInsideOpaPackage() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.gatehouse.core.policy.opa..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("com.bisnode.opa..", "com.styra.opa..", "com.dylibso.chicory..")
                .because("nothing outside policy.opa knows OPA exists")
                .check(CORE);
    }

    @Test
    void policyApiWhenCheckedThenDependsOnNoEngine() {
        noClasses()
                .that()
                .resideInAPackage("dev.gatehouse.core.policy")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.gatehouse.core.policy.rbac..",
                        "dev.gatehouse.core.policy.abac..",
                        "dev.gatehouse.core.policy.opa..")
                .because("engines plug into the decision API, never the other way round")
                .check(CORE);
    }

    @Test
    void decisionWhenReturnedByPublicMethodThenOnlyByTheDecisionPoint() {
        methods()
                .that()
                .arePublic()
                .and()
                .haveRawReturnType(Decision.class)
                .should()
                .beDeclaredIn(PolicyDecisionPoint.class)
                .because("a Decision comes only through the decision point's fail-closed handling")
                .check(CORE);
    }

    @Test
    void publicApiWhenCheckedThenReturnsNoNimbusType() {
        noMethods()
                .that()
                .arePublic()
                .and()
                .areDeclaredInClassesThat()
                .arePublic()
                .should()
                .haveRawReturnType(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "a Nimbus type", c -> c.getPackageName().startsWith("com.nimbusds")))
                .because("Nimbus is the jwt package's implementation detail, not part of the API")
                .check(CORE);
    }

    @Test
    void packagesWhenImportedThenFreeOfCycles() {
        slices().matching("dev.gatehouse.core.(*)..")
                .should()
                .beFreeOfCycles()
                .because("each capability stands on its own and on crypto; none reaches back into another")
                .check(CORE);
    }
}
