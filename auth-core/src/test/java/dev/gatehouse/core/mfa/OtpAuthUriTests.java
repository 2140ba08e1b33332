package dev.gatehouse.core.mfa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OtpAuthUriTests {

    private static final TotpSecret SECRET = TotpSecret.fromBase32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");

    @Test
    void totpWhenDefaultsThenKeyUriFormatWithIssuerTwice() {
        String uri = OtpAuthUri.totp("ACME", "alice@example.com", SECRET, TotpParameters.defaults());

        assertThat(uri)
                .isEqualTo("otpauth://totp/ACME:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
                        + "&issuer=ACME&algorithm=SHA1&digits=6&period=30");
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "ACME Co|john doe|ACME%20Co:john%20doe|ACME%20Co",
                "Société Générale|zoë@exämple.fr|Soci%C3%A9t%C3%A9%20G%C3%A9n%C3%A9rale:zo%C3%AB@ex%C3%A4mple.fr"
                        + "|Soci%C3%A9t%C3%A9%20G%C3%A9n%C3%A9rale",
                "日本|ユーザー|%E6%97%A5%E6%9C%AC:%E3%83%A6%E3%83%BC%E3%82%B6%E3%83%BC|%E6%97%A5%E6%9C%AC",
                "A&B?=#/+%|x+y/z?#&|A%26B%3F%3D%23%2F%2B%25:x%2By%2Fz%3F%23%26|A%26B%3F%3D%23%2F%2B%25"
            })
    void totpWhenSpacesNonAsciiOrReservedCharactersThenPercentEncodedUtf8(
            String issuer, String account, String label, String issuerParam) {
        String uri = OtpAuthUri.totp(issuer, account, SECRET, TotpParameters.defaults());

        assertThat(uri).startsWith("otpauth://totp/" + label + "?").contains("&issuer=" + issuerParam + "&");
        assertThat(uri).doesNotContain("+").doesNotContain(" ");
        URI parsed = URI.create(uri);
        assertThat(parsed.getPath()).isEqualTo("/" + issuer + ":" + account);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ACME:Corp", "a:", ":"})
    void totpWhenIssuerContainsColonThenInvalidLabel(String issuer) {
        assertThatThrownBy(() -> OtpAuthUri.totp(issuer, "alice", SECRET, TotpParameters.defaults()))
                .isInstanceOf(MfaException.class)
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_LABEL)
                .hasMessageContaining("colon");
    }

    @Test
    void totpWhenAccountContainsColonOrIsBlankOrHasControlCharactersThenInvalidLabel() {
        for (String account : new String[] {"alice:admin", " ", "ali\nce", "x".repeat(256)}) {
            assertThatThrownBy(() -> OtpAuthUri.totp("ACME", account, SECRET, TotpParameters.defaults()))
                    .as(account)
                    .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_LABEL);
        }
    }

    @Test
    void totpWhenSha512EightDigits60SecondsThenParametersInUri() {
        TotpParameters p = TotpParameters.defaults()
                .withAlgorithm(TotpAlgorithm.SHA512)
                .withDigits(8)
                .withPeriod(java.time.Duration.ofSeconds(60));

        assertThat(OtpAuthUri.totp("ACME", "bob", SECRET, p)).endsWith("&algorithm=SHA512&digits=8&period=60");
    }

    @Test
    void qrCodeWhenDecodedThenYieldsTheUri() throws Exception {
        String uri = OtpAuthUri.totp("Société Générale", "zoë@example.fr", SECRET, TotpParameters.defaults());

        byte[] png = QrCode.png(uri, 300);

        assertThat(decode(png)).isEqualTo(uri);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        String dataUri = QrCode.dataUri(png);
        assertThat(dataUri).startsWith("data:image/png;base64,");
        assertThat(Base64.getDecoder().decode(dataUri.substring("data:image/png;base64,".length())))
                .isEqualTo(png);
    }

    @Test
    void qrCodeWhenSizeOutOfRangeOrContentTooLongThenTypedException() {
        assertThatThrownBy(() -> QrCode.png("x", 10))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_PARAMETERS);
        assertThatThrownBy(() -> QrCode.png("x".repeat(5000), 256))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.QR_FAILED);
    }

    @org.junit.jupiter.api.Test
    void qrWhenManyRandomSecretsThenEveryCodeDecodesToItsUri() throws Exception {
        java.security.SecureRandom random = new java.security.SecureRandom();
        for (int i = 0; i < 150; i++) {
            String uri = OtpAuthUri.totp(
                    "Gatehouse",
                    "user" + i + "@example.test",
                    TotpSecret.generate(random, 20),
                    TotpParameters.defaults());

            assertThat(decode(QrCode.png(uri, QrCode.DEFAULT_SIZE))).isEqualTo(uri);
        }
    }

    static String decode(byte[] png) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image)));
        // PURE_BARCODE: the image is exactly the rendered code, so the reader need not hunt for finder patterns
        // (without it, detection fails for a small fraction of random contents and the test would be flaky).
        java.util.Map<com.google.zxing.DecodeHintType, Object> hints =
                new java.util.EnumMap<>(com.google.zxing.DecodeHintType.class);
        hints.put(com.google.zxing.DecodeHintType.PURE_BARCODE, Boolean.TRUE);
        hints.put(com.google.zxing.DecodeHintType.CHARACTER_SET, "UTF-8");
        return new String(
                new QRCodeReader().decode(bitmap, hints).getText().getBytes(StandardCharsets.UTF_8),
                StandardCharsets.UTF_8);
    }
}
