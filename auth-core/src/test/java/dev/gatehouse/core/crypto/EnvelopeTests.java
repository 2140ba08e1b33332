package dev.gatehouse.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeTests {

    private static final byte[] SECRET = "JBSWY3DPEHPK3PXP-totp-secret".getBytes(StandardCharsets.UTF_8);
    private final MasterKey masterKey = MasterKey.generate(new SecureRandom());
    private final Envelope envelope = Envelope.of(masterKey);

    @Test
    void sealWhenOpenedWithSameContextThenRoundTrips() {
        String sealed = envelope.seal(SECRET, "totp:user-1");

        assertThat(sealed).startsWith("ghe1.").doesNotContain("JBSWY3DP");
        assertThat(envelope.open(sealed, "totp:user-1")).isEqualTo(SECRET);
        assertThat(envelope.needsReseal(sealed)).isFalse();
    }

    @Test
    void sealWhenCalledTwiceThenDifferentCiphertexts() {
        assertThat(envelope.seal(SECRET, "c")).isNotEqualTo(envelope.seal(SECRET, "c"));
    }

    @Test
    void openWhenContextDiffersThenDecryptionFailed() {
        String sealed = envelope.seal(SECRET, "totp:user-1");

        assertThatThrownBy(() -> envelope.open(sealed, "totp:user-2"))
                .isInstanceOfSatisfying(
                        CryptoException.class, e -> assertThat(e.code()).isEqualTo("crypto.decryption_failed"));
    }

    @Test
    void openWhenAnyByteFlippedThenRefused() {
        String sealed = envelope.seal(SECRET, "ctx");
        byte[] raw = Base64.getUrlDecoder().decode(sealed.substring(5));
        for (int i = 9; i < raw.length; i += 7) {
            byte[] tampered = raw.clone();
            tampered[i] ^= 0x01;
            String value = "ghe1." + Base64.getUrlEncoder().withoutPadding().encodeToString(tampered);

            assertThatThrownBy(() -> envelope.open(value, "ctx")).isInstanceOf(CryptoException.class);
        }
    }

    @Test
    void openWhenSealedUnderOtherMasterKeyThenUnknownUnlessHeld() {
        MasterKey old = MasterKey.generate(new SecureRandom());
        String sealedUnderOld = Envelope.of(old).seal(SECRET, "ctx");

        assertThatThrownBy(() -> envelope.open(sealedUnderOld, "ctx"))
                .isInstanceOfSatisfying(
                        CryptoException.class,
                        e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.UNKNOWN_MASTER_KEY));

        Envelope rotated = envelope.withPreviousKey(old);
        assertThat(rotated.open(sealedUnderOld, "ctx")).isEqualTo(SECRET);
        assertThat(rotated.needsReseal(sealedUnderOld)).isTrue();
        assertThat(rotated.needsReseal(rotated.seal(SECRET, "ctx"))).isFalse();
    }

    @Test
    void openWhenMalformedThenMalformed() {
        for (String bad : new String[] {"", "ghe1.", "ghe1.!!!", "ghe2.AAAA", "ghe1.AQIDBAUGBwgJ"}) {
            assertThatThrownBy(() -> envelope.open(bad, "ctx"))
                    .isInstanceOfSatisfying(
                            CryptoException.class,
                            e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.MALFORMED));
        }
    }

    @Test
    void masterKeyWhenNotThirtyTwoBytesOrMissingThenClearError() {
        assertThatThrownBy(() -> MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[16])))
                .isInstanceOf(CryptoException.class)
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> MasterKey.fromBase64("not base64 ***")).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> MasterKey.fromEnvironment(Map.<String, String>of()::get))
                .isInstanceOf(CryptoException.class)
                .hasMessageContaining(MasterKey.ENVIRONMENT_VARIABLE);
    }

    @Test
    void masterKeyWhenFromBase64ThenStableIdAndNoKeyInToString() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String b64 = Base64.getEncoder().encodeToString(raw);
        MasterKey a = MasterKey.fromBase64(b64);
        MasterKey b = MasterKey.fromEnvironment(Map.of(MasterKey.ENVIRONMENT_VARIABLE, b64)::get);

        assertThat(a.id()).isEqualTo(b.id()).hasSize(16);
        assertThat(a.toString()).doesNotContain(b64).doesNotContain(b64.substring(0, 8));
        assertThat(Envelope.of(b).open(Envelope.of(a).seal(SECRET, "x"), "x")).isEqualTo(SECRET);
        assertThat(a.development()).isFalse();
        assertThat(MasterKey.ephemeralForDevelopment().development()).isTrue();
    }

    @Test
    void constantTimeEqualsWhenComparedThenCorrect() {
        assertThat(ConstantTime.equals("abc", "abc")).isTrue();
        assertThat(ConstantTime.equals("abc", "abd")).isFalse();
        assertThat(ConstantTime.equals(new byte[] {1}, new byte[] {1, 2})).isFalse();
    }
}
