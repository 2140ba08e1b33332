package dev.gatehouse.core.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import dev.gatehouse.core.crypto.CryptoException;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.internal.OptionalLibrary;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The signing keys of an issuer, with rotation. Exactly one key is {@link KeyState#ACTIVE} and signs; a
 * {@link KeyState#NEXT} key is published ahead of time; {@link KeyState#RETIRING} keys stay published until
 * the tokens they signed have expired. {@link #jwksJson()} exports public keys only, with RFC 7638
 * thumbprints as {@code kid}s.
 *
 * <p>Keys persist through a {@link KeyRepository}, private keys sealed by an {@link Envelope}. Changes are
 * compare-and-set on the repository's version, so nodes sharing a store rotate once and never end up with
 * two active keys. Thread-safe: reads see an immutable snapshot; changes are serialised.
 *
 * <p><b>Invariant: no verifier is handed a token signed by a key it cannot yet fetch.</b> When other processes serve
 * the JWKS (several nodes on one store, HTTP caches in front of them), a key must be in every copy of the JWKS before
 * it signs. With a {@link Builder#publicationDelay(Duration) publication delay} {@code D} of at least {@code B + M},
 * where {@code B} bounds how long a node takes to notice a change in the store ({@link #refreshIfChanged()} on a
 * short schedule) and {@code M} is the longest a JWKS response may be cached ({@code Cache-Control: max-age}), a key
 * signs only once it has been published for {@code D}:
 *
 * <ul>
 *   <li>{@link #rotateIfDue()} activates a NEXT key only after {@code max(prepublish, D)};
 *   <li>{@link #rotateWhenPublished()}, the forced rotation for an operator, activates it only after {@code D}, or at
 *       once if it was published together with the key signing now (the first two keys of a ring), since every
 *       verifier that can check today's tokens fetched it too; otherwise it reports {@link Rotation.NotYetPublished};
 *   <li>{@link #replaceCompromisedKeys()} is the one, explicit, exception: for a leaked key it replaces every key at
 *       once, knowing that tokens already issued fail and that verifiers refetch the JWKS on the unknown {@code kid}.
 * </ul>
 *
 * <p>A key that stops signing stays published for {@link RotationPolicy#retireAfter()}, which must cover the longest
 * token lifetime plus {@code D}: nodes that have not noticed a rotation sign with it for up to {@code B} more.
 * {@link #rotateNow()} and {@link #addKey} predate this and ignore {@code D}; they suit a single process whose
 * verifiers read its ring directly.
 *
 * <pre>{@code
 * KeyRing ring = KeyRing.builder()
 *         .repository(new FileKeyRepository(Path.of("keys.json")))
 *         .envelope(Envelope.of(MasterKey.fromEnvironment(System::getenv)))
 *         .build();
 * ring.rotateIfDue(); // on a schedule
 * }</pre>
 */
public final class KeyRing {

    /**
     * The default algorithm for new keys, chosen by measurement (see auth-core/DESIGN.md, "Tokens"): a token is
     * signed once and verified many times, and RS256 verifies fastest on the JDK and everywhere.
     */
    public static final JwsAlgorithm DEFAULT_ALGORITHM = JwsAlgorithm.RS256;

    private static final String CONTEXT_PREFIX = "gatehouse-jwk:";
    private static final int MAX_ATTEMPTS = 5;

    private final JwsAlgorithm algorithm;
    private final RotationPolicy policy;
    private final KeyRepository repository;
    private final Envelope envelope;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration publicationDelay;

    private volatile State state;

    private record State(
            long version, List<ManagedKey> keys, @Nullable ManagedKey active) {}

    private KeyRing(Builder b) {
        this.algorithm = b.algorithm;
        this.policy = b.policy;
        this.repository = b.repository;
        this.envelope = b.envelope == null ? Envelope.of(MasterKey.ephemeralForDevelopment()) : b.envelope;
        this.clock = b.clock;
        this.random = b.random;
        this.publicationDelay = b.publicationDelay;
        if (repository.durable() && envelope.currentKey().development()) {
            throw new TokenException(
                    TokenException.Reason.INVALID_KEY,
                    "refusing to persist signing keys under an ephemeral development master key; set "
                            + MasterKey.ENVIRONMENT_VARIABLE + " (32 random bytes, Base64)");
        }
        this.state = read(repository.load());
    }

    /**
     * A builder: {@link #DEFAULT_ALGORITHM}, {@link RotationPolicy#defaults()}, an in-memory repository.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The key that signs new tokens, creating the first keys if the ring is empty.
     *
     * @return the active key
     */
    public ManagedKey activeKey() {
        ManagedKey active = state.active();
        if (active == null) {
            change(keys -> maintain(keys, false));
            active = state.active();
        }
        if (active == null) {
            throw new TokenException(TokenException.Reason.NO_ACTIVE_KEY, "the key ring has no active key");
        }
        return active;
    }

    /**
     * Whether the ring holds an active key yet, without creating one (unlike {@link #activeKey()}). Lets a
     * caller install its own first key, such as an operator's HMAC secret, before the ring generates one.
     *
     * @return {@code true} once there is an active key
     */
    public boolean hasActiveKey() {
        return state.active() != null;
    }

    /**
     * All published keys: next, active and retiring.
     *
     * @return the keys
     */
    public List<ManagedKey> keys() {
        activeKey(); // an empty ring creates its first keys before anything is published
        return state.keys();
    }

    /**
     * A published key by id.
     *
     * @param kid the key id
     * @return the key, if published
     */
    public Optional<ManagedKey> find(String kid) {
        for (ManagedKey k : keys()) {
            if (k.kid().equals(kid)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /**
     * The JWK Set (RFC 7517 §5) of published public keys. Private parts and HMAC secrets never appear.
     *
     * @return the JWKS JSON
     */
    public String jwksJson() {
        List<JWK> publicKeys = new ArrayList<>();
        for (ManagedKey k : keys()) {
            JWK pub = k.publicJwk();
            if (pub != null) {
                publicKeys.add(pub);
            }
        }
        return new JWKSet(publicKeys).toString(true);
    }

    /**
     * The JWK Set of the published public keys in a repository, read without opening any private key (so
     * without the master key).
     *
     * @param repository where the keys are stored
     * @return the JWKS JSON
     */
    public static String publicJwks(KeyRepository repository) {
        List<JWK> publicKeys = new ArrayList<>();
        for (StoredKey k : repository.load().keys()) {
            if (k.state() == KeyState.RETIRED || k.publicJwk().isEmpty()) {
                continue;
            }
            try {
                publicKeys.add(JWK.parse(k.publicJwk()).toPublicJWK());
            } catch (ParseException e) {
                throw new TokenException(
                        TokenException.Reason.INVALID_KEY, "stored key " + k.kid() + " has an invalid public JWK");
            }
        }
        return new JWKSet(publicKeys).toString(true);
    }

    /**
     * Rotates if the active key has served {@link RotationPolicy#rotateEvery()}, retires keys past {@link
     * RotationPolicy#retireAfter()}, and keeps a NEXT key published. Call it on a schedule; safe from several
     * nodes at once.
     *
     * @return {@code true} if anything changed
     */
    public boolean rotateIfDue() {
        return change(keys -> maintain(keys, false));
    }

    /**
     * Rotates now: the NEXT key (or a fresh one) becomes active; the active key starts retiring. This ignores the
     * {@link Builder#publicationDelay(Duration) publication delay}: where other processes serve the JWKS use {@link
     * #rotateWhenPublished()}, or {@link #replaceCompromisedKeys()} for a leaked key.
     *
     * @return the new active key
     */
    public ManagedKey rotateNow() {
        change(keys -> maintain(keys, true));
        return activeKey();
    }

    /**
     * Rotates as soon as it is safe: the NEXT key becomes active if it has been published for at least the {@link
     * Builder#publicationDelay(Duration) publication delay} (or was published together with the active key, as the
     * first two keys of a ring are), and the active key starts retiring. Otherwise nothing changes and the result says
     * when the NEXT key may sign; if there is no NEXT key of the configured algorithm, a fresh one is published now and
     * the delay starts. Safe from several nodes at once.
     *
     * @return {@link Rotation.Rotated}, or {@link Rotation.NotYetPublished} with the time to retry
     */
    public Rotation rotateWhenPublished() {
        activeKey(); // an empty ring creates its first keys
        List<Rotation> outcome = new ArrayList<>(1);
        change(keys -> {
            outcome.clear(); // compare-and-set may run this again on a newer snapshot
            Instant now = clock.instant();
            ManagedKey active = null;
            ManagedKey next = null;
            for (ManagedKey k : keys) {
                if (k.state() == KeyState.ACTIVE) {
                    active = k;
                } else if (k.state() == KeyState.NEXT && k.algorithm() == algorithm) {
                    next = k;
                }
            }
            if (active == null) {
                return maintain(keys, false); // bootstrap; the retry below sees an active key
            }
            if (next == null) {
                List<ManagedKey> out = new ArrayList<>();
                for (ManagedKey k : keys) {
                    if (k.state() != KeyState.NEXT) {
                        out.add(k);
                    }
                }
                ManagedKey fresh = fresh(now);
                out.add(fresh);
                outcome.add(new Rotation.NotYetPublished(active.kid(), fresh.kid(), now, now.plus(publicationDelay)));
                return out;
            }
            Instant signsFrom = signsFrom(next, active, keys);
            if (signsFrom.isAfter(now)) {
                outcome.add(new Rotation.NotYetPublished(active.kid(), next.kid(), next.createdAt(), signsFrom));
                return keys;
            }
            outcome.add(new Rotation.Rotated(active.kid(), next.kid()));
            return maintain(keys, true);
        });
        return outcome.isEmpty() ? rotateWhenPublished() : outcome.get(0);
    }

    /**
     * Emergency rotation for a leaked key: replaces every key at once with a fresh ACTIVE and a fresh NEXT key,
     * ignoring the publication delay. Every key goes, not just the active one: all of a ring's private keys are opened
     * in the same memory and sealed under the same master key, so one leaking means all may have. Every token issued
     * before fails to verify from then on; verifiers that refetch the JWKS on an unknown {@code kid} (Spring Security's
     * {@code NimbusJwtDecoder}, auth-core's {@link RemoteJwks}) accept new tokens once every node has noticed, others
     * once their JWKS cache expires.
     *
     * @return the new active key
     */
    public ManagedKey replaceCompromisedKeys() {
        change(keys -> {
            Instant now = clock.instant();
            return List.of(fresh(now).withState(KeyState.ACTIVE, now), fresh(now));
        });
        return activeKey();
    }

    /**
     * Re-reads the repository, picking up rotations made by other nodes.
     */
    public synchronized void refresh() {
        state = read(repository.load());
    }

    /**
     * Re-reads the repository if its {@linkplain KeyRepository#version() version} moved since this ring last read
     * it: cheap enough to call every second, which is how every node notices another's rotation within a small bound.
     *
     * @return {@code true} if the ring was re-read
     */
    public synchronized boolean refreshIfChanged() {
        if (repository.version() == state.version()) {
            return false;
        }
        state = read(repository.load());
        return true;
    }

    /**
     * How long a key must have been published before it signs (see the class documentation); zero unless set.
     *
     * @return the publication delay
     */
    public Duration publicationDelay() {
        return publicationDelay;
    }

    /**
     * When {@code next} may sign: after the publication delay, or at once if it was written together with the key
     * signing now (the first two keys of a ring, or the two of {@link #replaceCompromisedKeys()}), since every
     * verifier that can check today's tokens fetched a JWKS that held it. A retiring key means the active key came
     * from a rotation, whose fresh NEXT key carries the same instant as that activation: never "together" then.
     */
    private Instant signsFrom(ManagedKey next, ManagedKey active, List<ManagedKey> keys) {
        boolean rotatedBefore = keys.stream().anyMatch(k -> k.state() == KeyState.RETIRING);
        if (!rotatedBefore && !next.createdAt().isAfter(active.createdAt())) {
            return next.createdAt();
        }
        return next.createdAt().plus(publicationDelay);
    }

    /**
     * Adds a new key of {@code keyAlgorithm}: it becomes ACTIVE if there is none, else NEXT (replacing an
     * unused NEXT key).
     *
     * @param keyAlgorithm the algorithm of the new key
     * @return the new key
     */
    public ManagedKey addKey(JwsAlgorithm keyAlgorithm) {
        JWK jwk = generate(keyAlgorithm, random);
        return add(keyAlgorithm, jwk);
    }

    /**
     * Adds an operator-supplied HMAC secret as a key (ACTIVE if there is none, else NEXT).
     *
     * @param secret at least 32 bytes for HS256, 64 for HS512 (RFC 7518 §3.2); copied
     * @param hmacAlgorithm HS256 or HS512
     * @return the new key
     * @throws TokenException if the secret is shorter than the hash output
     */
    public ManagedKey addSecret(byte[] secret, JwsAlgorithm hmacAlgorithm) {
        requireHmacSecret(secret, hmacAlgorithm);
        JWK jwk = new OctetSequenceKey.Builder(secret.clone())
                .keyID(randomKid())
                .algorithm(hmacAlgorithm.nimbus())
                .keyUse(KeyUse.SIGNATURE)
                .build();
        return add(hmacAlgorithm, jwk);
    }

    /**
     * Imports an existing key pair (for example one migrated from another issuer) as a key (ACTIVE if there
     * is none, else NEXT), with its RFC 7638 thumbprint as kid.
     *
     * @param keyPair an RSA (2048 bits or more), EC P-256/P-384 or Ed25519 key pair
     * @param keyAlgorithm the algorithm it will sign with
     * @return the imported key
     * @throws TokenException if the key pair does not fit the algorithm
     */
    public ManagedKey importKeyPair(java.security.KeyPair keyPair, JwsAlgorithm keyAlgorithm) {
        Objects.requireNonNull(keyPair, "keyPair must not be null");
        JWK jwk;
        try {
            jwk = switch (keyAlgorithm.family()) {
                case RSA -> {
                    java.security.interfaces.RSAPublicKey pub =
                            (java.security.interfaces.RSAPublicKey) keyPair.getPublic();
                    if (pub.getModulus().bitLength() < 2048) {
                        throw new TokenException(
                                TokenException.Reason.INVALID_KEY, "RSA keys must be at least 2048 bits");
                    }
                    yield new com.nimbusds.jose.jwk.RSAKey.Builder(pub)
                            .privateKey(keyPair.getPrivate())
                            .algorithm(keyAlgorithm.nimbus())
                            .keyUse(KeyUse.SIGNATURE)
                            .keyIDFromThumbprint()
                            .build();
                }
                case EC -> {
                    java.security.interfaces.ECPublicKey pub =
                            (java.security.interfaces.ECPublicKey) keyPair.getPublic();
                    Curve expected = keyAlgorithm == JwsAlgorithm.ES256 ? Curve.P_256 : Curve.P_384;
                    if (!expected.equals(Curve.forECParameterSpec(pub.getParams()))) {
                        throw new TokenException(
                                TokenException.Reason.INVALID_KEY,
                                keyAlgorithm.joseName() + " needs a key on " + expected.getName());
                    }
                    yield new com.nimbusds.jose.jwk.ECKey.Builder(expected, pub)
                            .privateKey(keyPair.getPrivate())
                            .algorithm(keyAlgorithm.nimbus())
                            .keyUse(KeyUse.SIGNATURE)
                            .keyIDFromThumbprint()
                            .build();
                }
                case OKP -> {
                    // X.509 and PKCS#8 encodings of Ed25519 end with the 32-byte raw key (RFC 8410).
                    byte[] x = last32(keyPair.getPublic().getEncoded());
                    byte[] d = last32(keyPair.getPrivate().getEncoded());
                    yield new com.nimbusds.jose.jwk.OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x))
                            .d(Base64URL.encode(d))
                            .algorithm(keyAlgorithm.nimbus())
                            .keyUse(KeyUse.SIGNATURE)
                            .keyIDFromThumbprint()
                            .build();
                }
                case OCT -> throw new TokenException(TokenException.Reason.INVALID_KEY, "use addSecret for HMAC keys");
            };
        } catch (JOSEException | ClassCastException | IllegalArgumentException e) {
            throw new TokenException(
                    TokenException.Reason.INVALID_KEY, "the key pair does not fit " + keyAlgorithm.joseName());
        }
        if (!KeyTypes.fits(jwk, keyAlgorithm)) {
            throw new TokenException(
                    TokenException.Reason.INVALID_KEY, "the key pair does not fit " + keyAlgorithm.joseName());
        }
        return add(keyAlgorithm, jwk);
    }

    private static byte[] last32(byte[] encoded) {
        if (encoded == null || encoded.length < 32) {
            throw new IllegalArgumentException("not an Ed25519 key");
        }
        return java.util.Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }

    static void requireHmacSecret(byte[] secret, JwsAlgorithm algorithm) {
        if (!algorithm.symmetric()) {
            throw new TokenException(
                    TokenException.Reason.INVALID_KEY, algorithm.joseName() + " is not an HMAC algorithm");
        }
        int minBytes = algorithm == JwsAlgorithm.HS256 ? 32 : 64;
        if (secret.length < minBytes) {
            throw new TokenException(
                    TokenException.Reason.INVALID_KEY,
                    algorithm.joseName() + " needs a secret of at least " + minBytes * 8 + " bits (RFC 7518 §3.2); got "
                            + secret.length * 8 + " bits");
        }
    }

    private ManagedKey add(JwsAlgorithm keyAlgorithm, JWK jwk) {
        String kid = Objects.requireNonNull(jwk.getKeyID(), "generated key has no kid");
        change(keys -> {
            Instant now = clock.instant();
            boolean hasActive = keys.stream().anyMatch(k -> k.state() == KeyState.ACTIVE);
            List<ManagedKey> out = new ArrayList<>();
            for (ManagedKey k : keys) {
                if (k.state() != KeyState.NEXT || !hasActive) {
                    out.add(k);
                }
            }
            out.add(new ManagedKey(
                    kid,
                    keyAlgorithm,
                    hasActive ? KeyState.NEXT : KeyState.ACTIVE,
                    now,
                    hasActive ? null : now,
                    null,
                    jwk));
            return out;
        });
        return find(kid).orElseThrow();
    }

    /** Applies {@code update} to the stored keys with compare-and-set, retrying when another writer wins. */
    private synchronized boolean change(UnaryOperator<List<ManagedKey>> update) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            State current = read(repository.load());
            List<ManagedKey> updated = update.apply(current.keys());
            if (sameKeys(current.keys(), updated)) {
                state = current;
                return false;
            }
            if (repository.replace(current.version(), store(updated))) {
                state = read(repository.load());
                return true;
            }
        }
        throw new TokenException(
                TokenException.Reason.NO_ACTIVE_KEY, "could not update the key ring: too many concurrent writers");
    }

    private List<ManagedKey> maintain(List<ManagedKey> keys, boolean force) {
        Instant now = clock.instant();
        List<ManagedKey> out = new ArrayList<>();
        ManagedKey active = null;
        ManagedKey next = null;
        for (ManagedKey k : keys) {
            switch (k.state()) {
                case ACTIVE -> active = k;
                case NEXT -> next = k.algorithm() == algorithm ? k : null; // a NEXT of an old algorithm never signed
                case RETIRING -> {
                    Instant retiring = k.retiringAt().orElse(k.createdAt());
                    if (retiring.plus(policy.retireAfter()).isAfter(now)) {
                        out.add(k);
                    }
                }
                case RETIRED -> {
                    // gone
                }
            }
        }
        if (active == null) {
            active = (next != null ? next : fresh(now)).withState(KeyState.ACTIVE, now);
            next = null;
        } else {
            Instant activated = active.activatedAt().orElse(active.createdAt());
            boolean due = !activated.plus(policy.rotateEvery()).isAfter(now);
            Duration published =
                    policy.prepublish().compareTo(publicationDelay) >= 0 ? policy.prepublish() : publicationDelay;
            boolean nextReady =
                    next != null && !next.createdAt().plus(published).isAfter(now);
            if (force || (due && nextReady)) {
                out.add(active.withState(KeyState.RETIRING, now));
                active = (next != null ? next : fresh(now)).withState(KeyState.ACTIVE, now);
                next = null;
            }
        }
        out.add(active);
        out.add(next != null ? next : fresh(now));
        return out;
    }

    private ManagedKey fresh(Instant now) {
        JWK jwk = generate(algorithm, random);
        return new ManagedKey(Objects.requireNonNull(jwk.getKeyID()), algorithm, KeyState.NEXT, now, null, null, jwk);
    }

    static JWK generate(JwsAlgorithm algorithm, SecureRandom random) {
        try {
            return switch (algorithm) {
                case RS256, PS256 ->
                    new RSAKeyGenerator(2048)
                            .algorithm(algorithm.nimbus())
                            .keyUse(KeyUse.SIGNATURE)
                            .keyIDFromThumbprint(true)
                            .secureRandom(random)
                            .generate();
                case ES256, ES384 ->
                    new ECKeyGenerator(algorithm == JwsAlgorithm.ES256 ? Curve.P_256 : Curve.P_384)
                            .algorithm(algorithm.nimbus())
                            .keyUse(KeyUse.SIGNATURE)
                            .keyIDFromThumbprint(true)
                            .secureRandom(random)
                            .generate();
                case EdDSA ->
                    new OctetKeyPairGenerator(Curve.Ed25519)
                            .algorithm(algorithm.nimbus())
                            .keyUse(KeyUse.SIGNATURE)
                            .keyIDFromThumbprint(true)
                            .secureRandom(random)
                            .generate();
                case HS256, HS512 ->
                    new OctetSequenceKeyGenerator(algorithm == JwsAlgorithm.HS256 ? 256 : 512)
                            .algorithm(algorithm.nimbus())
                            .keyUse(KeyUse.SIGNATURE)
                            .keyID(randomKid(random))
                            .secureRandom(random)
                            .generate();
            };
        } catch (JOSEException e) {
            throw new TokenException(
                    TokenException.Reason.INVALID_KEY, "cannot generate a " + algorithm.joseName() + " key", e);
        }
    }

    private String randomKid() {
        return randomKid(random);
    }

    private static String randomKid(SecureRandom random) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        return Base64URL.encode(id).toString();
    }

    private List<StoredKey> store(List<ManagedKey> keys) {
        List<StoredKey> out = new ArrayList<>();
        for (ManagedKey k : keys) {
            JWK pub = k.publicJwk();
            out.add(new StoredKey(
                    k.kid(),
                    k.algorithm().joseName(),
                    k.state(),
                    k.createdAt(),
                    k.activatedAt().orElse(null),
                    k.retiringAt().orElse(null),
                    pub == null ? "" : pub.toJSONString(),
                    envelope.sealString(k.jwk().toJSONString(), CONTEXT_PREFIX + k.kid())));
        }
        return out;
    }

    private State read(KeyRepository.Snapshot snapshot) {
        List<ManagedKey> keys = new ArrayList<>();
        ManagedKey active = null;
        State previous = this.state;
        for (StoredKey s : snapshot.keys()) {
            if (s.state() == KeyState.RETIRED) {
                continue;
            }
            ManagedKey cached = previous == null
                    ? null
                    : previous.keys().stream()
                            // Same kid, state and creation date: the dates decide when a key may sign.
                            .filter(k -> k.kid().equals(s.kid())
                                    && k.state() == s.state()
                                    && k.createdAt().equals(s.createdAt()))
                            .findFirst()
                            .orElse(null);
            ManagedKey k = cached != null ? cached : open(s);
            keys.add(k);
            if (k.state() == KeyState.ACTIVE) {
                if (active != null) {
                    throw new TokenException(
                            TokenException.Reason.INVALID_KEY,
                            "key store has two active keys: " + active.kid() + ", " + k.kid());
                }
                active = k;
            }
        }
        return new State(snapshot.version(), List.copyOf(keys), active);
    }

    private ManagedKey open(StoredKey s) {
        JwsAlgorithm alg = JwsAlgorithm.fromJoseName(s.algorithm())
                .orElseThrow(() -> new TokenException(
                        TokenException.Reason.INVALID_KEY,
                        "stored key " + s.kid() + " has unsupported alg " + s.algorithm()));
        String json;
        try {
            json = envelope.openString(s.sealedPrivateJwk(), CONTEXT_PREFIX + s.kid());
        } catch (CryptoException e) {
            throw new TokenException(
                    TokenException.Reason.INVALID_KEY,
                    "cannot open stored key " + s.kid() + " (" + e.code() + "): is the right master key configured?",
                    e);
        }
        try {
            JWK jwk = JWK.parse(json);
            if (!s.kid().equals(jwk.getKeyID())) {
                throw new TokenException(
                        TokenException.Reason.INVALID_KEY, "stored key " + s.kid() + " has a mismatched kid");
            }
            return new ManagedKey(s.kid(), alg, s.state(), s.createdAt(), s.activatedAt(), s.retiringAt(), jwk);
        } catch (ParseException e) {
            throw new TokenException(
                    TokenException.Reason.INVALID_KEY, "stored key " + s.kid() + " is not a valid JWK");
        }
    }

    private static boolean sameKeys(List<ManagedKey> a, List<ManagedKey> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            ManagedKey x = a.get(i);
            ManagedKey y = b.get(i);
            if (!x.kid().equals(y.kid()) || x.state() != y.state()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The algorithm for new keys.
     *
     * @return the algorithm
     */
    public JwsAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public String toString() {
        return "KeyRing[" + algorithm.joseName() + ", keys=" + state.keys() + "]";
    }

    /** Builds a {@link KeyRing}. */
    public static final class Builder {

        private JwsAlgorithm algorithm = DEFAULT_ALGORITHM;
        private RotationPolicy policy = RotationPolicy.defaults();
        private KeyRepository repository = new InMemoryKeyRepository();
        private @Nullable Envelope envelope;
        private Clock clock = Clock.systemUTC();
        private SecureRandom random = new SecureRandom();
        private Duration publicationDelay = Duration.ZERO;

        private Builder() {}

        /**
         * How long a key must have been published before it may sign: at least the time every process serving the
         * JWKS takes to notice a change in the repository plus the longest a JWKS response may be cached. Default zero,
         * right for a single process whose verifiers read this ring; a cluster sets it (see the class documentation).
         *
         * @param delay zero or more
         * @return this builder
         */
        public Builder publicationDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay must not be null");
            if (delay.isNegative()) {
                throw new TokenException(TokenException.Reason.INVALID_KEY, "publication delay must not be negative");
            }
            this.publicationDelay = delay;
            return this;
        }

        /**
         * Algorithm of newly generated keys; default {@link #DEFAULT_ALGORITHM}. Changing it takes effect at
         * the next rotation (or {@link #rotateNow()}).
         *
         * @param algorithm the algorithm
         * @return this builder
         */
        public Builder algorithm(JwsAlgorithm algorithm) {
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm must not be null");
            return this;
        }

        /**
         * When to rotate; default {@link RotationPolicy#defaults()}.
         *
         * @param policy the rotation policy
         * @return this builder
         */
        public Builder rotation(RotationPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy must not be null");
            return this;
        }

        /**
         * Where keys persist; default in memory.
         *
         * @param repository the repository
         * @return this builder
         */
        public Builder repository(KeyRepository repository) {
            this.repository = Objects.requireNonNull(repository, "repository must not be null");
            return this;
        }

        /**
         * Seals private keys at rest; required for durable repositories (an ephemeral development key is
         * refused there). Default for in-memory rings: an ephemeral development key.
         *
         * @param envelope the envelope
         * @return this builder
         */
        public Builder envelope(Envelope envelope) {
            this.envelope = Objects.requireNonNull(envelope, "envelope must not be null");
            return this;
        }

        /**
         * The clock for rotation; default UTC system clock.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Randomness for key generation; default a new {@link SecureRandom}.
         *
         * @param random a strong generator
         * @return this builder
         */
        public Builder secureRandom(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random must not be null");
            return this;
        }

        /**
         * Builds the ring, loading stored keys.
         *
         * @return the key ring
         */
        public KeyRing build() {
            if (algorithm == JwsAlgorithm.EdDSA) {
                TokenException.requireLibrary(OptionalLibrary.TINK, "EdDSA (Ed25519) keys");
            }
            return new KeyRing(this);
        }
    }
}
