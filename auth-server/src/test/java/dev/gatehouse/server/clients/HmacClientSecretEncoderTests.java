package dev.gatehouse.server.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

class HmacClientSecretEncoderTests {

    private static final byte[] KEY = new byte[32];

    @Test
    void matchesWhenSameSecretThenTrueAndOtherSecretFalse() {
        HmacClientSecretEncoder encoder = new HmacClientSecretEncoder(KEY);
        String stored = encoder.encode("s3cret");
        assertThat(encoder.matches("s3cret", stored)).isTrue();
        assertThat(encoder.matches("s3cret!", stored)).isFalse();
        assertThat(encoder.matches("s3cret", "not base64 !!")).isFalse();
        assertThat(encoder.matches(null, stored)).isFalse();
    }

    @Test
    void encodeWhenOtherKeyThenDifferentHash() {
        byte[] other = new byte[32];
        other[0] = 1;
        assertThat(new HmacClientSecretEncoder(KEY).encode("x"))
                .isNotEqualTo(new HmacClientSecretEncoder(other).encode("x"));
        assertThat(new HmacClientSecretEncoder(other).matches("x", new HmacClientSecretEncoder(KEY).encode("x")))
                .isFalse();
    }

    @Test
    void constructorWhenKeyShorterThan256BitsThenRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> new HmacClientSecretEncoder(new byte[31]));
    }

    @Test
    void clientSecretsWhenGeneratedThen256BitsAndHmacPrefixed() {
        ClientSecrets secrets = new ClientSecrets(KEY, new SecureRandom());
        String secret = secrets.generate();
        assertThat(secret).hasSize(43).doesNotContain("=");
        assertThat(secrets.generate()).isNotEqualTo(secret);
        PasswordEncoder encoder = secrets.encoder();
        String stored = encoder.encode(secret);
        assertThat(stored).startsWith("{hmac-sha256}").doesNotContain(secret);
        assertThat(encoder.matches(secret, stored)).isTrue();
        assertThat(encoder.upgradeEncoding(stored)).isFalse();
    }

    @Test
    void clientSecretsWhenBcryptImportedThenAcceptedAndMarkedForUpgrade() {
        PasswordEncoder encoder = new ClientSecrets(KEY, new SecureRandom()).encoder();
        String imported = "{bcrypt}" + new BCryptPasswordEncoder(4).encode("legacy");
        assertThat(encoder.matches("legacy", imported)).isTrue();
        assertThat(encoder.upgradeEncoding(imported)).isTrue();
    }

    @Test
    void clientSecretsWhenBareBcryptImportedThenAcceptedAndMarkedForUpgrade() {
        PasswordEncoder encoder = new ClientSecrets(KEY, new SecureRandom()).encoder();
        for (BCryptPasswordEncoder.BCryptVersion version : BCryptPasswordEncoder.BCryptVersion.values()) {
            String imported = new BCryptPasswordEncoder(version, 4).encode("legacy");
            assertThat(imported).as(version.name()).doesNotStartWith("{");
            assertThat(encoder.matches("legacy", imported)).as(version.name()).isTrue();
            assertThat(encoder.matches("legacy!", imported)).as(version.name()).isFalse();
            assertThat(encoder.upgradeEncoding(imported)).as(version.name()).isTrue();
        }
    }

    @Test
    void clientSecretsWhenStoredValueUnknownOrMalformedThenNoMatchAndNoException() {
        PasswordEncoder encoder = new ClientSecrets(KEY, new SecureRandom()).encoder();
        String bcrypt = new BCryptPasswordEncoder(4).encode("plain");
        // Each of these made Spring Security's DelegatingPasswordEncoder throw, or a delegate fail to parse.
        for (String stored : List.of(
                "{noop}plain",
                "plain",
                "",
                "{unknown}" + bcrypt,
                "{bcrypt}not-a-hash",
                "{bcrypt}",
                "{hmac-sha256}",
                "{hmac-sha256}not base64 !!",
                "{hmac-sha256" + bcrypt,
                "$2x$" + bcrypt.substring(4),
                bcrypt.substring(0, bcrypt.length() - 1),
                "$2a$04$" + "!".repeat(53))) {
            assertThat(encoder.matches("plain", stored)).as(stored).isFalse();
        }
        assertThat(encoder.matches("plain", null)).isFalse();
    }

    @Test
    void clientSecretsWhenPresentedSecretLongerThanBcryptAcceptsThenNoMatchAndNoException() {
        PasswordEncoder encoder = new ClientSecrets(KEY, new SecureRandom()).encoder();
        String stored = "{bcrypt}" + new BCryptPasswordEncoder(4).encode("legacy");
        assertThat(encoder.matches("legacy" + "x".repeat(100), stored)).isFalse();
        assertThat(encoder.matches("legacy" + "x".repeat(100), stored.substring("{bcrypt}".length())))
                .isFalse();
    }
}
