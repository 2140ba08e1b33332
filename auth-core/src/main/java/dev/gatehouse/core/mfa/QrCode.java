package dev.gatehouse.core.mfa;

import dev.gatehouse.core.internal.OptionalLibrary;
import java.util.Base64;
import java.util.Objects;

/** QR codes of otpauth URIs for enrolment pages, rendered in-process (no third-party chart service). */
public final class QrCode {

    /** Default width and height in pixels. */
    public static final int DEFAULT_SIZE = 256;

    private QrCode() {}

    /**
     * Renders text as a PNG QR code (error correction level M, UTF-8).
     *
     * @param content the text, usually an otpauth URI
     * @param size width and height in pixels, 64 to 2048
     * @return the PNG bytes
     * @throws MfaException if the size is out of range or the content does not fit
     */
    public static byte[] png(String content, int size) {
        Objects.requireNonNull(content, "content must not be null");
        MfaException.requireLibrary(OptionalLibrary.ZXING, "QR codes (QrCode)");
        if (size < 64 || size > 2048) {
            throw new MfaException(
                    MfaException.Reason.INVALID_PARAMETERS, "QR size must be 64 to 2048 pixels, was " + size);
        }
        try {
            return QrRenderer.png(content, size);
        } catch (IllegalArgumentException e) {
            throw new MfaException(MfaException.Reason.QR_FAILED, "content is too long for a QR code");
        }
    }

    /**
     * A {@code data:image/png;base64,...} URI of PNG bytes, for an {@code <img src>} (RFC 2397).
     *
     * @param png PNG bytes
     * @return the data URI
     */
    public static String dataUri(byte[] png) {
        Objects.requireNonNull(png, "png must not be null");
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }
}
