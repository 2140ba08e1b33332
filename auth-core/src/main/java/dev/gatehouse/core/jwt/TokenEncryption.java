package dev.gatehouse.core.jwt;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEDecrypter;
import com.nimbusds.jose.JWEEncrypter;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.RSADecrypter;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.text.ParseException;
import java.util.Objects;

/**
 * Nested JWTs (RFC 7519 §5.2, §11.2): a token signed by a {@link TokenIssuer} is encrypted for one
 * recipient, so claims stay confidential from the client that carries the token. Sign-then-encrypt: the
 * recipient decrypts with {@link #decrypter(String)} and then verifies the inner token with a {@link
 * TokenVerifier} as usual (the verifier does this itself when given {@link TokenVerifier.Builder#decryption}).
 * Content encryption is always A256GCM.
 */
public final class TokenEncryption {

    private final JWEEncrypter encrypter;
    private final JweAlgorithm algorithm;
    private final String kid;

    private TokenEncryption(JWEEncrypter encrypter, JweAlgorithm algorithm, String kid) {
        this.encrypter = encrypter;
        this.algorithm = algorithm;
        this.kid = kid;
    }

    /**
     * Encryption to a recipient's public key.
     *
     * @param recipientPublicJwk the recipient's public JWK (RSA for RSA-OAEP-256, EC P-256/P-384 for ECDH-ES)
     * @param algorithm the key management algorithm
     * @return the encryption
     * @throws TokenException if the key does not fit the algorithm or is not a public key
     */
    public static TokenEncryption forRecipient(String recipientPublicJwk, JweAlgorithm algorithm) {
        Objects.requireNonNull(algorithm, "algorithm must not be null");
        JWK jwk = parse(recipientPublicJwk);
        try {
            JWEEncrypter encrypter = switch (algorithm) {
                case RSA_OAEP_256 -> {
                    RSAKey rsa = (RSAKey) jwk;
                    if (rsa.size() < 2048) {
                        throw new TokenException(
                                TokenException.Reason.INVALID_KEY, "RSA-OAEP-256 needs a key of 2048 bits or more");
                    }
                    yield new RSAEncrypter(rsa.toPublicJWK());
                }
                case ECDH_ES -> new ECDHEncrypter(((ECKey) jwk).toPublicJWK());
            };
            return new TokenEncryption(encrypter, algorithm, jwk.getKeyID() == null ? "" : jwk.getKeyID());
        } catch (ClassCastException | JOSEException e) {
            throw new TokenException(TokenException.Reason.INVALID_KEY, "recipient key does not fit " + algorithm);
        }
    }

    /**
     * Encrypts a signed token for the recipient.
     *
     * @param signedToken a compact JWS, e.g. {@link IssuedToken#value()}
     * @return the compact JWE ({@code cty: JWT})
     */
    public String encrypt(String signedToken) {
        Objects.requireNonNull(signedToken, "signedToken must not be null");
        JWEHeader.Builder header =
                new JWEHeader.Builder(algorithm.nimbus(), EncryptionMethod.A256GCM).contentType("JWT");
        if (!kid.isEmpty()) {
            header.keyID(kid);
        }
        JWEObject jwe = new JWEObject(header.build(), new Payload(signedToken));
        try {
            jwe.encrypt(encrypter);
        } catch (JOSEException e) {
            throw new TokenException(TokenException.Reason.INVALID_KEY, "token encryption failed");
        }
        return jwe.serialize();
    }

    /**
     * A decrypter for the recipient's private key.
     *
     * @param recipientPrivateJwk the recipient's private JWK
     * @return the decrypter
     */
    public static Decrypter decrypter(String recipientPrivateJwk) {
        JWK jwk = parse(recipientPrivateJwk);
        if (!jwk.isPrivate()) {
            throw new TokenException(TokenException.Reason.INVALID_KEY, "decryption needs the private key");
        }
        try {
            if (jwk instanceof RSAKey rsa) {
                return new Decrypter(new RSADecrypter(rsa), JweAlgorithm.RSA_OAEP_256);
            }
            if (jwk instanceof ECKey ec) {
                return new Decrypter(new ECDHDecrypter(ec), JweAlgorithm.ECDH_ES);
            }
        } catch (JOSEException e) {
            throw new TokenException(TokenException.Reason.INVALID_KEY, "unusable decryption key");
        }
        throw new TokenException(TokenException.Reason.INVALID_KEY, "decryption keys must be RSA or EC");
    }

    private static JWK parse(String json) {
        Objects.requireNonNull(json, "jwk must not be null");
        try {
            return JWK.parse(json);
        } catch (ParseException e) {
            throw new TokenException(TokenException.Reason.INVALID_KEY, "not a valid JWK");
        }
    }

    /** Opens nested JWTs made for one recipient key. Immutable and thread-safe. */
    public static final class Decrypter {
        private final JWEDecrypter decrypter;
        private final JweAlgorithm algorithm;

        private Decrypter(JWEDecrypter decrypter, JweAlgorithm algorithm) {
            this.decrypter = decrypter;
            this.algorithm = algorithm;
        }

        /**
         * Decrypts a compact JWE and returns the signed token inside (still to be verified).
         *
         * @param jwe the compact JWE
         * @return the inner compact JWS
         * @throws TokenException {@code MALFORMED} if not a JWE of the expected algorithm carrying a JWT, {@code
         *     BAD_SIGNATURE} if decryption fails (wrong key or altered ciphertext)
         */
        public String decrypt(String jwe) {
            JWEObject object;
            try {
                object = JWEObject.parse(jwe);
            } catch (ParseException e) {
                throw new TokenException(TokenException.Reason.MALFORMED, "not a compact JWE");
            }
            JWEHeader header = object.getHeader();
            if (!algorithm.nimbus().equals(header.getAlgorithm())
                    || !EncryptionMethod.A256GCM.equals(header.getEncryptionMethod())) {
                throw new TokenException(
                        TokenException.Reason.ALGORITHM_NOT_ALLOWED, "JWE algorithm or encryption not allowed");
            }
            if (header.getCriticalParams() != null
                    && !header.getCriticalParams().isEmpty()) {
                throw new TokenException(
                        TokenException.Reason.UNSUPPORTED_CRITICAL_HEADER, "JWE has critical header extensions");
            }
            try {
                object.decrypt(decrypter);
            } catch (JOSEException | IllegalStateException e) {
                throw new TokenException(TokenException.Reason.BAD_SIGNATURE, "JWE does not decrypt with this key");
            }
            String inner = object.getPayload().toString();
            if (inner.chars().filter(c -> c == '.').count() != 2) {
                throw new TokenException(
                        TokenException.Reason.MALFORMED, "JWE does not contain a signed JWT (sign, then encrypt)");
            }
            return inner;
        }
    }
}
