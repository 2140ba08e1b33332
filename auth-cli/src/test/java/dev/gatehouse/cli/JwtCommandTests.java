package dev.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtCommandTests {

    private record Run(int code, String out, String err) {}

    private final Map<String, String> env = new HashMap<>();

    JwtCommandTests() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        env.put("GATEHOUSE_MASTER_KEY", Base64.getEncoder().encodeToString(key));
    }

    private Run run(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = GatehouseCli.execute(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out),
                new PrintWriter(err),
                env::get,
                args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void keygenSignJwksVerifyWhenRoundTripThenValidClaims(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys.json");
        Path jwks = dir.resolve("jwks.json");

        Run keygen = run("", "jwt", "keygen", "--alg", "ES256", "--out", keys.toString());
        Run sign = run(
                "",
                "jwt",
                "sign",
                "--keys",
                keys.toString(),
                "--claims",
                "{\"sub\":\"alice\",\"aud\":\"api\",\"iss\":\"https://login.example.test\"}",
                "--ttl",
                "10m");
        Run publicKeys = run("", "jwks", "--keys", keys.toString());
        Files.writeString(jwks, publicKeys.out());
        Run verify = run(
                "",
                "jwt",
                "verify",
                "--jwks",
                jwks.toString(),
                "--token",
                sign.out().strip(),
                "--issuer",
                "https://login.example.test",
                "--audience",
                "api",
                "--alg",
                "ES256");

        assertThat(keygen.code()).as(keygen.err()).isZero();
        assertThat(keygen.out()).contains("ES256 ACTIVE");
        assertThat(sign.code()).as(sign.err()).isZero();
        assertThat(publicKeys.out()).contains("\"kty\":\"EC\"").doesNotContain("\"d\"");
        assertThat(verify.code()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("\"sub\":\"alice\"");
        assertThat(Files.readString(keys)).doesNotContain("\"d\":");
    }

    @Test
    void verifyWhenWrongAudienceThenExitOneWithCode(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys.json");
        run("", "jwt", "keygen", "--out", keys.toString());
        String token = run("", "jwt", "sign", "--keys", keys.toString(), "--claims", "{\"aud\":\"other\"}")
                .out()
                .strip();
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, run("", "jwks", "--keys", keys.toString()).out());

        Run r = run(token + "\n", "jwt", "verify", "--jwks", jwks.toString(), "--token", "-", "--audience", "api");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out().strip()).isEqualTo("token.wrong_audience");
    }

    @Test
    void verifyWhenAlgNoneThenExitOne(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys.json");
        run("", "jwt", "keygen", "--out", keys.toString());
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, run("", "jwks", "--keys", keys.toString()).out());
        String none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.";

        Run r = run("", "jwt", "verify", "--jwks", jwks.toString(), "--token", none);

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out().strip()).isEqualTo("token.unsecured");
    }

    @Test
    void keygenWhenNoMasterKeyThenExitTwoWithHowToFix(@TempDir Path dir) {
        env.remove("GATEHOUSE_MASTER_KEY");

        Run r = run("", "jwt", "keygen", "--out", dir.resolve("k.json").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("GATEHOUSE_MASTER_KEY").contains("openssl rand -base64 32");
    }

    @Test
    void signWhenKeyFileOpenedWithOtherMasterKeyThenExitTwo(@TempDir Path dir) {
        Path keys = dir.resolve("keys.json");
        run("", "jwt", "keygen", "--out", keys.toString());
        byte[] other = new byte[32];
        new SecureRandom().nextBytes(other);
        env.put("GATEHOUSE_MASTER_KEY", Base64.getEncoder().encodeToString(other));

        Run r = run("", "jwt", "sign", "--keys", keys.toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("master key");
    }

    @Test
    void usageWhenBadInputThenExitTwo(@TempDir Path dir) {
        assertThat(run(
                                "",
                                "jwt",
                                "keygen",
                                "--alg",
                                "HS1",
                                "--out",
                                dir.resolve("k").toString())
                        .code())
                .isEqualTo(2);
        assertThat(run("", "jwt", "verify", "--token", "x").code()).isEqualTo(2);
        assertThat(run("", "jwks", "--keys", dir.resolve("missing.json").toString())
                        .code())
                .isEqualTo(2);
        assertThat(run("", "jwt", "sign", "--keys", dir.resolve("missing.json").toString())
                        .code())
                .isEqualTo(2);
    }

    @Test
    void durationWhenShortOrIsoThenParsed() {
        assertThat(JwtCommand.duration("300s")).isEqualTo(Duration.ofMinutes(5));
        assertThat(JwtCommand.duration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(JwtCommand.duration("PT15M")).isEqualTo(Duration.ofMinutes(15));
    }
}
