package dev.gatehouse.core.policy.opa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.PolicyException;
import dev.gatehouse.core.policy.PolicyTestSupport;
import dev.gatehouse.core.testsupport.Opa;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OPA compiled to Wasm by the real {@code opa build}, evaluated in-process. */
class OpaWasmEngineTests {

    @Test
    void readWhenBundleBuiltByOpaThenPolicyAndDataUnpacked() {
        OpaBundle b = OpaBundle.read(Opa.wasmBundle());

        assertThat(b.wasm()).startsWith(0x00, 'a', 's', 'm');
        assertThat(b.dataJson()).contains("known_actions");
    }

    @Test
    void buildWhenEntrypointMissingThenRefusedListingEntrypoints() {
        assertThatThrownBy(() -> OpaWasmEngine.builder()
                        .bundle(Opa.wasmBundle())
                        .entrypoint("gatehouse/authz/nope")
                        .poolSize(1)
                        .build())
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("no entrypoint 'gatehouse/authz/nope'")
                .hasMessageContaining("gatehouse/authz/decision");
    }

    @Test
    void readWhenBundleHasNoWasmThenRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("empty.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write(new byte[1024]);
        }

        assertThatThrownBy(() -> OpaBundle.read(f)).hasMessageContaining("has no /policy.wasm");
        assertThatThrownBy(() -> OpaBundle.read(dir.resolve("absent.tar.gz")))
                .extracting(e -> ((PolicyException) e).code())
                .isEqualTo("policy.unavailable");
    }

    @Test
    void decideWhenBooleanEntrypointThenDataStaysLoadedAcrossEvaluations() {
        OpaWasmEngine e = OpaWasmEngine.builder()
                .bundle(Opa.wasmBundle())
                .entrypoint("gatehouse/authz/allow")
                .poolSize(1)
                .build();

        for (int i = 0; i < 3; i++) {
            assertThat(PolicyDecisionPoint.of(e)
                            .decide(PolicyTestSupport.request("a", "viewer", "read", "document"))
                            .permitted())
                    .isTrue();
            assertThat(PolicyDecisionPoint.of(e)
                            .decide(PolicyTestSupport.request("a", "viewer", "write", "document"))
                            .permitted())
                    .isFalse();
        }
    }

    @Test
    void decideWhenUndefinedThenDeny(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("p.rego"), "package t\n\nallow if input.action == \"read\"\n");
        Path bundle = Opa.build(dir, List.of("t/allow"));
        OpaWasmEngine e = OpaWasmEngine.builder()
                .bundle(bundle)
                .entrypoint("t/allow")
                .poolSize(1)
                .build();

        assertThat(PolicyDecisionPoint.of(e)
                        .decide(PolicyTestSupport.request("a", "", "read", "x"))
                        .permitted())
                .isTrue();
        Decision d = PolicyDecisionPoint.of(e).decide(PolicyTestSupport.request("a", "", "write", "x"));
        assertThat(d.permitted()).isFalse();
        assertThat(d.reason()).contains("undefined");
    }

    @Test
    void decideWhenManyThreadsThenPoolServesAllCorrectly() throws Exception {
        OpaWasmEngine e = OpaWasmEngine.builder()
                .bundle(Opa.wasmBundle())
                .entrypoint("gatehouse/authz/decision")
                .poolSize(2)
                .build();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                boolean admin = i % 2 == 0;
                results.add(threads.submit(() -> PolicyDecisionPoint.of(e)
                        .decide(PolicyTestSupport.request("u", admin ? "admin" : "viewer", "delete", "document"))
                        .permitted()));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get()).isEqualTo(i % 2 == 0);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
