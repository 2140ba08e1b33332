package dev.gatehouse.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.policy.abac.AbacEngine;
import dev.gatehouse.core.policy.abac.AbacPolicy;
import dev.gatehouse.core.policy.opa.OpaRestEngine;
import dev.gatehouse.core.policy.opa.OpaWasmEngine;
import dev.gatehouse.core.policy.rbac.RbacEngine;
import dev.gatehouse.core.policy.rbac.RbacModel;
import dev.gatehouse.core.testsupport.Opa;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/**
 * One decision table (policy/decision-table.csv: subjects x actions x resources) against every engine that
 * expresses the same policy: RBAC (rbac.yaml), ABAC with CEL (abac.yaml), and the Rego in authz.rego on a
 * real OPA server over REST and compiled to Wasm in-process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DecisionTableTests {

    private PolicyEngine rbac;
    private PolicyEngine abac;
    private OpaRestEngine opaRest;
    private OpaRestEngine opaRestBoolean;
    private PolicyEngine opaWasm;

    @BeforeAll
    void engines() {
        rbac = RbacEngine.of(RbacModel.load(PolicyTestSupport.resource("policy/rbac.yaml")));
        abac = AbacEngine.of(AbacPolicy.load(PolicyTestSupport.resource("policy/abac.yaml")));
        opaRest = OpaRestEngine.builder()
                .url(Opa.server())
                .document("gatehouse/authz/decision")
                .timeout(java.time.Duration.ofSeconds(5))
                .connectTimeout(java.time.Duration.ofSeconds(5))
                .build();
        opaRestBoolean = OpaRestEngine.builder()
                .url(Opa.server())
                .document("gatehouse/authz/allow")
                .timeout(java.time.Duration.ofSeconds(5))
                .connectTimeout(java.time.Duration.ofSeconds(5))
                .build();
        opaWasm = OpaWasmEngine.builder()
                .bundle(Opa.wasmBundle())
                .entrypoint("gatehouse/authz/decision")
                .poolSize(2)
                .build();
    }

    @AfterAll
    void close() {
        opaRest.close();
        opaRestBoolean.close();
    }

    @ParameterizedTest(name = "rbac: {0} [{1}] {2} {3} -> {4}")
    @CsvFileSource(resources = "/policy/decision-table.csv", commentCharacter = '#')
    void decideWhenRbacThenMatchesTable(String subject, String roles, String action, String type, String expected) {
        check(rbac, subject, roles, action, type, expected);
    }

    @ParameterizedTest(name = "abac: {0} [{1}] {2} {3} -> {4}")
    @CsvFileSource(resources = "/policy/decision-table.csv", commentCharacter = '#')
    void decideWhenAbacThenMatchesTable(String subject, String roles, String action, String type, String expected) {
        check(abac, subject, roles, action, type, expected);
    }

    @ParameterizedTest(name = "opa-rest: {0} [{1}] {2} {3} -> {4}")
    @CsvFileSource(resources = "/policy/decision-table.csv", commentCharacter = '#')
    void decideWhenOpaRestThenMatchesTable(String subject, String roles, String action, String type, String expected) {
        check(opaRest, subject, roles, action, type, expected);
        check(opaRestBoolean, subject, roles, action, type, expected);
    }

    @ParameterizedTest(name = "opa-wasm: {0} [{1}] {2} {3} -> {4}")
    @CsvFileSource(resources = "/policy/decision-table.csv", commentCharacter = '#')
    void decideWhenOpaWasmThenMatchesTable(String subject, String roles, String action, String type, String expected) {
        check(opaWasm, subject, roles, action, type, expected);
    }

    private static void check(
            PolicyEngine engine, String subject, String roles, String action, String type, String expected) {
        Decision d = PolicyDecisionPoint.of(engine).decide(PolicyTestSupport.request(subject, roles, action, type));
        assertThat(d.permitted())
                .as("%s: %s [%s] %s %s (%s)", engine.id(), subject, roles, action, type, d.reason())
                .isEqualTo(expected.equals("permit"));
        assertThat(d.reason()).isNotBlank();
        assertThat(d.policy()).isEqualTo(engine.id());
    }
}
