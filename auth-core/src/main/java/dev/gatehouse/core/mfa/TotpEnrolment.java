package dev.gatehouse.core.mfa;

import java.util.Objects;

/**
 * What an enrolment page shows once: the secret (for typing), its otpauth URI and a QR code of it. The factor
 * stays pending until {@link TotpService#confirm} accepts a first code. {@link #toString()} shows none of it.
 */
public final class TotpEnrolment {

    private final String userId;
    private final String secretBase32;
    private final String uri;
    private final byte[] qrPng;

    TotpEnrolment(String userId, String secretBase32, String uri, byte[] qrPng) {
        this.userId = Objects.requireNonNull(userId, "userId must not be null");
        this.secretBase32 = Objects.requireNonNull(secretBase32, "secretBase32 must not be null");
        this.uri = Objects.requireNonNull(uri, "uri must not be null");
        this.qrPng = Objects.requireNonNull(qrPng, "qrPng must not be null");
    }

    /**
     * The user the factor belongs to.
     *
     * @return the user id
     */
    public String userId() {
        return userId;
    }

    /**
     * The secret in Base32 for manual entry; show it once, never log it.
     *
     * @return the Base32 secret
     */
    public String secretBase32() {
        return secretBase32;
    }

    /**
     * The otpauth URI (contains the secret).
     *
     * @return the URI
     */
    public String uri() {
        return uri;
    }

    /**
     * The QR code of {@link #uri()} as PNG.
     *
     * @return a copy of the PNG bytes
     */
    public byte[] qrPng() {
        return qrPng.clone();
    }

    /**
     * The QR code as a {@code data:image/png;base64} URI for an {@code <img src>}.
     *
     * @return the data URI
     */
    public String qrDataUri() {
        return QrCode.dataUri(qrPng);
    }

    @Override
    public String toString() {
        return "TotpEnrolment[userId=" + userId + ", secret=redacted]";
    }
}
