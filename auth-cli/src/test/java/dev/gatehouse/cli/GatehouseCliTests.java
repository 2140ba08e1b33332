package dev.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GatehouseCliTests {

    private static final String PASSWORD = "lantern quarry velvet orbit";

    private record Run(int code, String out, String err) {}

    private static Run run(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = GatehouseCli.execute(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out),
                new PrintWriter(err),
                args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void hashWhenPasswordOnStdinThenPrintsArgon2idHashAndExitsZero() {
        Run r = run(PASSWORD + "\n", "password", "hash");

        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(r.out()).doesNotContain(PASSWORD);
    }

    @Test
    void hashWhenBcryptChosenThenPrintsBcryptHash() {
        Run r = run(PASSWORD, "password", "hash", "--algorithm", "bcrypt", "--bcrypt-cost", "10");

        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("$2b$10$");
    }

    @Test
    void verifyWhenMatchThenZeroAndWhenWrongThenOne() {
        String hash = run(PASSWORD, "password", "hash").out().strip();

        Run match = run(PASSWORD + "\r\n", "password", "verify", "--hash", hash);
        Run wrong = run("not the password", "password", "verify", "--hash", hash);

        assertThat(match.code()).isZero();
        assertThat(match.out().strip()).isEqualTo("match");
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.out().strip()).isEqualTo("no match");
    }

    @Test
    void verifyWhenHashWeakerThanPolicyThenPrintsRehash() {
        Run r = run(
                "U*U", "password", "verify", "--hash", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("rehash");
    }

    @Test
    void verifyWhenHashMalformedThenTwoWithMessageOnStderrAndNoSecret() {
        Run r = run("hunter2-secret", "password", "verify", "--hash", "$argon2id$garbage");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("password.malformed_hash").doesNotContain("hunter2-secret");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void verifyWhenNoPasswordOnStdinThenTwo() {
        Run r = run("", "password", "verify", "--hash", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("standard input");
    }

    @Test
    void checkPolicyWhenAcceptedThenZeroAndWhenRefusedThenOneWithReason() {
        Run ok = run(PASSWORD, "password", "check-policy", "--user", "alice");
        Run common = run("password1", "password", "check-policy");
        Run context = run("alice-in-wonderland-77", "password", "check-policy", "--user", "alice@example.com");

        assertThat(ok.code()).isZero();
        assertThat(ok.out().strip()).isEqualTo("accepted");
        assertThat(common.code()).isEqualTo(1);
        assertThat(common.out()).contains("too common");
        assertThat(context.code()).isEqualTo(1);
        assertThat(context.out()).contains("user name");
    }

    @Test
    void calibrateWhenTargetGivenThenPrintsParametersAtLeastOwasp() {
        Run r = run("", "password", "calibrate", "--target-ms", "1");

        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("argon2id m=19456,t=2,p=1 ");
    }

    @Test
    void calibrateWhenTargetOutOfRangeThenTwo() {
        assertThat(run("", "password", "calibrate", "--target-ms", "0").code()).isEqualTo(2);
    }

    @Test
    void usageErrorsWhenUnknownOptionOrMissingArgumentThenTwo() {
        assertThat(run("", "password", "verify").code()).isEqualTo(2);
        assertThat(run("", "password", "hash", "--algorithm", "md5").code()).isEqualTo(2);
        assertThat(run("", "password").code()).isEqualTo(2);
        assertThat(run("", "--help").code()).isZero();
    }

    @Test
    void secretsWhenPassedAsArgumentsThenNoOptionExists() {
        // Secrets come from stdin only: there is no --password option to leak into shell history.
        Run r = run("", "password", "hash", "--password", PASSWORD);

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option");
    }
}
