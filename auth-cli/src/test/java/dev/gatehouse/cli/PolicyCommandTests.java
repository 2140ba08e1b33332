package dev.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCommandTests {

    private record Run(int code, String out, String err) {}

    @TempDir
    Path dir;

    private Path rbac;
    private Path abac;

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = GatehouseCli.execute(
                new ByteArrayInputStream(new byte[0]), new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void files() throws IOException {
        rbac = Files.writeString(dir.resolve("rbac.yaml"), """
                id: docs
                actions: [read, write]
                roles:
                  viewer: { permissions: ["document:read"] }
                  editor: { inherits: [viewer], permissions: ["document:write"] }
                """);
        abac = Files.writeString(dir.resolve("abac.json"), """
                {"id": "owners", "rules": [{"id": "owner", "target": {"resource": "document"}, "effect": "permit",
                  "condition": "resource.attributes.owner == subject.id",
                  "obligations": [{"id": "audit"}]}]}
                """);
    }

    private Path request(String subject, String role, String action) throws IOException {
        return Files.writeString(dir.resolve(subject + "-" + action + ".json"), """
                {"subject": {"id": "%s", "roles": ["%s"]}, "action": "%s",
                 "resource": {"type": "document", "id": "d1", "attributes": {"owner": "zoe"}}}
                """.formatted(subject, role, action));
    }

    @Test
    void checkWhenRbacPermitsThenExitZeroWithJson() throws IOException {
        Run r = run(
                "policy",
                "check",
                "--policy",
                rbac.toString(),
                "--request",
                request("bob", "editor", "read").toString());

        assertThat(r.code()).isZero();
        assertThat(r.out().strip())
                .isEqualTo("{\"decision\": \"permit\", \"policy\": \"docs\", \"rule\": \"role:editor\", "
                        + "\"reason\": \"role 'editor' grants document:read\", \"obligations\": []}");
    }

    @Test
    void checkWhenRbacDeniesThenExitOneWithReason() throws IOException {
        Run r = run(
                "policy",
                "check",
                "--policy",
                rbac.toString(),
                "--request",
                request("carol", "viewer", "write").toString());

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("\"decision\": \"deny\"", "\"cause\": \"not-applicable\"", "document:write");
    }

    @Test
    void checkWhenAbacOwnerThenPermitWithObligation() throws IOException {
        Run r = run(
                "policy",
                "check",
                "--policy",
                abac.toString(),
                "--request",
                request("zoe", "x", "write").toString());

        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("\"rule\": \"owner\"", "\"obligations\": [{\"id\": \"audit\", \"attributes\": {}}]");
    }

    @Test
    void checkWhenPolicyInvalidThenExitTwoWithCode() throws IOException {
        Path bad = Files.writeString(
                dir.resolve("bad.yaml"), "id: p\nrules:\n  - { id: r, effect: permit, condition: 'action + 1' }\n");

        Run r = run(
                "policy",
                "check",
                "--policy",
                bad.toString(),
                "--request",
                request("a", "b", "read").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("policy.invalid_condition", "rule 'r'");
    }

    @Test
    void checkWhenRequestMalformedThenExitTwo() throws IOException {
        Path req = Files.writeString(dir.resolve("req.json"), "{\"action\": \"read\"}");

        Run r = run("policy", "check", "--policy", rbac.toString(), "--request", req.toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("policy.invalid_request");
    }

    @Test
    void checkWhenOpaUnreachableThenDenyExitOne() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }

        Run r = run(
                "policy",
                "check",
                "--policy",
                "http://127.0.0.1:" + port + "/v1/data/authz/allow",
                "--request",
                request("a", "b", "read").toString(),
                "--timeout",
                "500");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("\"cause\": \"indeterminate\"", "OPA unreachable");
    }

    @Test
    void checkWhenOpaUrlHasNoDocumentThenExitTwo() throws IOException {
        Run r = run(
                "policy",
                "check",
                "--policy",
                "http://127.0.0.1:1/",
                "--request",
                request("a", "b", "read").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("/v1/data/");
    }
}
