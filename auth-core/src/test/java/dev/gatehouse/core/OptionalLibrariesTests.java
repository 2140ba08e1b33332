package dev.gatehouse.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.mfa.QrCode;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.PasswordPolicy;
import dev.gatehouse.core.password.Verification;
import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.CachingPolicyEngine;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.Resource;
import dev.gatehouse.core.policy.Subject;
import dev.gatehouse.core.policy.abac.AbacPolicy;
import dev.gatehouse.core.policy.opa.OpaRestEngine;
import dev.gatehouse.core.policy.opa.OpaWasmEngine;
import dev.gatehouse.core.policy.rbac.RbacEngine;
import dev.gatehouse.core.policy.rbac.RbacModel;
import dev.gatehouse.core.testsupport.HidingClassLoader;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: each capability's third-party libraries are optional. These tests run auth-core's classes in a class
 * loader that hides libraries, as an application that did not add them sees it: what needs only the required ones works,
 * and a capability whose library is missing fails with its typed exception naming the dependency to add (never
 * a {@link NoClassDefFoundError}).
 */
class OptionalLibrariesTests {

    /** What auth-core needs whatever the capability: the JDK, Password4j (and its SLF4J API), Bouncy Castle, JSpecify. */
    private static final List<String> REQUIRED = List.of(
            "java.",
            "javax.",
            "jdk.",
            "sun.",
            "com.sun.",
            "com.password4j.",
            "org.bouncycastle.",
            "org.slf4j.",
            "org.jspecify.");

    @Test
    void passwordHasherWhenOnlyRequiredLibrariesThenHashesAndVerifies() {
        assertThat(run(onlyRequired(), "hashAndVerify")).isEqualTo("matched=true needsRehash=false");
    }

    @Test
    void rbacWhenOnlyRequiredLibrariesThenModelBuiltInCodeDecides() {
        assertThat(run(onlyRequired(), "rbacFromCode")).isEqualTo("Permit");
    }

    @Test
    void abacPolicyWhenCelMissingThenPolicyExceptionNamesTheDependency() {
        assertThat(run(hiding("dev.cel."), "abacPolicy"))
                .startsWith("PolicyException policy.library_missing: CEL conditions (policy.abac) need dev.cel:cel");
    }

    @Test
    void capabilitiesWhenTheirLibrariesMissingThenTypedExceptionsNameTheDependency() {
        Predicate<String> hidden = onlyRequired();

        assertThat(run(hidden, "abacPolicy")).startsWith("PolicyException policy.library_missing: CEL conditions");
        assertThat(run(hidden, "rbacLoad"))
                .startsWith("PolicyException policy.library_missing: policy documents (YAML or JSON) need"
                        + " org.yaml:snakeyaml");
        assertThat(run(hidden, "decisionCache"))
                .startsWith("PolicyException policy.library_missing: decision caches (CachingPolicyEngine) need"
                        + " com.github.ben-manes.caffeine:caffeine");
        assertThat(run(hidden, "tokenDenylist"))
                .startsWith("TokenException token.library_missing: in-memory denylists")
                .contains("com.github.ben-manes.caffeine:caffeine");
        assertThat(run(hidden, "opaRest")).contains("policy.library_missing", "com.bisnode.opa:opa-java-client");
        assertThat(run(hidden, "opaWasm")).contains("policy.library_missing", "com.styra.opa:opa-java-wasm");
        assertThat(run(hidden, "passwordPolicy"))
                .startsWith("PasswordException password.library_missing: password policies")
                .contains("me.gosimple:nbvcxz");
        assertThat(run(hidden, "totp"))
                .startsWith("MfaException mfa.library_missing:")
                .contains("googleauth");
        assertThat(run(hidden, "qrCode"))
                .startsWith("MfaException mfa.library_missing:")
                .contains("zxing");
        assertThat(run(hiding("com.google.crypto.tink."), "eddsaKeyRing"))
                .startsWith("TokenException token.library_missing: EdDSA")
                .contains("com.google.crypto.tink:tink");
    }

