package dev.gatehouse.core.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHasherTests {

    private static final String PASSWORD = "correct horse battery staple";
    private static final byte[] KEY_1 = key(1);
    private static final byte[] KEY_2 = key(2);

    private final PasswordHasher hasher = PasswordHasher.defaults();

    @Test
    void hashWhenDefaultsThenArgon2idWithOwaspParametersAndFreshSalt() {
        String first = hasher.hash(PASSWORD);
        String second = hasher.hash(PASSWORD);

        assertThat(first).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(first).isNotEqualTo(second);
        assertThat(first).doesNotContain(PASSWORD);
    }

    @Test
    void verifyWhenSamePasswordThenMatchesWithoutRehash() {
        String stored = hasher.hash(PASSWORD);

        Verification v = hasher.verify(PASSWORD, stored);

        assertThat(v.matched()).isTrue();
        assertThat(v.needsRehash()).isFalse();
        assertThat(v.upgradedHash()).isEmpty();
    }

    @Test
    void verifyWhenWrongPasswordThenMismatchWithoutUpgrade() {
        Verification v = hasher.verify("correct horse battery stapler", hasher.hash(PASSWORD));

        assertThat(v.matched()).isFalse();
        assertThat(v.needsRehash()).isFalse();
    }

    @Test
    void verifyWhenStoredWithWeakerArgon2ParametersThenUpgradedHashUsesPolicy() {
        PasswordHasher stronger = PasswordHasher.builder()
                .parameters(Argon2Parameters.of(19_456, 3, 1))
                .build();
        String old = hasher.hash(PASSWORD);

        Verification v = stronger.verify(PASSWORD, old);

        assertThat(v.matched()).isTrue();
        assertThat(v.needsRehash()).isTrue();
        String upgraded = v.upgradedHash().orElseThrow();
        assertThat(upgraded).startsWith("$argon2id$v=19$m=19456,t=3,p=1$");
        assertThat(stronger.verify(PASSWORD, upgraded).needsRehash()).isFalse();
        assertThat(stronger.needsRehash(old)).isTrue();
        assertThat(stronger.needsRehash(upgraded)).isFalse();
    }

    @Test
    void verifyWhenStoredStrongerThanPolicyThenNoDowngrade() {
        String strong = PasswordHasher.builder()
                .parameters(Argon2Parameters.of(32_768, 3, 1))
                .build()
                .hash(PASSWORD);

        assertThat(hasher.verify(PASSWORD, strong).needsRehash()).isFalse();
    }

    @Test
    void verifyWhenBcryptStoredAndArgon2PolicyThenRehashToArgon2() {
        String bcrypt = PasswordHasher.builder()
                .parameters(BcryptParameters.of(10))
                .build()
                .hash(PASSWORD);

        Verification v = hasher.verify(PASSWORD, bcrypt);

        assertThat(v.needsRehash()).isTrue();
        assertThat(PasswordHasher.algorithmOf(v.upgradedHash().orElseThrow())).isEqualTo(HashAlgorithm.ARGON2ID);
    }

    @Test
    void hashWhenBcryptAndPasswordOver72BytesThenRefusedNotTruncated() {
        PasswordHasher bcrypt =
                PasswordHasher.builder().parameters(BcryptParameters.of(10)).build();
        String long73 = "a".repeat(73);
        String multiByte = "é".repeat(37); // 74 UTF-8 bytes, 37 characters

        assertThatThrownBy(() -> bcrypt.hash(long73))
                .isInstanceOfSatisfying(
                        PasswordException.class,
                        e -> assertThat(e.reason()).isEqualTo(PasswordException.Reason.PASSWORD_TOO_LONG_FOR_ALGORITHM))
                .hasMessageNotContaining(long73);
        assertThatThrownBy(() -> bcrypt.hash(multiByte)).isInstanceOf(PasswordException.class);
        assertThat(bcrypt.verify("a".repeat(72), bcrypt.hash("a".repeat(72))).matched())
                .isTrue();
    }

    @Test
    void hashWhenBcryptWithPepperThenLongPasswordsWorkAndDifferAfter72Bytes() {
        PasswordHasher bcrypt = PasswordHasher.builder()
                .parameters(BcryptParameters.of(10))
                .peppers(Peppers.of("k1", KEY_1))
                .build();
        String prefix = "x".repeat(72);
        String stored = bcrypt.hash(prefix + "first");

        assertThat(bcrypt.verify(prefix + "first", stored).matched()).isTrue();
        assertThat(bcrypt.verify(prefix + "second", stored).matched()).isFalse();
    }

    @Test
    void hashWhenPepperedThenKeyIdRecordedAndUnpepperedHasherCannotVerify() {
        PasswordHasher peppered =
                PasswordHasher.builder().peppers(Peppers.of("k1", KEY_1)).build();
        String stored = peppered.hash(PASSWORD);

        assertThat(stored).startsWith("$pepper$kid=k1$argon2id$v=19$");
        assertThat(peppered.verify(PASSWORD, stored).matched()).isTrue();
        assertThat(peppered.verify(PASSWORD, stored).needsRehash()).isFalse();
        assertThatThrownBy(() -> hasher.verify(PASSWORD, stored))
                .isInstanceOfSatisfying(
                        PasswordException.class, e -> assertThat(e.code()).isEqualTo("password.unknown_pepper"));
    }

    @Test
    void hashWhenPepperedThenInnerHashIsNotAHashOfThePlainPassword() {
        PasswordHasher peppered =
                PasswordHasher.builder().peppers(Peppers.of("k1", KEY_1)).build();
        String inner = peppered.hash(PASSWORD).substring("$pepper$kid=k1".length());

        // Without the pepper, the stolen hash does not verify the password.
        assertThat(hasher.verify(PASSWORD, inner).matched()).isFalse();
    }

    @Test
    void verifyWhenPepperRotatedThenOldHashesVerifyAndUpgradeToNewKey() {
        String underK1 = PasswordHasher.builder()
                .peppers(Peppers.of("k1", KEY_1))
                .build()
                .hash(PASSWORD);
        PasswordHasher rotated = PasswordHasher.builder()
                .peppers(Peppers.of("k2", KEY_2).withPreviousKey("k1", KEY_1))
                .build();

        Verification v = rotated.verify(PASSWORD, underK1);

        assertThat(v.matched()).isTrue();
        assertThat(v.upgradedHash()).get().asString().startsWith("$pepper$kid=k2$");
        assertThat(rotated.verify("wrong password", underK1).matched()).isFalse();
    }

    @Test
    void verifyWhenUnpepperedHashAndPepperConfiguredThenRehashAddsPepper() {
        String plain = hasher.hash(PASSWORD);
        PasswordHasher peppered =
                PasswordHasher.builder().peppers(Peppers.of("k1", KEY_1)).build();

        Verification v = peppered.verify(PASSWORD, plain);

        assertThat(v.matched()).isTrue();
        assertThat(v.upgradedHash()).get().asString().startsWith("$pepper$kid=k1$");
    }

    @Test
    void peppersWhenKeyShortOrIdInvalidThenRefused() {
        assertThatThrownBy(() -> Peppers.of("k1", new byte[31])).isInstanceOf(PasswordException.class);
        assertThatThrownBy(() -> Peppers.of("bad id", KEY_1)).isInstanceOf(PasswordException.class);
        assertThatThrownBy(() -> Peppers.of("k1", KEY_1).withPreviousKey("k1", KEY_2))
                .isInstanceOf(PasswordException.class);
        assertThat(Peppers.of("k1", KEY_1).toString()).doesNotContain(new String(KEY_1, StandardCharsets.ISO_8859_1));
    }

    @Test
    void verifyWhenCompatibilityFormOfPasswordThenNfkcMakesThemEqual() {
        // U+FB01 LATIN SMALL LIGATURE FI and full-width digits normalise (NFKC) to "fi" and "12".
        String stored = hasher.hash("ﬁle１２ secret");

        assertThat(hasher.verify("file12 secret", stored).matched()).isTrue();
    }

    @Test
    void verifyWhenLegacyHashOfUnnormalisedPasswordThenMatchesAndAsksForRehash() {
        // A peer that did not normalise hashed the raw ligature form.
        String legacy = new org.springframework.security.crypto.argon2.Argon2PasswordEncoder(16, 32, 1, 19_456, 2)
                .encode("ﬁle secret");

        Verification v = hasher.verify("ﬁle secret", legacy);

        assertThat(v.matched()).isTrue();
        assertThat(v.needsRehash()).isTrue();
        assertThat(hasher.verify("file secret", v.upgradedHash().orElseThrow()).matched())
                .isTrue();
    }

    @Test
    void verifyUnknownUserWhenCalledThenMismatch() {
        assertThat(hasher.verifyUnknownUser(PASSWORD).matched()).isFalse();
        assertThat(hasher.verifyUnknownUser(PASSWORD).matched()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "plaintext",
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ",
                "$argon2id$v=19$m=19456,t=2,p=1$!!!!$????",
                "$argon2id$v=19$m=abc,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=42$m=19456,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$2a$10$tooshort",
                "$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e",
                "$pbkdf2-sha1$i=1000$c2FsdA$c2FsdHNhbHRzYWx0c2FsdA",
                "$pbkdf2-sha256$i=0$c2FsdA$c2FsdHNhbHRzYWx0c2FsdA",
                "$pepper$kid=$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$5$rounds=5000$saltsalt$hash",
                "{bcrypt}$2a$10$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
                ""
            })
    void verifyWhenStoredHashMalformedOrUnsupportedThenTypedExceptionWithoutEchoingInput(String stored) {
        String password = "s3cret-Password-never-echoed";

        assertThatThrownBy(() -> hasher.verify(password, stored)).isInstanceOfSatisfying(PasswordException.class, e -> {
            assertThat(e.code()).startsWith("password.");
            assertThat(e.getMessage()).doesNotContain(password);
            if (stored.length() > 12) {
                assertThat(e.getMessage()).doesNotContain(stored.substring(stored.length() - 12));
            }
        });
    }

    @Test
    void verifyWhenStoredHashDemandsAbsurdCostThenRefusedBeforeComputing() {
        String hostileMemory =
                "$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        String hostileScrypt = "$1e0801$c2FsdHNhbHQ=$c2FsdHNhbHRzYWx0c2FsdA==";
        String hostilePbkdf2 = "$pbkdf2-sha256$i=999999999$c2FsdA$c2FsdHNhbHRzYWx0c2FsdA";

        for (String stored : new String[] {hostileMemory, hostileScrypt, hostilePbkdf2}) {
            assertThatThrownBy(() -> hasher.verify(PASSWORD, stored))
                    .isInstanceOfSatisfying(
                            PasswordException.class,
                            e -> assertThat(e.reason()).isEqualTo(PasswordException.Reason.INVALID_PARAMETERS));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "$argon2id$v=019$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=065536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=65536,t=02,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=65536,t=2,p=01$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=65536,t=2,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=31,t=2,p=4$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=65536,t=2,p=65$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=65536,t=2,p=1,keyid=k1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ=$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHR$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPd",
                "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$YWJj",
                "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc\n",
                "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc$",
                "$argon2id$v=19$m=65536,t=2,p=1$$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            })
    void verifyWhenArgon2HashNotStrictPhcThenRefusedWhileParsing(String stored) {
        assertThatThrownBy(() -> hasher.verify("password", stored))
                .isInstanceOfSatisfying(
                        PasswordException.class,
                        e -> assertThat(e.reason())
                                .isIn(
                                        PasswordException.Reason.MALFORMED_HASH,
                                        PasswordException.Reason.INVALID_PARAMETERS));
        assertThatThrownBy(() -> hasher.needsRehash(stored)).isInstanceOf(PasswordException.class);
    }

    @Test
    void verifyWhenStoredArgon2HashOverMemoryOrWorkCeilingThenRefusedBeforeComputing() {
        // 256 MiB + 1 KiB, and 256 MiB for 9 passes: within Argon2Parameters' range, beyond what one stored
        // hash may make a hasher with the default parameters spend.
        String overMemory = "$argon2id$v=19$m=262145,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        String overWork = "$argon2id$v=19$m=262144,t=9,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

        for (String stored : new String[] {overMemory, overWork}) {
            assertThatThrownBy(() -> hasher.verify(PASSWORD, stored))
                    .isInstanceOfSatisfying(PasswordException.class, e -> {
                        assertThat(e.reason()).isEqualTo(PasswordException.Reason.INVALID_PARAMETERS);
                        assertThat(e.getMessage()).contains("ceiling for stored hashes");
                    });
        }
    }

    @Test
    void verifyWhenStoredArgon2HashWithinTheHashersOwnHigherParametersThenAccepted() {
        StoredHash stored = StoredHash.parse(
                "$argon2id$v=19$m=524288,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc");

        assertThatThrownBy(() -> stored.requireWithinCeilings(Argon2Parameters.owasp()))
                .isInstanceOf(PasswordException.class);
        stored.requireWithinCeilings(Argon2Parameters.of(524_288, 2, 1));
    }

    @Test
    void builderWhenParametersBelowOwaspMinimumThenRefused() {
        assertThatThrownBy(() -> PasswordHasher.builder().parameters(BcryptParameters.of(9)))
                .isInstanceOf(PasswordException.class)
                .hasMessageContaining("at least 10");
        assertThatThrownBy(() -> PasswordHasher.builder().parameters(Argon2Parameters.of(8_192, 2, 1)))
                .isInstanceOf(PasswordException.class)
                .hasMessageContaining("OWASP");
        assertThatThrownBy(() -> PasswordHasher.builder().parameters(ScryptParameters.of(1 << 10, 8, 1)))
                .isInstanceOf(PasswordException.class);
        assertThatThrownBy(() -> PasswordHasher.builder().maxConcurrentHashes(0))
                .isInstanceOf(PasswordException.class);
    }

    @Test
    void hashWhenEmptyOrOversizedThenInvalidPassword() {
        assertThatThrownBy(() -> hasher.hash(""))
                .isInstanceOfSatisfying(
                        PasswordException.class,
                        e -> assertThat(e.reason()).isEqualTo(PasswordException.Reason.INVALID_PASSWORD));
        assertThatThrownBy(() -> hasher.hash("x".repeat(4097))).isInstanceOf(PasswordException.class);
        assertThat(hasher.verify("", hasher.hash(PASSWORD)).matched()).isFalse();
    }

    @Test
    void toStringWhenCalledThenNoSecrets() {
        PasswordHasher peppered =
                PasswordHasher.builder().peppers(Peppers.of("k1", KEY_1)).build();
        Verification v = hasher.verify(PASSWORD, "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW");

        assertThat(peppered.toString()).contains("k1").doesNotContain("\u0001");
        assertThat(v.toString()).doesNotContain("$");
    }

    private static byte[] key(int fill) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) fill);
        return key;
    }
}
