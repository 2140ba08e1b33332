package dev.gatehouse.core.mfa;

/**
 * The HMAC behind a TOTP code (RFC 6238 §1.2). {@link #SHA1} is the default and the only one every
 * authenticator app supports; SHA-256 and SHA-512 are for apps and tokens that announce them.
 */
public enum TotpAlgorithm {
    /** HMAC-SHA-1, the RFC 4226 and authenticator-app default. */
    SHA1("HmacSHA1"),
    /** HMAC-SHA-256. */
    SHA256("HmacSHA256"),
    /** HMAC-SHA-512. */
    SHA512("HmacSHA512");

    private final String jcaName;

    TotpAlgorithm(String jcaName) {
        this.jcaName = jcaName;
    }

    /**
     * The JCA {@code Mac} algorithm name, e.g. {@code HmacSHA1}.
     *
     * @return the JCA name
     */
    public String jcaName() {
        return jcaName;
    }

    /**
     * The value of the {@code algorithm} parameter in an otpauth URI, e.g. {@code SHA1}.
     *
     * @return the URI parameter value
     */
    public String uriName() {
        return name();
    }
}