    @Test
    void passwordPolicyWhenNbvcxzMissingAndNotAskedForThenChecksLength() {
        assertThat(run(onlyRequired(), "lengthOnlyPasswordPolicy")).isEqualTo("accepted");
    }

    private static Predicate<String> onlyRequired() {
        return name -> REQUIRED.stream().noneMatch(name::startsWith);
    }

    private static Predicate<String> hiding(String prefix) {
        return name -> name.startsWith(prefix);
    }

    /** Runs one of {@link Scenarios}' methods with auth-core loaded afresh behind the hiding loader. */
    private static String run(Predicate<String> hidden, String scenario) {
        try {
            Class<?> scenarios = Class.forName(
                    Scenarios.class.getName(), true, new HidingClassLoader("dev.gatehouse.core.", hidden));
            java.lang.reflect.Method method = scenarios.getDeclaredMethod(scenario);
            // Same package name, but another class loader: another runtime package, so package access is lost.
            method.setAccessible(true);
            return (String) method.invoke(null);
        } catch (InvocationTargetException e) {
            throw new AssertionError(scenario + " failed with " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Code run inside the hiding loader: returns what happened, or the typed exception's class, code and message. */
    static final class Scenarios {

        private Scenarios() {}

        static String hashAndVerify() {
            PasswordHasher hasher = PasswordHasher.defaults();
            String stored = hasher.hash("lantern quarry velvet orbit");
            Verification v = hasher.verify("lantern quarry velvet orbit", stored);
            return "matched=" + v.matched() + " needsRehash=" + v.needsRehash();
        }

        static String rbacFromCode() {
            RbacModel model = RbacModel.builder("docs")
                    .action("read")
                    .role("viewer", List.of(), "document:read")
                    .assign("erin", "viewer")
                    .build();
            Decision decision = PolicyDecisionPoint.of(RbacEngine.of(model))
                    .decide(AccessRequest.builder()
                            .subject(Subject.of("erin"))
                            .action("read")
                            .resource(Resource.of("document", "d1"))
                            .build());
            return decision.getClass().getSimpleName();
        }

        static String lengthOnlyPasswordPolicy() {
            return PasswordPolicy.builder()
                            .blocklist(dev.gatehouse.core.password.PasswordBlocklist.of(List.of("password")))
                            .minimumEntropyBits(0)
                            .build()
                            .check("lantern quarry velvet orbit")
                            .accepted()
                    ? "accepted"
                    : "refused";
        }

        static String abacPolicy() {
            return typed(() -> AbacPolicy.parse("id: p\nrules: []\n"));
        }

        static String rbacLoad() {
            return typed(() -> RbacModel.load(java.nio.file.Path.of("rbac.yaml")));
        }

        static String decisionCache() {
            return typed(() -> CachingPolicyEngine.builder(
                            RbacEngine.of(RbacModel.builder("m").build()))
                    .build());
        }

        static String tokenDenylist() {
            return typed(dev.gatehouse.core.jwt.InMemoryTokenDenylist::new);
        }

        static String opaRest() {
            return typed(() -> OpaRestEngine.builder()
                    .url(java.net.URI.create("http://localhost:8181"))
                    .build());
        }

        static String opaWasm() {
            return typed(OpaWasmEngine::builder);
        }

        static String passwordPolicy() {
            return typed(PasswordPolicy::defaults);
        }

        static String totp() {
            return typed(TotpService::builder);
        }

        static String qrCode() {
            return typed(() -> QrCode.png("otpauth://totp/x", 200));
        }

        static String eddsaKeyRing() {
            return typed(() -> KeyRing.builder().algorithm(JwsAlgorithm.EdDSA).build());
        }

        private static String typed(java.util.function.Supplier<?> action) {
            try {
                return "no exception: " + action.get();
            } catch (GatehouseException e) {
                return e.getClass().getSimpleName() + " " + e.code() + ": " + e.getMessage();
            }
        }
    }
}
