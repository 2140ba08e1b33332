package dev.gatehouse.server.passkeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.passkeys.PasskeyCeremonyException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.web.webauthn.api.AuthenticatorTransport;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.CredentialRecord;
import org.springframework.security.web.webauthn.api.ImmutableCredentialRecord;
import org.springframework.security.web.webauthn.api.ImmutablePublicKeyCose;
import org.springframework.security.web.webauthn.api.ImmutablePublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialType;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialUserEntity;

/** {@link JdbcPasskeyStore} on the real schema of one database (subclasses: H2, PostgreSQL). */
abstract class AbstractPasskeyStoreTests {

    final SettableClock clock = new SettableClock(Instant.parse("2026-03-01T10:00:00Z"));
    JdbcTemplate jdbc;
    JdbcPasskeyStore store;
    private int users;

    /** A migrated database of the subclass's kind, fresh or emptied. */
    abstract JdbcTemplate database();

    @BeforeEach
    void setUp() {
        jdbc = database();
        store = new JdbcPasskeyStore(jdbc, clock);
    }

    /** A new user with a user handle; returns the handle. */
    Bytes newUser(String prefix) {
        String name = prefix + "-" + (++users) + "-" + System.nanoTime();
        jdbc.update("INSERT INTO gh_user (username, password_hash) VALUES (?, 'x')", name);
        PublicKeyCredentialUserEntity entity = ImmutablePublicKeyCredentialUserEntity.builder()
                .id(Bytes.random())
                .name(name)
                .displayName(name)
                .build();
        store.save(entity);
        return entity.getId();
    }

    String name(Bytes handle) {
        PublicKeyCredentialUserEntity entity = store.findById(handle);
        assertThat(entity).isNotNull();
        return entity.getName();
    }

    static ImmutableCredentialRecord.ImmutableCredentialRecordBuilder record(Bytes handle, Bytes id, long count) {
        return ImmutableCredentialRecord.builder()
                .credentialId(id)
                .userEntityUserId(handle)
                .credentialType(PublicKeyCredentialType.PUBLIC_KEY)
                .publicKey(new ImmutablePublicKeyCose(new byte[] {1, 2, 3, 4}))
                .signatureCount(count)
                .uvInitialized(true)
                .backupEligible(true)
                .backupState(false)
                .transports(Set.of(AuthenticatorTransport.USB, AuthenticatorTransport.NFC))
                .attestationObject(new Bytes(new byte[] {9, 9}))
                .attestationClientDataJSON(new Bytes(new byte[] {8}))
                .label("Key")
                .created(Instant.EPOCH)
                .lastUsed(Instant.EPOCH);
    }

