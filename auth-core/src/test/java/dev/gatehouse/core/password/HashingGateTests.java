package dev.gatehouse.core.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HashingGateTests {

    @Test
    void runWhenAllSlotsBusyAndNoWaitThenBusyAndSlotReleasedAfterwards() throws Exception {
        HashingGate gate = new HashingGate(1, Duration.ZERO);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> holder = pool.submit(() -> gate.run(() -> {
                inside.countDown();
                await(release);
                return "done";
            }));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(() -> gate.run(() -> "second"))
                    .isInstanceOfSatisfying(
                            PasswordException.class,
                            e -> assertThat(e.reason()).isEqualTo(PasswordException.Reason.BUSY))
                    .hasMessageContaining("1 password hashing slots");

            release.countDown();
            assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("done");
            assertThat(gate.run(() -> "third")).isEqualTo("third");
            assertThat(gate.available()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void runWhenComputationThrowsThenSlotIsReturned() {
        HashingGate gate = new HashingGate(1, Duration.ZERO);

        assertThatThrownBy(() -> gate.run(() -> {
                    throw new IllegalStateException("boom");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(gate.available()).isEqualTo(1);
    }

    @Test
    void hasherWhenOnlySlotHeldThenVerifyFailsFastWithBusy() throws Exception {
        // Salt generation runs inside the slot, so a SecureRandom that blocks holds the slot for as long as
        // the test wants: deterministic, no timing involved.
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SecureRandom blocking = new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                inside.countDown();
                await(release);
                super.nextBytes(bytes);
            }
        };
        PasswordHasher hasher = PasswordHasher.builder()
                .maxConcurrentHashes(1)
                .maxWait(Duration.ZERO)
                .secureRandom(blocking)
                .build();
        String stored = PasswordHasher.defaults().hash("correct horse battery staple");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> holder = pool.submit(() -> hasher.hash("another password"));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(() -> hasher.verify("correct horse battery staple", stored))
                    .isInstanceOfSatisfying(
                            PasswordException.class, e -> assertThat(e.code()).isEqualTo("password.busy"));

            release.countDown();
            assertThat(holder.get(30, TimeUnit.SECONDS)).startsWith("$argon2id$");
            assertThat(hasher.verify("correct horse battery staple", stored).matched())
                    .isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void runWhenComputationsOverlapThenPeakCountsThemAndNeverExceedsCapacity() {
        HashingGate gate = new HashingGate(2, Duration.ZERO);

        int inner = gate.run(() -> gate.run(gate::running));
        assertThatThrownBy(() -> gate.run(() -> gate.run(() -> gate.run(gate::running))))
                .isInstanceOfSatisfying(
                        PasswordException.class, e -> assertThat(e.reason()).isEqualTo(PasswordException.Reason.BUSY));

        assertThat(inner).isEqualTo(2);
        assertThat(gate.peak()).isEqualTo(2);
        assertThat(gate.running()).isZero();
        assertThat(gate.available()).isEqualTo(2);
    }
}
