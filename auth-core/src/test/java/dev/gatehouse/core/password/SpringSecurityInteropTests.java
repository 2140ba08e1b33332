package dev.gatehouse.core.password;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.scrypt.SCryptPasswordEncoder;

/** Hashes made by Spring Security's encoders verify with Gatehouse, and Gatehouse's verify with theirs. */
class SpringSecurityInteropTests {

    private static final String PASSWORD = "Tr0ub4dor&3 — naïve café";

    private final Argon2PasswordEncoder springArgon2 = new Argon2PasswordEncoder(16, 32, 1, 19_456, 2);

    @Test
    void verifyWhenSpringArgon2HashThenMatchesWithoutRehash() {
        String hash = springArgon2.encode(PASSWORD);
        PasswordHasher hasher = PasswordHasher.defaults();

        Verification v = hasher.verify(PASSWORD, hash);

        assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(v.matched()).isTrue();
        assertThat(v.needsRehash()).isFalse();
        assertThat(hasher.verify(PASSWORD + "x", hash).matched()).isFalse();
    }

    @Test
    void springArgon2MatchesWhenGatehouseHashThenTrue() {
        String hash = PasswordHasher.defaults().hash(PASSWORD);

        assertThat(springArgon2.matches(PASSWORD, hash)).isTrue();
        assertThat(springArgon2.matches(PASSWORD + "x", hash)).isFalse();
        assertThat(springArgon2.upgradeEncoding(hash)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(BCryptPasswordEncoder.BCryptVersion.class)
    void verifyWhenSpringBcryptHashOfEachVersionThenMatches(BCryptPasswordEncoder.BCryptVersion version) {
        BCryptPasswordEncoder spring = new BCryptPasswordEncoder(version, 10);
        String hash = spring.encode(PASSWORD);
        PasswordHasher hasher =
                PasswordHasher.builder().parameters(BcryptParameters.of(10)).build();

        Verification v = hasher.verify(PASSWORD, hash);

        assertThat(v.matched()).isTrue();
        assertThat(v.needsRehash()).isFalse();
        assertThat(hasher.verify("wrong", hash).matched()).isFalse();
    }

    @Test
    void springBcryptMatchesWhenGatehouseHashThenTrue() {
        String hash = PasswordHasher.builder()
                .parameters(BcryptParameters.of(10))
                .build()
                .hash(PASSWORD);

        assertThat(hash).startsWith("$2b$10$");
        assertThat(new BCryptPasswordEncoder().matches(PASSWORD, hash)).isTrue();
        assertThat(new BCryptPasswordEncoder().matches("wrong", hash)).isFalse();
    }

    @Test
    void scryptWhenHashedByEitherThenVerifiedByTheOther() {
        SCryptPasswordEncoder spring = new SCryptPasswordEncoder(1 << 14, 8, 5, 32, 16);
        PasswordHasher hasher = PasswordHasher.builder()
                .parameters(ScryptParameters.of(1 << 14, 8, 5))
                .build();

        String theirs = spring.encode(PASSWORD);
        String ours = hasher.hash(PASSWORD);

        assertThat(hasher.verify(PASSWORD, theirs).matched()).isTrue();
        assertThat(hasher.verify(PASSWORD, theirs).needsRehash()).isFalse();
        assertThat(spring.matches(PASSWORD, ours)).isTrue();
        assertThat(spring.matches("wrong", ours)).isFalse();
    }
}
