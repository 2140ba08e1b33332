package dev.gatehouse.core.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.crypto.impl.BaseJWSProvider;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import dev.gatehouse.core.internal.OptionalLibrary;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One key of a {@link KeyRing}: its id, algorithm, state and dates. The key material stays inside this
 * package; only the public half is ever exported (through {@link KeyRing#jwksJson()}).
 */
public final class ManagedKey {

    private final String kid;
    private final JwsAlgorithm algorithm;
    private final KeyState state;
    private final Instant createdAt;
    private final @Nullable Instant activatedAt;
    private final @Nullable Instant retiringAt;
    private final JWK jwk;
    private volatile @Nullable JWSSigner signer;
    private final @Nullable JWK publicJwk;

    ManagedKey(
            String kid,
            JwsAlgorithm algorithm,
            KeyState state,
            Instant createdAt,
            @Nullable Instant activatedAt,
            @Nullable Instant retiringAt,
            JWK jwk) {
        this.kid = Objects.requireNonNull(kid, "kid must not be null");
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm must not be null");
        this.state = Objects.requireNonNull(state, "state must not be null");
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt must not be null");
        this.activatedAt = activatedAt;
        this.retiringAt = retiringAt;
        this.jwk = Objects.requireNonNull(jwk, "jwk must not be null");
        // Computed once: verifiers are cached per key object, so a stable instance keeps that cache warm.
        this.publicJwk = algorithm.symmetric() ? null : jwk.toPublicJWK();
    }

    ManagedKey withState(KeyState newState, Instant at) {
        return new ManagedKey(
                kid,
                algorithm,
                newState,
                createdAt,
                newState == KeyState.ACTIVE ? at : activatedAt,
                newState == KeyState.RETIRING ? at : retiringAt,
                jwk);
    }

    /**
     * The key id ({@code kid}): the RFC 7638 JWK thumbprint for key pairs, random for HMAC secrets.
     *
     * @return the key id
     */
    public String kid() {
        return kid;
    }

    /**
     * The algorithm this key signs with.
     *
     * @return the algorithm
     */
    public JwsAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * Where the key is in its life cycle.
     *
     * @return the state
     */
    public KeyState state() {
        return state;
    }

    /**
     * When the key was created.
     *
     * @return the creation time
     */
    public Instant createdAt() {
        return createdAt;
    }

    /**
     * When the key became active, if it has.
     *
     * @return the activation time
     */
    public Optional<Instant> activatedAt() {
        return Optional.ofNullable(activatedAt);
    }

    /**
     * When the key stopped signing, if it has.
     *
     * @return the retirement start
     */
    public Optional<Instant> retiringAt() {
        return Optional.ofNullable(retiringAt);
    }

    JWK jwk() {
        return jwk;
    }

    /** The public JWK, or null for a symmetric secret (never published). */
    @Nullable
    JWK publicJwk() {
        return publicJwk;
    }

    JWSSigner signer() {
        JWSSigner s = signer;
        if (s == null) {
            s = createSigner();
            signer = s;
        }
        return s;
    }

    private JWSSigner createSigner() {
        if (algorithm.family() == JwsAlgorithm.KeyFamily.OKP) {
            TokenException.requireLibrary(OptionalLibrary.TINK, "EdDSA (Ed25519) keys");
        }
        try {
            return switch (algorithm.family()) {
                case RSA -> onNativeProvider(new RSASSASigner(NativeCrypto.nativeKey(((RSAKey) jwk).toPrivateKey())));
                case EC -> onNativeProvider(new ECDSASigner(NativeCrypto.nativeKey(((ECKey) jwk).toECPrivateKey())));
                case OKP -> new Ed25519Signer((OctetKeyPair) jwk);
                case OCT -> new MACSigner((OctetSequenceKey) jwk);
            };
        } catch (JOSEException | ClassCastException e) {
            throw new TokenException(
                    TokenException.Reason.INVALID_KEY, "key " + kid + " cannot sign with " + algorithm.joseName(), e);
        }
    }

    /** A verifier for a (public or secret) JWK, checking that the key type fits the algorithm. */
    static JWSVerifier verifierFor(JWK key, JwsAlgorithm algorithm) {
        if (algorithm.family() == JwsAlgorithm.KeyFamily.OKP) {
            TokenException.requireLibrary(OptionalLibrary.TINK, "EdDSA (Ed25519) keys");
        }
        try {
            return switch (algorithm.family()) {
                case RSA ->
                    onNativeProvider(new RSASSAVerifier(NativeCrypto.nativeKey(((RSAKey) key).toRSAPublicKey())));
                case EC -> onNativeProvider(new ECDSAVerifier(NativeCrypto.nativeKey(((ECKey) key).toECPublicKey())));
                case OKP -> new Ed25519Verifier(((OctetKeyPair) key).toPublicJWK());
                case OCT -> new MACVerifier((OctetSequenceKey) key);
            };
        } catch (JOSEException | ClassCastException e) {
            throw new TokenException(
                    TokenException.Reason.ALGORITHM_NOT_ALLOWED,
                    "key " + key.getKeyID() + " is not a " + algorithm.family() + " key for " + algorithm.joseName());
        }
    }

    /**
     * RSA and ECDSA through the native provider when there is one ({@link NativeCrypto}); Ed25519 stays on Tink
     * and HMAC on the JDK, which are already fast.
     */
    private static <T extends BaseJWSProvider> T onNativeProvider(T provider) {
        NativeCrypto.provider().ifPresent(p -> provider.getJCAContext().setProvider(p));
        return provider;
    }

    @Override
    public String toString() {
        return "ManagedKey[kid=" + kid + ", " + algorithm.joseName() + ", " + state + "]";
    }
}
