package dev.gatehouse.core.mfa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.crypto.CryptoException;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.mfa.TotpService.FactorStatus;
import dev.gatehouse.core.mfa.TotpVerification.Reason;
import dev.gatehouse.core.testsupport.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TotpServiceTests {

    /** A step boundary: 1_700_000_010 = 56_666_667 * 30. */
    private static final long T = 1_700_000_010L;

    private final SecureRandom random = new SecureRandom();
    private final Envelope envelope = Envelope.of(MasterKey.generate(random));
    private final InMemoryTotpFactorStore store = new InMemoryTotpFactorStore();
    private final MutableClock clock = MutableClock.at(T);
    private final TotpService service = TotpService.builder()
            .issuer("ACME Co")
            .envelope(envelope)
            .store(store)
            .clock(clock)
            .secureRandom(random)
            .build();
    private final Totp totp = Totp.of(TotpParameters.defaults());

    @Test
    void enrolWhenNewUserThenPendingWithSealedSecretAndUsableUriAndQr() throws Exception {
        TotpEnrolment e = service.enrol("u1", "alice@example.com");

        assertThat(service.status("u1")).isEqualTo(FactorStatus.PENDING);
        assertThat(TotpSecret.fromBase32(e.secretBase32()).length()).isEqualTo(20);
        assertThat(e.uri()).startsWith("otpauth://totp/ACME%20Co:alice@example.com?secret=" + e.secretBase32());
        assertThat(OtpAuthUriTests.decode(e.qrPng())).isEqualTo(e.uri());
        assertThat(e.qrDataUri()).startsWith("data:image/png;base64,");
        TotpFactor stored = store.find("u1").orElseThrow();
        assertThat(stored.sealedSecret()).startsWith("ghe1.").doesNotContain(e.secretBase32());
        assertThat(envelope.open(stored.sealedSecret(), "totp:u1"))
                .isEqualTo(TotpSecret.fromBase32(e.secretBase32()).bytes());
        assertThat(e.toString()).doesNotContain(e.secretBase32());
        assertThat(stored.toString()).doesNotContain(stored.sealedSecret());
    }

    @Test
    void sealedSecretWhenOpenedUnderAnotherUsersContextThenFails() {
        service.enrol("u1", "alice");
        TotpFactor stored = store.find("u1").orElseThrow();

        assertThatThrownBy(() -> envelope.open(stored.sealedSecret(), "totp:u2"))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void verifyWhenPendingThenRefusedUntilConfirmed() {
        TotpSecret secret = TotpSecret.fromBase32(service.enrol("u1", "alice").secretBase32());
        String code = totp.code(secret, clock.instant());

        assertThat(service.verify("u1", code)).isEqualTo(new TotpVerification.Rejected(Reason.PENDING_CONFIRMATION));
        assertThat(service.confirm("u1", totp.code(secret, clock.instant().plusSeconds(3000))))
                .isEqualTo(new TotpVerification.Rejected(Reason.INVALID_CODE));
        assertThat(service.status("u1")).isEqualTo(FactorStatus.PENDING);
    }

    @Test
    void confirmWhenValidFirstCodeThenConfirmedAndThatCodeCannotSignIn() {
        TotpSecret secret = TotpSecret.fromBase32(service.enrol("u1", "alice").secretBase32());
        String code = totp.code(secret, clock.instant());

        TotpVerification confirmed = service.confirm("u1", code);

        assertThat(confirmed.accepted()).isTrue();
        assertThat(confirmed).isEqualTo(new TotpVerification.Accepted(T / 30));
        assertThat(service.status("u1")).isEqualTo(FactorStatus.CONFIRMED);
        assertThat(service.verify("u1", code)).isEqualTo(new TotpVerification.Rejected(Reason.REPLAYED));
        assertThat(service.confirm("u1", code)).isEqualTo(new TotpVerification.Rejected(Reason.ALREADY_CONFIRMED));
    }

    @Test
    void verifyWhenSameCodeTwiceThenSecondRefusedAsReplay() {
        TotpSecret secret = enrolAndConfirm("u1");
        clock.advance(Duration.ofSeconds(30));
        String code = totp.code(secret, clock.instant());

        assertThat(service.verify("u1", code)).isInstanceOf(TotpVerification.Accepted.class);
        assertThat(service.verify("u1", code)).isEqualTo(new TotpVerification.Rejected(Reason.REPLAYED));
    }

    @Test
    void verifyWhenCodeOfEarlierStepAfterLaterAcceptedThenRefusedAsReplay() {
        TotpSecret secret = enrolAndConfirm("u1");
        clock.advance(Duration.ofSeconds(60));
        String previous = totp.code(secret, clock.instant().minusSeconds(30));
        String current = totp.code(secret, clock.instant());

        assertThat(service.verify("u1", current).accepted()).isTrue();
        assertThat(service.verify("u1", previous)).isEqualTo(new TotpVerification.Rejected(Reason.REPLAYED));
    }

    @Test
    void verifyWhenNextStepAfterAcceptedThenAccepted() {
        TotpSecret secret = enrolAndConfirm("u1");
        clock.advance(Duration.ofSeconds(30));
        assertThat(service.verify("u1", totp.code(secret, clock.instant())).accepted())
                .isTrue();
        clock.advance(Duration.ofSeconds(30));

        assertThat(service.verify("u1", totp.code(secret, clock.instant())).accepted())
                .isTrue();
    }

    @Test
    void verifyWhenOneStepEitherSideThenAcceptedAndTwoStepsThenInvalid() {
        TotpSecret secret = enrolAndConfirm("u1");
        clock.set(Instant.ofEpochSecond(T + 300));
        Instant now = clock.instant();

        // Try later steps first: an accepted later step would refuse earlier ones as replays.
        assertThat(service.verify("u1", totp.code(secret, now.minusSeconds(60))))
                .isEqualTo(new TotpVerification.Rejected(Reason.INVALID_CODE));
        assertThat(service.verify("u1", totp.code(secret, now.plusSeconds(60))))
                .isEqualTo(new TotpVerification.Rejected(Reason.INVALID_CODE));
        assertThat(service.verify("u1", totp.code(secret, now.minusSeconds(30))))
                .isInstanceOf(TotpVerification.Accepted.class);
        assertThat(service.verify("u1", totp.code(secret, now.plusSeconds(30))))
                .isInstanceOf(TotpVerification.Accepted.class);
    }

    @Test
    void matchWhenAtLastSecondOfStepThenWindowEdgesFollowStepNotWallClock() {
        TotpSecret secret = TotpSecret.fromBase32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
        Instant lastSecond = Instant.ofEpochSecond(T + 29);
        Totp exact = Totp.of(TotpParameters.defaults().withWindow(0));

        assertThat(exact.matches(secret, totp.code(secret, Instant.ofEpochSecond(T)), lastSecond))
                .isTrue();
        assertThat(exact.matches(secret, totp.code(secret, Instant.ofEpochSecond(T + 30)), lastSecond))
                .isFalse();
        assertThat(totp.matches(secret, totp.code(secret, Instant.ofEpochSecond(T + 30)), lastSecond))
                .isTrue();
        assertThat(totp.matches(secret, totp.code(secret, Instant.ofEpochSecond(T - 30)), lastSecond))
                .isTrue();
        assertThat(totp.matches(secret, totp.code(secret, Instant.ofEpochSecond(T - 31)), lastSecond))
                .isFalse();
        assertThat(totp.matches(secret, totp.code(secret, Instant.ofEpochSecond(T + 60)), lastSecond))
                .isFalse();
    }

    @Test
    void verifyWhenCodeHasSpacesThenAcceptedAndWhenMalformedThenInvalid() {
        TotpSecret secret = enrolAndConfirm("u1");
        clock.advance(Duration.ofSeconds(30));
        String code = totp.code(secret, clock.instant());

        assertThat(service.verify("u1", "12a456")).isEqualTo(new TotpVerification.Rejected(Reason.INVALID_CODE));
        assertThat(service.verify("u1", code + "0")).isEqualTo(new TotpVerification.Rejected(Reason.INVALID_CODE));
        assertThat(service.verify("u1", "")).isEqualTo(new TotpVerification.Rejected(Reason.INVALID_CODE));
        assertThat(service.verify("u1", code.substring(0, 3) + " " + code.substring(3))
                        .accepted())
                .isTrue();
    }

    @Test
    void verifyWhenConcurrentUsesOfOneCodeThenExactlyOneAccepted() throws Exception {
        TotpSecret secret = enrolAndConfirm("u1");
        clock.advance(Duration.ofSeconds(30));
        String code = totp.code(secret, clock.instant());
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<TotpVerification>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return service.verify("u1", code);
                }));
            }
            start.countDown();
            int accepted = 0;
            for (Future<TotpVerification> f : results) {
                TotpVerification v = f.get(10, TimeUnit.SECONDS);
                if (v.accepted()) {
                    accepted++;
                } else {
                    assertThat(v).isEqualTo(new TotpVerification.Rejected(Reason.REPLAYED));
                }
            }
            assertThat(accepted).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void enrolWhenAlreadyConfirmedThenAlreadyEnrolledUntilRemoved() {
        enrolAndConfirm("u1");

        assertThatThrownBy(() -> service.enrol("u1", "alice"))
                .isInstanceOf(MfaException.class)
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.ALREADY_ENROLLED);
        assertThat(service.remove("u1")).isTrue();
        assertThat(service.status("u1")).isEqualTo(FactorStatus.NONE);
        assertThat(service.enrol("u1", "alice").secretBase32()).isNotBlank();
    }

    @Test
    void enrolWhenPendingAgainThenOldSecretNoLongerConfirms() {
        TotpSecret first = TotpSecret.fromBase32(service.enrol("u1", "alice").secretBase32());
        TotpSecret second = TotpSecret.fromBase32(service.enrol("u1", "alice").secretBase32());

        assertThat(service.confirm("u1", totp.code(first, clock.instant())).accepted())
                .isFalse();
        assertThat(service.confirm("u1", totp.code(second, clock.instant())).accepted())
                .isTrue();
    }

    @Test
    void verifyWhenNotEnrolledThenNotEnrolled() {
        assertThat(service.verify("nobody", "123456")).isEqualTo(new TotpVerification.Rejected(Reason.NOT_ENROLLED));
        assertThat(service.confirm("nobody", "123456")).isEqualTo(new TotpVerification.Rejected(Reason.NOT_ENROLLED));
    }

    @Test
    void verifyWhenMasterKeyRotatedThenStillVerifiesAndReseals() {
        TotpSecret secret = enrolAndConfirm("u1");
        Envelope rotated = Envelope.of(MasterKey.generate(random)).withPreviousKey(envelope.currentKey());
        TotpService after = TotpService.builder()
                .issuer("ACME Co")
                .envelope(rotated)
                .store(store)
                .clock(clock)
                .build();
        clock.advance(Duration.ofSeconds(30));

        assertThat(after.verify("u1", totp.code(secret, clock.instant())).accepted())
                .isTrue();
        assertThat(rotated.needsReseal(store.find("u1").orElseThrow().sealedSecret()))
                .isFalse();
    }

    @Test
    void serviceWhenBadArgumentsThenTypedExceptions() {
        assertThatThrownBy(() -> service.enrol(" ", "alice"))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_ARGUMENT);
        assertThatThrownBy(() -> service.enrol("u1", "alice:bob"))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_LABEL);
        assertThatThrownBy(() -> TotpService.builder().issuer("ACME:Co"))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_LABEL);
        assertThatThrownBy(() -> TotpService.builder().secretLength(16))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_PARAMETERS);
        assertThatThrownBy(() -> TotpService.builder().issuer("ACME").build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("envelope");
        assertThatThrownBy(() ->
                        totp.code(TotpSecret.fromBase32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), Instant.ofEpochSecond(-1)))
                .hasFieldOrPropertyWithValue("reason", MfaException.Reason.INVALID_ARGUMENT);
    }

    private TotpSecret enrolAndConfirm(String userId) {
        TotpSecret secret = TotpSecret.fromBase32(service.enrol(userId, "alice").secretBase32());
        assertThat(service.confirm(userId, totp.code(secret, clock.instant())).accepted())
                .isTrue();
        return secret;
    }
}