    @Test
    void saveWhenNewThenInsertedWithClockTimesAndTrimmedLabel() {
        Bytes handle = newUser("ada");
        Bytes id = Bytes.random();

        store.save(record(handle, id, 3).label("  Yubikey 5 ").build());

        CredentialRecord stored = store.findByCredentialId(id);
        assertThat(stored).isNotNull();
        assertThat(stored.getLabel()).isEqualTo("Yubikey 5");
        assertThat(stored.getCreated()).isEqualTo(clock.instant());
        assertThat(stored.getSignatureCount()).isEqualTo(3);
        assertThat(stored.getUserEntityUserId()).isEqualTo(handle);
        assertThat(stored.getPublicKey().getBytes()).containsExactly(1, 2, 3, 4);
        assertThat(stored.getAttestationObject()).isEqualTo(new Bytes(new byte[] {9, 9}));
        assertThat(stored.getTransports())
                .containsExactlyInAnyOrder(AuthenticatorTransport.USB, AuthenticatorTransport.NFC);
        assertThat(store.list(name(handle))).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo(id.toBase64UrlString());
            assertThat(p.lastUsed()).isNull();
            assertThat(p.transports()).containsExactly("nfc", "usb");
        });
    }

    @Test
    void saveWhenLabelInvalidThenLabelRefusedAndNothingStored() {
        Bytes handle = newUser("ada");
        for (String label : List.of("", "   ", "x".repeat(65), "tab\there", "bell\u0007", "rtl\u202Eoverride")) {
            Bytes id = Bytes.random();
            assertThatThrownBy(
                            () -> store.save(record(handle, id, 0).label(label).build()))
                    .isInstanceOf(PasskeyCeremonyException.class)
                    .satisfies(e ->
                            assertThat(((PasskeyCeremonyException) e).reason()).isEqualTo(Reason.LABEL))
                    .hasMessageContaining("label");
        }
        assertThat(store.hasAny(name(handle))).isFalse();
        store.save(record(handle, Bytes.random(), 0).label("x".repeat(64)).build());
        assertThat(store.hasAny(name(handle))).isTrue();
    }

    @Test
    void saveWhenExistingAndCounterIncreasedThenCounterAndLastUsedUpdated() {
        Bytes handle = newUser("ada");
        Bytes id = Bytes.random();
        store.save(record(handle, id, 3).build());
        clock.advance(Duration.ofHours(1));

        store.save(ImmutableCredentialRecord.fromCredentialRecord(store.findByCredentialId(id))
                .signatureCount(4)
                .lastUsed(Instant.EPOCH)
                .build());

        assertThat(store.findByCredentialId(id).getSignatureCount()).isEqualTo(4);
        assertThat(store.list(name(handle)).get(0).lastUsed()).isEqualTo(clock.instant());
        assertThat(store.list(name(handle)).get(0).created())
                .isEqualTo(clock.instant().minus(Duration.ofHours(1)));
    }

    @Test
    void saveWhenExistingAndCounterEqualOrLowerThenRegressionAndNothingChanged() {
        Bytes handle = newUser("ada");
        Bytes id = Bytes.random();
        store.save(record(handle, id, 5).build());
        clock.advance(Duration.ofHours(1));

        for (long count : new long[] {5, 4, 0}) {
            CredentialRecord older = ImmutableCredentialRecord.fromCredentialRecord(store.findByCredentialId(id))
                    .signatureCount(count)
                    .build();
            assertThatThrownBy(() -> store.save(older))
                    .isInstanceOf(SignatureCounterRegression.class)
                    .hasMessageNotContaining(id.toBase64UrlString())
                    .satisfies(e ->
                            assertThat(((SignatureCounterRegression) e).owner()).isEqualTo(name(handle)));
        }
        assertThat(store.findByCredentialId(id).getSignatureCount()).isEqualTo(5);
        assertThat(store.list(name(handle)).get(0).lastUsed()).isNull();
    }

    @Test
    void saveWhenExistingAndBothCountersZeroThenUpdated() {
        Bytes handle = newUser("ada");
        Bytes id = Bytes.random();
        store.save(record(handle, id, 0).build());

        store.save(record(handle, id, 0).build());

        assertThat(store.list(name(handle)).get(0).lastUsed()).isEqualTo(clock.instant());
    }

    @Test
    void saveWhenIdStoredForAnotherUserThenAlreadyRegisteredAndNothingChanged() {
        Bytes ada = newUser("ada");
        Bytes bob = newUser("bob");
        Bytes id = Bytes.random();
        store.save(record(ada, id, 1).build());

        assertThatThrownBy(() -> store.save(record(bob, id, 9).build()))
                .isInstanceOf(PasskeyCeremonyException.class)
                .satisfies(
                        e -> assertThat(((PasskeyCeremonyException) e).reason()).isEqualTo(Reason.ALREADY_REGISTERED));
        assertThat(store.findByCredentialId(id).getSignatureCount()).isEqualTo(1);
        assertThat(store.hasAny(name(bob))).isFalse();
    }

    @Test
    void saveWhenParallelAssertionsWithSameCounterThenExactlyOneWins() throws Exception {
        Bytes handle = newUser("ada");
        Bytes id = Bytes.random();
        store.save(record(handle, id, 1).build());
        CredentialRecord next = ImmutableCredentialRecord.fromCredentialRecord(store.findByCredentialId(id))
                .signatureCount(2)
                .build();
        int parallel = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    try {
                        store.save(next);
                        return true;
                    } catch (SignatureCounterRegression e) {
                        return false;
                    }
                }));
            }
            start.countDown();
            int won = 0;
            for (Future<Boolean> result : results) {
                won += result.get() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.findByCredentialId(id).getSignatureCount()).isEqualTo(2);
    }

    @Test
    void removeWhenOwnerThenRemovedAndWhenOtherUserOrGarbageThenNothing() {
        Bytes ada = newUser("ada");
        Bytes bob = newUser("bob");
        Bytes adas = Bytes.random();
        Bytes bobs = Bytes.random();
        store.save(record(ada, adas, 0).build());
        store.save(record(bob, bobs, 0).build());

        assertThat(store.remove(name(ada), bobs.toBase64UrlString())).isFalse();
        assertThat(store.remove(name(ada), "not base64url!")).isFalse();
        assertThat(store.remove(name(ada), "")).isFalse();
        assertThat(store.hasAny(name(bob))).isTrue();
        assertThat(store.remove(name(ada), adas.toBase64UrlString())).isTrue();
        assertThat(store.hasAny(name(ada))).isFalse();
        assertThat(store.remove(name(ada), adas.toBase64UrlString())).isFalse();
    }

    @Test
    void removeUnlessLastWhenTwoAreRemovedAtOnceThenExactlyOneGoesAndTheOtherStays() throws Exception {
        for (int round = 0; round < 10; round++) {
            Bytes ada = newUser("ada" + round);
            Bytes first = Bytes.random();
            Bytes second = Bytes.random();
            store.save(record(ada, first, 0).build());
            store.save(record(ada, second, 0).build());
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Passkeys.Removal>> results = new ArrayList<>();
                for (Bytes id : List.of(first, second)) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return store.removeUnlessLast(name(ada), id.toBase64UrlString());
                    }));
                }
                start.countDown();
                List<Passkeys.Removal> outcomes = new ArrayList<>();
                for (Future<Passkeys.Removal> result : results) {
                    outcomes.add(result.get());
                }
                assertThat(outcomes).containsExactlyInAnyOrder(Passkeys.Removal.REMOVED, Passkeys.Removal.LAST);
            } finally {
                pool.shutdownNow();
            }
            assertThat(store.list(name(ada))).hasSize(1);
        }
    }

    @Test
    void removeUnlessLastWhenAnotherUsersOrGarbageThenUnknownAndNothingRemoved() {
        Bytes ada = newUser("ada");
        Bytes bob = newUser("bob");
        Bytes bobs = Bytes.random();
        store.save(record(ada, Bytes.random(), 0).build());
        store.save(record(bob, bobs, 0).build());
        store.save(record(bob, Bytes.random(), 0).build());

        assertThat(store.removeUnlessLast(name(ada), bobs.toBase64UrlString())).isEqualTo(Passkeys.Removal.UNKNOWN);
        assertThat(store.removeUnlessLast(name(ada), "not base64url!")).isEqualTo(Passkeys.Removal.UNKNOWN);
        assertThat(store.removeUnlessLast("nobody", bobs.toBase64UrlString())).isEqualTo(Passkeys.Removal.UNKNOWN);
        assertThat(store.list(name(bob))).hasSize(2);
    }

    @Test
    void removeAllWhenSeveralThenAllOfThatUserOnly() {
        Bytes ada = newUser("ada");
        Bytes bob = newUser("bob");
        store.save(record(ada, Bytes.random(), 0).build());
        clock.advance(Duration.ofSeconds(1));
        store.save(record(ada, Bytes.random(), 0).label("Second").build());
        store.save(record(bob, Bytes.random(), 0).build());
        assertThat(store.list(name(ada))).extracting(Passkeys.Passkey::label).containsExactly("Key", "Second");

        assertThat(store.removeAll(name(ada))).isEqualTo(2);

        assertThat(store.list(name(ada))).isEmpty();
        assertThat(store.list(name(bob))).hasSize(1);
        assertThat(store.removeAll("nobody")).isZero();
    }

    @Test
    void deleteWhenCredentialIdOrUserHandleThenThatGoes() {
        Bytes ada = newUser("ada");
        Bytes first = Bytes.random();
        Bytes second = Bytes.random();
        store.save(record(ada, first, 0).build());
        store.save(record(ada, second, 0).build());
        String adaName = name(ada);

        store.delete(first);
        assertThat(store.findByCredentialId(first)).isNull();
        assertThat(store.findByUserId(ada)).hasSize(1);

        store.delete(ada);
        assertThat(store.findById(ada)).isNull();
        assertThat(store.findByCredentialId(second)).isNull();
        assertThat(store.findByUsername(adaName)).isNull();
    }

    @Test
    void deleteWhenCredentialIdEqualsAnotherUsersHandleThenOnlyThatCredentialGoes() {
        Bytes ada = newUser("ada");
        Bytes bob = newUser("bob");
        store.save(record(ada, Bytes.random(), 0).build());
        // Credential ids are the authenticator's choice: bob's is made equal to ada's user handle.
        store.save(record(bob, ada, 0).build());

        store.delete(ada);

        assertThat(store.findByCredentialId(ada)).isNull();
        assertThat(store.findById(ada)).isNotNull();
        assertThat(store.findByUserId(ada)).hasSize(1);
    }

    @Test
    void userDeletedWhenPasskeysThenTheyGoToo() {
        Bytes ada = newUser("ada");
        Bytes id = Bytes.random();
        store.save(record(ada, id, 0).build());

        jdbc.update("DELETE FROM gh_user WHERE username = ?", name(ada));

        assertThat(store.findById(ada)).isNull();
        assertThat(store.findByCredentialId(id)).isNull();
    }

    @Test
    void saveUserEntityWhenAgainThenDisplayNameUpdatedAndFoundByBothKeys() {
        Bytes ada = newUser("ada");
        String name = name(ada);

        store.save(ImmutablePublicKeyCredentialUserEntity.builder()
                .id(ada)
                .name(name)
                .displayName("Ada L.")
                .build());

        assertThat(store.findByUsername(name).getDisplayName()).isEqualTo("Ada L.");
        assertThat(store.findById(ada).getName()).isEqualTo(name);
    }
}
