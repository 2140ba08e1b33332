package dev.gatehouse.core.jwt;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;

/** Which JWKs may verify which algorithm: the defence against key confusion (RFC 8725 §3.1). */
final class KeyTypes {

    private KeyTypes() {}

    static boolean fits(JWK key, JwsAlgorithm algorithm) {
        if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(algorithm.joseName())) {
            return false;
        }
        if (key.getKeyUse() != null && !"sig".equals(key.getKeyUse().identifier())) {
            return false;
        }
        return switch (algorithm) {
            case RS256, PS256 -> key instanceof RSAKey;
            case ES256 -> key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve());
            case ES384 -> key instanceof ECKey ec && Curve.P_384.equals(ec.getCurve());
            case EdDSA -> key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve());
            case HS256, HS512 -> key instanceof OctetSequenceKey;
        };
    }
}
