package dev.gatehouse.core.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import java.util.Locale;
import java.util.Optional;

/** Signature algorithms Gatehouse issues and accepts (RFC 7518 §3, RFC 8037 §3.1). */
public enum JwsAlgorithm {
    /** RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit keys. The most widely supported. */
    RS256(JWSAlgorithm.RS256, KeyFamily.RSA),
    /** RSASSA-PSS with SHA-256, 2048-bit keys. */
    PS256(JWSAlgorithm.PS256, KeyFamily.RSA),
    /** ECDSA P-256 with SHA-256. */
    ES256(JWSAlgorithm.ES256, KeyFamily.EC),
    /** ECDSA P-384 with SHA-384. */
    ES384(JWSAlgorithm.ES384, KeyFamily.EC),
    /** EdDSA with Ed25519 (RFC 8037). */
    EdDSA(JWSAlgorithm.EdDSA, KeyFamily.OKP),
    /** HMAC SHA-256; secret of at least 256 bits (RFC 7518 §3.2). Symmetric: never published in a JWKS. */
    HS256(JWSAlgorithm.HS256, KeyFamily.OCT),
    /** HMAC SHA-512; secret of at least 512 bits (RFC 7518 §3.2). Symmetric: never published in a JWKS. */
    HS512(JWSAlgorithm.HS512, KeyFamily.OCT);

    enum KeyFamily {
        RSA,
        EC,
        OKP,
        OCT
    }

    private final JWSAlgorithm nimbus;
    private final KeyFamily family;

    JwsAlgorithm(JWSAlgorithm nimbus, KeyFamily family) {
        this.nimbus = nimbus;
        this.family = family;
    }

    JWSAlgorithm nimbus() {
        return nimbus;
    }

    KeyFamily family() {
        return family;
    }

    /**
     * Whether the algorithm uses a shared secret (HS*) rather than a key pair.
     *
     * @return {@code true} for HS256 and HS512
     */
    public boolean symmetric() {
        return family == KeyFamily.OCT;
    }

    /**
     * The {@code alg} header value, e.g. {@code "ES256"}.
     *
     * @return the JOSE name
     */
    public String joseName() {
        return nimbus.getName();
    }

    /**
     * The algorithm with the given JOSE name (case-sensitive, as in the {@code alg} header).
     *
     * @param name e.g. {@code "RS256"}
     * @return the algorithm, or empty if not supported
     */
    public static Optional<JwsAlgorithm> fromJoseName(String name) {
        for (JwsAlgorithm a : values()) {
            if (a.joseName().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses a user-supplied algorithm name, case-insensitively (for configuration and the CLI).
     *
     * @param name e.g. {@code "es256"}
     * @return the algorithm
     * @throws TokenException if not supported
     */
    public static JwsAlgorithm parse(String name) {
        for (JwsAlgorithm a : values()) {
            if (a.joseName().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new TokenException(
                TokenException.Reason.INVALID_KEY,
                "unsupported algorithm '" + name + "'; use one of RS256, PS256, ES256, ES384, EdDSA, HS256, HS512");
    }
}
