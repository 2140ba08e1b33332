package dev.gatehouse.core.mfa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RecoveryCodesTests {

    private final byte[] key = new byte[32];
    private final InMemoryRecoveryCodeStore store = new InMemoryRecoveryCodeStore();
    private final RecoveryCodes codes;

    RecoveryCodesTests() {
        new SecureRandom().nextBytes(key);
        codes = RecoveryCodes.builder().hashKey(key).store(store).build();
    }

    @Test
    void generateWhenDefaultsThenTenDistinctGroupedCodesOfSixtyBits() {
        List<String> generated = codes.generate("u1");

        assertThat(generated).hasSize(10).doesNotHaveDuplicates();
        assertThat(generated)
                .allMatch(c -> c.matches("[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}"));
        // 12 symbols of a 32-letter alphabet: 60 bits, above the 50 required.
        assertThat(12 * Math.log(RecoveryCodes.ALPHABET.length()) / Math.log(2)).isGreaterThanOrEqualTo(50);
        assertThat(codes.remaining("u1")).isEqualTo(10);
    }

    @Test
    void generateWhenStoredThenOnlyHashesAreKept() {
        List<String> generated = codes.generate("u1");
        RecoveryCodeStore spy = new RecordingStore();
        RecoveryCodes recording =
                RecoveryCodes.builder().hashKey(key).store(spy).build();
        List<String> second = recording.generate("u1");

        for (String stored : ((RecordingStore) spy).hashes) {
            assertThat(stored).startsWith("rc1$");
            for (String c : second) {
                assertThat(stored).doesNotContain(c).doesNotContain(c.replace("-", ""));
            }
        }
        assertThat(generated).doesNotContainAnyElementsOf(second);
    }

    @Test
    void redeemWhenValidThenAcceptedOnceAndRemainingDrops() {
        String code = codes.generate("u1").get(3);

        assertThat(codes.redeem("u1", code)).isEqualTo(new RecoveryCodeRedemption.Accepted(9));
        assertThat(codes.redeem("u1", code)).isEqualTo(new RecoveryCodeRedemption.Rejected(9));
    }

    @Test
    void redeemWhenTypedWithOtherCaseSpacesNoDashesOrLookAlikesThenAccepted() {
        List<String> generated = codes.generate("u1");
        String upper = generated.get(0).toUpperCase(Locale.ROOT);
        String spaced = generated.get(1).replace("-", " ");
        String bare = " " + generated.get(2).replace("-", "") + " ";
        String lookAlike = generated.get(3).replace('0', 'O').replace('1', 'l');

        assertThat(codes.redeem("u1", upper).accepted()).isTrue();
        assertThat(codes.redeem("u1", spaced).accepted()).isTrue();
        assertThat(codes.redeem("u1", bare).accepted()).isTrue();
        assertThat(codes.redeem("u1", lookAlike).accepted()).isTrue();
        assertThat(codes.remaining("u1")).isEqualTo(6);
    }

    @Test
    void redeemWhenMalformedOrOtherUsersCodeThenRefused() {
        String mine = codes.generate("u1").get(0);
        codes.generate("u2");

        assertThat(codes.redeem("u2", mine).accepted()).isFalse();
        assertThat(codes.redeem("u1", "").accepted()).isFalse();
        assertThat(codes.redeem("u1", "not-a-code!").accepted()).isFalse();
        assertThat(codes.redeem("u1", "x".repeat(1000)).accepted()).isFalse();
        assertThat(codes.redeem("u1", mine + "a").accepted()).isFalse();
        assertThat(codes.redeem("nobody", mine)).isEqualTo(new RecoveryCodeRedemption.Rejected(0));
    }

    @Test
    void generateWhenRegeneratedThenOldSetInvalid() {
        List<String> old = codes.generate("u1");
        codes.redeem("u1", old.get(0));

        List<String> fresh = codes.generate("u1");

        assertThat(codes.remaining("u1")).isEqualTo(10);
        assertThat(codes.redeem("u1", old.get(1)).accepted()).isFalse();
        assertThat(codes.redeem("u1", fresh.get(1)).accepted()).isTrue();
    }

    @Test
    void redeemWhenDifferentServerKeyThenRefused() {
        String code = codes.generate("u1").get(0);
        byte[] other = key.clone();
        other[0] ^= 1;

        RecoveryCodes otherKey =
                RecoveryCodes.builder().hashKey(other).store(store).build();

        assertThat(otherKey.redeem("u1", code).accepted()).isFalse();
    }

    @RepeatedTest(5)
    void redeemWhenConcurrentUsesOfOneCodeThenExactlyOneSucceeds() throws Exception {
        String code = codes.generate("u1").get(0);
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<RecoveryCodeRedemption>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return codes.redeem("u1", code);
                }));
            }
            start.countDown();
            int accepted = 0;
            for (Future<RecoveryCodeRedemption> f : results) {
                if (f.get(10, TimeUnit.SECONDS).accepted()) {
                    accepted++;
                }
            }
            assertThat(accepted).isEqualTo(1);
            assertThat(codes.remaining("u1")).isEqualTo(9);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void builderWhenBadInputThenTypedExceptions() {
        assertThatThrownBy(() -> RecoveryCodes.builder().hashKey(new byte[16]))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_PARAMETERS);
        assertThatThrownBy(() -> RecoveryCodes.builder().count(0))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_PARAMETERS);
        assertThatThrownBy(() -> RecoveryCodes.builder().build()).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> codes.generate(""))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_ARGUMENT);
    }

    @Test
    void countWhenConfiguredThenThatManyCodes() {
        RecoveryCodes five = RecoveryCodes.builder().hashKey(key).count(5).build();

        assertThat(new HashSet<>(five.generate("u1"))).hasSize(5);
    }

    private static final class RecordingStore implements RecoveryCodeStore {
        final List<String> hashes = new ArrayList<>();

        @Override
        public void replaceAll(String userId, java.util.Set<String> h) {
            hashes.addAll(h);
        }

        @Override
        public boolean consume(String userId, String hash) {
            return false;
        }

        @Override
        public int remaining(String userId) {
            return hashes.size();
        }

        @Override
        public boolean deleteAll(String userId) {
            return false;
        }
    }
}
