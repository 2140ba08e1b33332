package dev.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import dev.gatehouse.core.mfa.TotpSecret;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TotpCommandTests {

    /** Base32 of the RFC 6238 SHA-1 seed "12345678901234567890". */
    private static final String RFC_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = GatehouseCli.execute(
                new ByteArrayInputStream(new byte[0]), new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void codeWhenRfc6238VectorThenPrintsExpectedCode() {
        Run r = run("totp", "code", "--secret", RFC_SEED, "--time", "59", "--digits", "8");

        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo("94287082");
    }

    @Test
    void codeWhenSha256SeedThenPrintsExpectedCode() {
        String seed = TotpSecret.of("12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII))
                .base32();

        Run r = run("totp", "code", "--secret", seed, "--time", "1111111109", "--digits", "8", "--algorithm", "SHA256");

        assertThat(r.out().strip()).isEqualTo("68084774");
    }

    @Test
    void verifyWhenCodeValidThenZeroAndWhenWrongThenOne() {
        Run valid = run("totp", "verify", "--secret", RFC_SEED, "--code", "287082", "--time", "59");
        Run previousStep = run("totp", "verify", "--secret", RFC_SEED, "--code", "287082", "--time", "89");
        Run outsideWindow = run("totp", "verify", "--secret", RFC_SEED, "--code", "287082", "--time", "119");
        Run wrong = run("totp", "verify", "--secret", RFC_SEED, "--code", "000000", "--time", "59");

        assertThat(valid.code()).isZero();
        assertThat(valid.out()).startsWith("valid (time step 1)");
        assertThat(previousStep.code()).isZero();
        assertThat(outsideWindow.code()).isEqualTo(1);
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.out().strip()).isEqualTo("invalid");
    }

    @Test
    void verifyWhenSecretMalformedThenTwoWithCodeAndNoSecretEchoed() {
        Run r = run("totp", "verify", "--secret", "NOT*BASE32*SECRET", "--code", "123456", "--time", "59");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("mfa.invalid_secret").doesNotContain("NOT*BASE32*SECRET");
    }

    @Test
    void codeWhenDigitsOrAlgorithmUnsupportedThenTwo() {
        assertThat(run("totp", "code", "--secret", RFC_SEED, "--digits", "7").code())
                .isEqualTo(2);
        assertThat(run("totp", "code", "--secret", RFC_SEED, "--algorithm", "MD5")
                        .code())
                .isEqualTo(2);
        assertThat(run("totp", "code", "--secret", RFC_SEED, "--time", "-5").code())
                .isEqualTo(2);
        assertThat(run("totp").code()).isEqualTo(2);
    }

    @Test
    void enrollWhenIssuerAndAccountThenPrintsSecretUriAndWritesDecodableQr(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("qr.png");

        Run r = run("totp", "enroll", "--issuer", "ACME Co", "--account", "zoë@example.com", "--qr", png.toString());

        assertThat(r.code()).isZero();
        String[] lines = r.out().strip().split("\\R");
        assertThat(lines[0]).matches("secret: [A-Z2-7]{32}");
        String secret = lines[0].substring("secret: ".length());
        assertThat(lines[1])
                .isEqualTo("uri: otpauth://totp/ACME%20Co:zo%C3%AB@example.com?secret=" + secret
                        + "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30");
        var image = ImageIO.read(png.toFile());
        java.util.Map<com.google.zxing.DecodeHintType, Object> hints =
                java.util.Map.of(com.google.zxing.DecodeHintType.PURE_BARCODE, Boolean.TRUE);
        String decoded = new QRCodeReader()
                .decode(new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image))), hints)
                .getText();
        assertThat("uri: " + decoded).isEqualTo(lines[1]);
    }

    @Test
    void enrollWhenIssuerHasColonThenTwo() {
        Run r = run("totp", "enroll", "--issuer", "ACME:Co", "--account", "alice");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("mfa.invalid_label");
    }
}
