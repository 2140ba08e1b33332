package dev.gatehouse.examples.plain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PolicyFromCodeTests {

    private static Process opa;
    private static String opaUrl;

    @org.junit.jupiter.api.BeforeAll
    static void startOpa() throws Exception {
        java.nio.file.Path root =
                java.nio.file.Path.of("../..").toAbsolutePath().normalize();
        String configured = System.getenv("GATEHOUSE_OPA_BINARY");
        java.nio.file.Path binary = configured != null && !configured.isBlank()
                ? java.nio.file.Path.of(configured)
                : java.nio.file.Path.of(java.nio.file.Files.readString(root.resolve("target/opa-binary"))
                        .strip());
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        opa = new ProcessBuilder(
                        binary.toString(),
                        "run",
                        "--server",
                        "--addr=127.0.0.1:" + port,
                        root.resolve("examples/resource-server/policy/documents.rego")
                                .toString())
                .redirectErrorStream(true)
                .redirectOutput(java.lang.ProcessBuilder.Redirect.DISCARD)
                .start();
        opaUrl = "http://127.0.0.1:" + port;
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < 100; i++) {
            try {
                if (http.send(
                                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(opaUrl + "/health"))
                                                .build(),
                                        java.net.http.HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("OPA did not start");
    }

    @org.junit.jupiter.api.AfterAll
    static void stopOpa() {
        if (opa != null) {
            opa.destroy();
        }
    }

    @Test
    void runWhenExecutedThenEveryCapabilityPrintsTheExpectedOutcome() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PolicyFromCode.run(new PrintStream(buffer, true, StandardCharsets.UTF_8), opaUrl);
        String out = buffer.toString(StandardCharsets.UTF_8);

        assertThat(out).contains("verify(right)              -> matched=true rehash=false");
        assertThat(out).contains("verify(wrong)              -> matched=false");
        assertThat(out).contains("verify(legacy bcrypt)      -> matched=true rehash=true upgradedTo=$argon2id$");
        assertThat(out).contains("refused: token.wrong_audience").contains("refused: token.unsecured");
        assertThat(out)
                .contains("confirm(first code)        -> ACCEPTED")
                .contains("verify(same code again)    -> REPLAYED");
        assertThat(out).containsPattern("viewer reads +-> PERMIT");
        assertThat(out).containsPattern("viewer writes +-> DENY");
        assertThat(out).containsPattern("owner writes at 11:00 +-> PERMIT");
        assertThat(out).containsPattern("owner writes at 22:00 +-> DENY");
        assertThat(out).containsPattern("editor writes locked +-> DENY");
        assertThat(out).containsPattern("admin shreds \\(unknown\\) +-> DENY");
        assertThat(out).doesNotContain("secret=" + "J"); // the TOTP secret is never printed
        // A real OPA server: a deny for the classified document; no opinion (hence a deny at the edge, fail
        // closed) for the ordinary one, since OPA alone grants nothing.
        assertThat(out)
                .containsPattern(
                        "read classified \\(OPA\\) +-> DENY \\(classified documents are closed to everyone\\)");
        assertThat(out).containsPattern("read ordinary \\(OPA\\) +-> DENY \\(not applicable");
        assertThat(out).contains("OPA ready                  -> true");
    }
}
