package dev.gatehouse.core.jwt;

import static dev.gatehouse.core.jwt.JwtTestSupport.ISSUER;
import static dev.gatehouse.core.jwt.JwtTestSupport.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.jwt.JwtTestSupport.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeyRingTests {

    private static final RotationPolicy POLICY =
            new RotationPolicy(Duration.ofDays(30), Duration.ofDays(1), Duration.ofDays(2));

    private final MutableClock clock = new MutableClock(T0);
    private final Envelope envelope = Envelope.of(MasterKey.generate(new SecureRandom()));

    @Test
    void activeKeyWhenEmptyRingThenBootstrapsActiveAndNext() {
        KeyRing ring = KeyRing.builder().clock(clock).rotation(POLICY).build();

        ManagedKey active = ring.activeKey();

        assertThat(active.state()).isEqualTo(KeyState.ACTIVE);
        assertThat(active.algorithm()).isEqualTo(KeyRing.DEFAULT_ALGORITHM);
        assertThat(ring.keys()).extracting(ManagedKey::state).containsExactlyInAnyOrder(KeyState.ACTIVE, KeyState.NEXT);
    }

    @ParameterizedTest
    @EnumSource(
            value = JwsAlgorithm.class,
            names = {"RS256", "PS256", "ES256", "ES384", "EdDSA"})
    void jwksWhenExportedThenPublicKeysOnlyWithRfc7638ThumbprintKids(JwsAlgorithm algorithm) throws Exception {
        KeyRing ring = KeyRing.builder().algorithm(algorithm).clock(clock).build();
        ring.activeKey();

        String json = ring.jwksJson();
        JWKSet set = JWKSet.parse(json);

        assertThat(set.getKeys()).hasSize(2);
        for (JWK k : set.getKeys()) {
            assertThat(k.isPrivate()).isFalse();
            assertThat(k.getKeyID()).isEqualTo(k.computeThumbprint().toString());
            assertThat(k.getAlgorithm().getName()).isEqualTo(algorithm.joseName());
        }
        assertThat(json).doesNotContain("\"d\"").doesNotContain("\"p\"").doesNotContain("\"q\"");
    }

    @Test
    void jwksWhenHmacKeyThenSecretNeverPublished() {
        KeyRing ring =
                KeyRing.builder().algorithm(JwsAlgorithm.HS256).clock(clock).build();
        ring.activeKey();

        assertThat(ring.jwksJson()).isEqualTo("{\"keys\":[]}");
    }

    @Test
    void addSecretWhenShorterThanHashThenRefusedPerRfc7518() {
        KeyRing ring = KeyRing.builder().clock(clock).build();

        assertThatThrownBy(() -> ring.addSecret(new byte[31], JwsAlgorithm.HS256))
                .isInstanceOfSatisfying(
                        TokenException.class,
                        e -> assertThat(e.getMessage()).contains("256 bits").contains("RFC 7518"));
        assertThatThrownBy(() -> ring.addSecret(new byte[63], JwsAlgorithm.HS512))
                .isInstanceOf(TokenException.class);
        assertThat(ring.addSecret(new byte[64], JwsAlgorithm.HS512).algorithm()).isEqualTo(JwsAlgorithm.HS512);
    }

    @Test
    void rotateIfDueWhenScheduleElapsesThenNoTokenInFlightFails() {
        KeyRing ring = KeyRing.builder().clock(clock).rotation(POLICY).build();
        TokenIssuer issuer = TokenIssuer.builder(ring, ISSUER)
                .clock(clock)
                .accessTokenLifetime(Duration.ofHours(1))
                .build();
        TokenVerifier verifier =
                TokenVerifier.builder().keys(ring).issuer(ISSUER).clock(clock).build();
        List<String> kidsSeen = new ArrayList<>();
        // Walk 100 days in 6-hour steps: issue a token, rotate if due, then the token must still verify.
        for (int step = 0; step < 400; step++) {
            IssuedToken token = issuer.accessToken(
                    AccessTokenRequest.builder("alice", "web").audience("api").build());
            if (kidsSeen.isEmpty() || !kidsSeen.get(kidsSeen.size() - 1).equals(token.kid())) {
                kidsSeen.add(token.kid());
            }
            clock.advance(Duration.ofMinutes(30));
            ring.rotateIfDue();

            assertThat(verifier.verify(token.value()).jti()).contains(token.jti());
            clock.advance(Duration.ofMinutes(330));
            assertThat(ring.keys().stream().filter(k -> k.state() == KeyState.ACTIVE))
                    .hasSize(1);
        }
        assertThat(kidsSeen).hasSize(4).doesNotHaveDuplicates();
        assertThat(ring.keys().size()).isBetween(2, 3);
    }

    @Test
    void rotateIfDueWhenRetireAfterPassesThenOldKeyGoneAndItsTokensRefused() {
        KeyRing ring = KeyRing.builder().clock(clock).rotation(POLICY).build();
        TokenIssuer issuer = TokenIssuer.builder(ring, ISSUER).clock(clock).build();
        TokenVerifier verifier = TokenVerifier.builder()
                .keys(ring)
                .clock(clock)
                .requireExpiry(false)
                .build();
        String oldKid = ring.activeKey().kid();
        String token = issuer.jwt(JwtTestSupport.map("sub", "alice"), Duration.ofDays(365))
                .value();

        ring.rotateNow();
        assertThat(ring.find(oldKid)).get().extracting(ManagedKey::state).isEqualTo(KeyState.RETIRING);
        assertThat(verifier.verify(token).subject()).contains("alice");

        clock.advance(Duration.ofDays(2));
        ring.rotateIfDue();

        assertThat(ring.find(oldKid)).isEmpty();
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOfSatisfying(
                        TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.KEY_NOT_FOUND));
    }

    @Test
    void rotateNowWhenCalledThenNextBecomesActiveAndPublishedBeforehand() {
        KeyRing ring = KeyRing.builder().clock(clock).build();
        ManagedKey first = ring.activeKey();
        String nextKid = ring.keys().stream()
                .filter(k -> k.state() == KeyState.NEXT)
                .findFirst()
                .orElseThrow()
                .kid();
        assertThat(ring.jwksJson()).contains(nextKid);

        ManagedKey second = ring.rotateNow();

        assertThat(second.kid()).isEqualTo(nextKid);
        assertThat(ring.find(first.kid())).get().extracting(ManagedKey::state).isEqualTo(KeyState.RETIRING);
    }

    @Test
    void fileRepositoryWhenReloadedThenSameKeysAndPrivateKeysSealed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys.json");
        KeyRing ring = KeyRing.builder()
                .repository(new FileKeyRepository(file))
                .envelope(envelope)
                .clock(clock)
                .build();
        IssuedToken token = TokenIssuer.builder(ring, ISSUER)
                .clock(clock)
                .build()
                .jwt(JwtTestSupport.map("sub", "bob"), Duration.ofMinutes(5));
        String content = Files.readString(file);

        KeyRing reloaded = KeyRing.builder()
                .repository(new FileKeyRepository(file))
                .envelope(envelope)
                .clock(clock)
                .build();

        assertThat(reloaded.activeKey().kid()).isEqualTo(ring.activeKey().kid());
        assertThat(TokenVerifier.builder()
                        .keys(reloaded)
                        .clock(clock)
                        .build()
                        .verify(token.value())
                        .subject())
                .contains("bob");
        assertThat(content).contains("ghe1.").doesNotContain("\"d\":").doesNotContain("\\\"d\\\"");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void fileRepositoryWhenWrongMasterKeyThenClearErrorNotGarbage(@TempDir Path dir) {
        Path file = dir.resolve("keys.json");
        KeyRing.builder()
                .repository(new FileKeyRepository(file))
                .envelope(envelope)
                .build()
                .activeKey();

        assertThatThrownBy(() -> KeyRing.builder()
                        .repository(new FileKeyRepository(file))
                        .envelope(Envelope.of(MasterKey.generate(new SecureRandom())))
                        .build())
                .isInstanceOf(TokenException.class)
                .hasMessageContaining("master key");
    }

    @Test
    void durableRepositoryWhenDevelopmentMasterKeyThenRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> KeyRing.builder()
                        .repository(new FileKeyRepository(dir.resolve("k.json")))
                        .envelope(Envelope.of(MasterKey.ephemeralForDevelopment()))
                        .build())
                .isInstanceOf(TokenException.class)
                .hasMessageContaining(MasterKey.ENVIRONMENT_VARIABLE);
        assertThatThrownBy(() -> KeyRing.builder()
                        .repository(new FileKeyRepository(dir.resolve("k.json")))
                        .build())
                .isInstanceOf(TokenException.class);
    }

    @Test
    void rotateWhenManyNodesShareRepositoryThenOneRotationAndOneActiveKey() throws Exception {
        InMemoryKeyRepository shared = new InMemoryKeyRepository();
        List<KeyRing> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nodes.add(KeyRing.builder()
                    .repository(shared)
                    .envelope(envelope)
                    .clock(clock)
                    .rotation(POLICY)
                    .build());
        }
        nodes.get(0).activeKey();
        for (KeyRing node : nodes) {
            node.refresh();
        }
        String before = nodes.get(0).activeKey().kid();
        clock.advance(Duration.ofDays(31));

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (KeyRing node : nodes) {
                results.add(pool.submit((Callable<Boolean>) node::rotateIfDue));
            }
            int changed = 0;
            for (Future<Boolean> r : results) {
                changed += r.get() ? 1 : 0;
            }
            assertThat(changed).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        for (KeyRing node : nodes) {
            node.refresh();
            assertThat(node.activeKey().kid())
                    .isNotEqualTo(before)
                    .isEqualTo(nodes.get(0).activeKey().kid());
        }
        assertThat(shared.load().keys().stream().filter(k -> k.state() == KeyState.ACTIVE))
                .hasSize(1);
    }

    @Test
    void algorithmChangeWhenRotatedThenNewAlgorithmSigns() {
        InMemoryKeyRepository shared = new InMemoryKeyRepository();
        KeyRing rsa = KeyRing.builder()
                .repository(shared)
                .envelope(envelope)
                .clock(clock)
                .build();
        rsa.activeKey();
        KeyRing eddsa = KeyRing.builder()
                .repository(shared)
                .envelope(envelope)
                .clock(clock)
                .algorithm(JwsAlgorithm.EdDSA)
                .build();

        ManagedKey active = eddsa.rotateNow();

        assertThat(active.algorithm()).isEqualTo(JwsAlgorithm.EdDSA);
    }

    @Test
    void importKeyPairWhenJdkKeysThenSignsAndThumbprintKid() throws Exception {
        KeyRing ring = KeyRing.builder().clock(clock).build();
        java.security.KeyPairGenerator ed = java.security.KeyPairGenerator.getInstance("Ed25519");
        java.security.KeyPair pair = ed.generateKeyPair();

        ManagedKey imported = ring.importKeyPair(pair, JwsAlgorithm.EdDSA);
        String token = TokenIssuer.builder(ring, ISSUER)
                .clock(clock)
                .build()
                .jwt(JwtTestSupport.map("sub", "x"), Duration.ofMinutes(1))
                .value();

        assertThat(imported.state()).isEqualTo(KeyState.ACTIVE);
        assertThat(imported.kid())
                .isEqualTo(imported.publicJwk().computeThumbprint().toString());
        java.security.Signature jdk = java.security.Signature.getInstance("Ed25519");
        jdk.initVerify(pair.getPublic());
        jdk.update(token.substring(0, token.lastIndexOf('.')).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(jdk.verify(com.nimbusds.jose.util.Base64URL.from(token.substring(token.lastIndexOf('.') + 1))
                        .decode()))
                .isTrue();
    }

    @Test
    void importKeyPairWhenWeakRsaOrWrongTypeThenRefused() throws Exception {
        KeyRing ring = KeyRing.builder().clock(clock).build();
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
        ec.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));

        assertThatThrownBy(() -> ring.importKeyPair(rsa.generateKeyPair(), JwsAlgorithm.RS256))
                .isInstanceOf(TokenException.class)
                .hasMessageContaining("2048");
        assertThatThrownBy(() -> ring.importKeyPair(ec.generateKeyPair(), JwsAlgorithm.RS256))
                .isInstanceOf(TokenException.class);
        assertThatThrownBy(() -> ring.importKeyPair(ec.generateKeyPair(), JwsAlgorithm.ES384))
                .isInstanceOf(TokenException.class);
    }

    @Test
    void jwksWhenFreshRingThenFirstKeysPublishedBeforeAnyTokenIsIssued() throws Exception {
        KeyRing ring = KeyRing.builder().clock(clock).build();

        assertThat(JWKSet.parse(ring.jwksJson()).getKeys()).hasSize(2);
    }

    // ---------------------------------------------------------------- publication before signing (issue #14)

    private static final Duration DELAY = Duration.ofMinutes(5).plusSeconds(11);

    private KeyRing node(KeyRepository shared) {
        return node(shared, KeyRing.DEFAULT_ALGORITHM);
    }

    private KeyRing node(KeyRepository shared, JwsAlgorithm algorithm) {
        return KeyRing.builder()
                .algorithm(algorithm)
                .repository(shared)
                .envelope(envelope)
                .clock(clock)
                .rotation(POLICY)
                .publicationDelay(DELAY)
                .build();
    }

    private static String nextKid(KeyRing ring) {
        return ring.keys().stream()
                .filter(k -> k.state() == KeyState.NEXT)
                .findFirst()
                .orElseThrow()
                .kid();
    }

    @Test
    void rotateWhenPublishedWhenFirstKeysThenRotatesAtOnceSinceTheNextKeyWasPublishedWithTheActiveOne() {
        KeyRing ring = node(new InMemoryKeyRepository());
        String first = ring.activeKey().kid();
        String next = nextKid(ring);

        Rotation r = ring.rotateWhenPublished();

        assertThat(r).isEqualTo(new Rotation.Rotated(first, next));
        assertThat(ring.activeKey().kid()).isEqualTo(next);
        assertThat(ring.find(first)).get().extracting(ManagedKey::state).isEqualTo(KeyState.RETIRING);
    }

    @Test
    void rotateWhenPublishedWhenCalledTwiceThenSecondWaitsUntilTheKeyTheFirstPublishedIsOldEnough() {
        KeyRing ring = node(new InMemoryKeyRepository());
        ring.rotateWhenPublished();
        String active = ring.activeKey().kid();
        String next = nextKid(ring);

        clock.advance(DELAY.minusSeconds(1));
        Rotation early = ring.rotateWhenPublished();

        assertThat(early).isEqualTo(new Rotation.NotYetPublished(active, next, T0, T0.plus(DELAY)));
        assertThat(ring.activeKey().kid()).isEqualTo(active);
        assertThat(nextKid(ring)).isEqualTo(next);

        clock.advance(Duration.ofSeconds(1));
        assertThat(ring.rotateWhenPublished()).isEqualTo(new Rotation.Rotated(active, next));
        assertThat(ring.activeKey().kid()).isEqualTo(next);
    }

    @Test
    void rotateWhenPublishedWhenNextKeyOfAnotherAlgorithmThenPublishesAFreshOneAndWaits() {
        InMemoryKeyRepository shared = new InMemoryKeyRepository();
        node(shared).activeKey();
        KeyRing es256 = KeyRing.builder()
                .repository(shared)
                .envelope(envelope)
                .clock(clock)
                .algorithm(JwsAlgorithm.ES256)
                .publicationDelay(DELAY)
                .build();
        String active = es256.activeKey().kid();

        Rotation r = es256.rotateWhenPublished();

        assertThat(r).isInstanceOfSatisfying(Rotation.NotYetPublished.class, n -> {
            assertThat(n.signsFrom()).isEqualTo(T0.plus(DELAY));
            assertThat(es256.find(n.nextKid()).orElseThrow().algorithm()).isEqualTo(JwsAlgorithm.ES256);
        });
        assertThat(es256.activeKey().kid()).isEqualTo(active);
        clock.advance(DELAY);
        assertThat(es256.rotateWhenPublished()).isInstanceOf(Rotation.Rotated.class);
        assertThat(es256.activeKey().algorithm()).isEqualTo(JwsAlgorithm.ES256);
    }

    @Test
    void rotateIfDueWhenPrepublishShorterThanPublicationDelayThenWaitsForTheDelay() {
        KeyRing ring = KeyRing.builder()
                .clock(clock)
                .rotation(new RotationPolicy(Duration.ofMinutes(2), Duration.ofMinutes(1), Duration.ofHours(1)))
                .publicationDelay(DELAY)
                .build();
        ring.rotateWhenPublished(); // the first keys rotate at once; a fresh NEXT key is published at T0
        String active = ring.activeKey().kid();

        clock.advance(Duration.ofMinutes(3)); // due, and the NEXT key is past prepublish but not past DELAY
        assertThat(ring.rotateIfDue()).isFalse();
        assertThat(ring.activeKey().kid()).isEqualTo(active);

        clock.advance(DELAY);
        assertThat(ring.rotateIfDue()).isTrue();
        assertThat(ring.activeKey().kid()).isNotEqualTo(active);
    }

    @Test
    void replaceCompromisedKeysWhenCalledThenEveryOldKeyUnpublishedAndItsTokensRefused() {
        KeyRing ring = node(new InMemoryKeyRepository());
        TokenIssuer issuer = TokenIssuer.builder(ring, ISSUER).clock(clock).build();
        TokenVerifier verifier =
                TokenVerifier.builder().keys(ring).issuer(ISSUER).clock(clock).build();
        ring.rotateWhenPublished(); // now ACTIVE, NEXT and RETIRING keys
        String before = issuer.jwt(JwtTestSupport.map("sub", "alice"), Duration.ofMinutes(5))
                .value();
        List<String> oldKids = ring.keys().stream().map(ManagedKey::kid).toList();
        assertThat(oldKids).hasSize(3);

        ManagedKey fresh = ring.replaceCompromisedKeys();

        assertThat(fresh.state()).isEqualTo(KeyState.ACTIVE);
        assertThat(ring.keys()).hasSize(2).extracting(ManagedKey::kid).doesNotContainAnyElementsOf(oldKids);
        assertThat(ring.jwksJson()).doesNotContain(oldKids.get(0), oldKids.get(1), oldKids.get(2));
        assertThatThrownBy(() -> verifier.verify(before))
                .isInstanceOfSatisfying(
                        TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.KEY_NOT_FOUND));
        String after = issuer.jwt(JwtTestSupport.map("sub", "alice"), Duration.ofMinutes(5))
                .value();
        assertThat(verifier.verify(after).kid()).contains(fresh.kid());
    }

    @Test
    void refreshIfChangedWhenAnotherNodeRotatesThenReReadsOtherwiseReadsTheVersionOnly() {
        CountingRepository shared = new CountingRepository();
        KeyRing a = node(shared);
        a.activeKey();
        KeyRing b = node(shared);
        int loads = shared.loads;

        assertThat(b.refreshIfChanged()).isFalse();
        assertThat(shared.loads).isEqualTo(loads);

        a.rotateWhenPublished();
        assertThat(b.refreshIfChanged()).isTrue();
        assertThat(b.activeKey().kid()).isEqualTo(a.activeKey().kid());
        assertThat(b.jwksJson()).isEqualTo(a.jwksJson());
        assertThat(b.refreshIfChanged()).isFalse();
    }

    /**
     * Two nodes on one store under a movable clock, with forced and scheduled rotations at random moments: node A
     * rotates, node B only notices (one {@link KeyRing#refreshIfChanged()} per step, the propagation bound). Every token
     * either node signs was signed by a key published for at least the delay (or one of the first two keys), and is in
     * the other node's JWKS.
     */
    @Test
    void signWhenRotationsForcedAndScheduledAcrossNodesThenNeverWithAKeyPublishedForLessThanTheDelay() {
        InMemoryKeyRepository shared = new InMemoryKeyRepository();
        KeyRing a = node(shared, JwsAlgorithm.ES256); // fast to generate
        a.activeKey(); // the first two keys, published at T0
        TokenIssuer issuerA = TokenIssuer.builder(a, ISSUER).clock(clock).build();
        KeyRing b = node(shared, JwsAlgorithm.ES256);
        TokenIssuer issuerB = TokenIssuer.builder(b, ISSUER).clock(clock).build();
        java.util.Random steps = new java.util.Random(14);
        int rotated = 0;
        int refused = 0;
        for (int step = 0; step < 600; step++) {
            clock.advance(Duration.ofSeconds(1 + steps.nextInt(120)));
            switch (steps.nextInt(10)) {
                case 0, 1 -> {
                    if (a.rotateWhenPublished() instanceof Rotation.Rotated) {
                        rotated++;
                    } else {
                        refused++;
                    }
                }
                case 2 -> a.rotateIfDue();
                default -> {
                    // signing only
                }
            }
            for (TokenIssuer issuer : List.of(issuerA, issuerB)) {
                String kid = issuer.jwt(JwtTestSupport.map("sub", "s"), Duration.ofMinutes(5))
                        .kid();
                ManagedKey key = shared.load().keys().stream()
                        .filter(k -> k.kid().equals(kid))
                        .findFirst()
                        .map(k -> a.find(k.kid()).orElseThrow())
                        .orElseThrow();
                assertThat(key.createdAt().equals(T0)
                                || !key.createdAt().plus(DELAY).isAfter(clock.instant()))
                        .as("step %d: %s published at %s, signing at %s", step, kid, key.createdAt(), clock.instant())
                        .isTrue();
                assertThat(a.jwksJson()).contains(kid);
                assertThat(b.jwksJson()).contains(kid);
            }
            b.refreshIfChanged();
        }
        assertThat(rotated).isGreaterThan(10);
        assertThat(refused).isGreaterThan(10);
    }

    /** The in-memory store, counting full loads. */
    private static final class CountingRepository implements KeyRepository {
        private final InMemoryKeyRepository store = new InMemoryKeyRepository();
        int loads;

        @Override
        public Snapshot load() {
            loads++;
            return store.load();
        }

        @Override
        public boolean replace(long expectedVersion, List<StoredKey> keys) {
            return store.replace(expectedVersion, keys);
        }

        @Override
        public long version() {
            return store.load().version();
        }

        @Override
        public boolean durable() {
            return false;
        }
    }
}
