package dev.gatehouse.core.jwt;

import com.nimbusds.jose.JWEAlgorithm;

/** Key management algorithms for encrypted tokens (RFC 7518 §4); content is always A256GCM. */
public enum JweAlgorithm {
    /** RSAES OAEP with SHA-256 (RFC 7518 §4.3), for an RSA recipient key of 2048 bits or more. */
    RSA_OAEP_256(JWEAlgorithm.RSA_OAEP_256),
    /** ECDH-ES direct key agreement (RFC 7518 §4.6), for a P-256 or P-384 recipient key. */
    ECDH_ES(JWEAlgorithm.ECDH_ES);

    private final JWEAlgorithm nimbus;

    JweAlgorithm(JWEAlgorithm nimbus) {
        this.nimbus = nimbus;
    }

    JWEAlgorithm nimbus() {
        return nimbus;
    }
}
