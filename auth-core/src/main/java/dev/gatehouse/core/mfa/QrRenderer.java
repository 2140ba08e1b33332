package dev.gatehouse.core.mfa;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** QR code PNG rendering with ZXing. Stateless and thread-safe. */
final class QrRenderer {

    private QrRenderer() {}

    /**
     * Renders text as a QR code PNG.
     *
     * @param content the text (an otpauth URI)
     * @param size width and height in pixels
     * @return PNG bytes
     * @throws IllegalArgumentException if the content does not fit in a QR code
     */
    static byte[] png(String content, int size) {
        try {
            BitMatrix matrix = new QRCodeWriter()
                    .encode(
                            content,
                            BarcodeFormat.QR_CODE,
                            size,
                            size,
                            Map.of(
                                    EncodeHintType.CHARACTER_SET,
                                    StandardCharsets.UTF_8.name(),
                                    EncodeHintType.ERROR_CORRECTION,
                                    ErrorCorrectionLevel.M,
                                    EncodeHintType.MARGIN,
                                    2));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MatrixToImageWriter.writeToStream(matrix, "PNG", out);
            return out.toByteArray();
        } catch (WriterException e) {
            throw new IllegalArgumentException("content does not fit in a QR code", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write PNG", e);
        }
    }
}
