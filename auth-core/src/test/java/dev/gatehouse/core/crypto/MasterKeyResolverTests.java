package dev.gatehouse.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyResolverTests {

    private static final String KEY_A = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String KEY_B = Base64.getEncoder().encodeToString(filled((byte) 7));

    @TempDir
    Path tmp;

    private static byte[] filled(byte b) {
        byte[] raw = new byte[32];
        java.util.Arrays.fill(raw, b);
        return raw;
    }

    @Test
    void resolveWhenConfiguredAndEnvironmentSetThenConfiguredWins() {
        MasterKeyResolution r = MasterKeyResolver.builder()
                .configured(KEY_B, "gatehouse.master-key")
                .environment(Map.of(MasterKey.ENVIRONMENT_VARIABLE, KEY_A)::get)
                .build()
                .resolve();

        assertThat(r).isInstanceOf(MasterKeyResolution.Supplied.class);
        assertThat(((MasterKeyResolution.Supplied) r).source()).isEqualTo("gatehouse.master-key");
        assertThat(r.key().id()).isEqualTo(MasterKey.fromBase64(KEY_B).id());
    }

    @Test
    void resolveWhenConfiguredBlankThenEnvironmentUsedAndNoFileWritten() {
        MasterKeyResolution r = MasterKeyResolver.builder()
                .configured(" ", "gatehouse.master-key")
                .environment(Map.of(MasterKey.ENVIRONMENT_VARIABLE, KEY_A)::get)
                .devMode(true)
                .developmentKeyFile(tmp.resolve("data"))
                .build()
                .resolve();

        assertThat(r).isEqualTo(new MasterKeyResolution.Supplied(r.key(), MasterKey.ENVIRONMENT_VARIABLE));
        assertThat(r.key().id()).isEqualTo(MasterKey.fromBase64(KEY_A).id());
        assertThat(tmp.resolve("data")).doesNotExist();
    }

    @Test
    void resolveWhenValueInvalidThenRefusedEvenInDevMode() {
        MasterKeyResolver resolver = MasterKeyResolver.builder()
                .environment(Map.of(MasterKey.ENVIRONMENT_VARIABLE, "c2hvcnQ=")::get)
                .devMode(true)
                .build();

        assertThatExceptionOfType(CryptoException.class)
                .isThrownBy(resolver::resolve)
                .satisfies(e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.INVALID_MASTER_KEY))
                .withMessageContaining("32 bytes")
                .withMessageNotContaining("c2hvcnQ");
    }

    @Test
    void resolveWhenNothingSetOutsideDevModeThenMissingWithTheFix() {
        MasterKeyResolver resolver = MasterKeyResolver.builder()
                .environment(k -> null)
                .developmentKeyFile(tmp)
                .build();

        assertThatExceptionOfType(CryptoException.class)
                .isThrownBy(resolver::resolve)
                .satisfies(e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.MISSING_MASTER_KEY))
                .withMessage(MasterKey.ENVIRONMENT_VARIABLE
                        + " is not set; set it to 32 random bytes in Base64 (e.g. `openssl rand -base64 32`)");
        assertThat(tmp.resolve(MasterKeyResolver.DEV_KEY_FILE)).doesNotExist();
    }

    @Test
    void resolveWhenNothingSetAndAPropertyNamedThenMessageNamesBoth() {
        MasterKeyResolver resolver = MasterKeyResolver.builder()
                .configured(null, "gatehouse.master-key")
                .environment(k -> null)
                .build();

        assertThatExceptionOfType(CryptoException.class)
                .isThrownBy(resolver::resolve)
                .withMessageContaining("neither GATEHOUSE_MASTER_KEY nor gatehouse.master-key is set")
                .withMessageContaining("openssl rand -base64 32");
    }

    @Test
    void resolveWhenDevModeWithoutFileThenEphemeral() {
        MasterKeyResolution r = MasterKeyResolver.builder()
                .environment(k -> null)
                .devMode(true)
                .build()
                .resolve();

        assertThat(r).isInstanceOf(MasterKeyResolution.Ephemeral.class);
        assertThat(r.key().development()).isTrue();
    }

    @Test
    void resolveWhenDevModeWithFileThenGeneratedOwnerOnlyAndStable() throws Exception {
        Path data = tmp.resolve("data");
        MasterKeyResolver resolver = MasterKeyResolver.builder()
                .environment(k -> null)
                .devMode(true)
                .developmentKeyFile(data)
                .build();

        MasterKeyResolution first = resolver.resolve();
        Path file = data.resolve(MasterKeyResolver.DEV_KEY_FILE);

        assertThat(first).isEqualTo(new MasterKeyResolution.DevelopmentFile(first.key(), file.toAbsolutePath()));
        assertThat(first.key().development()).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                .isEqualTo("rwx------");
        assertThat(resolver.resolve().key().id()).isEqualTo(first.key().id());
    }

    @Test
    void resolveWhenDevelopmentFileExistsThenItsKeyIsUsed() throws Exception {
        Files.writeString(tmp.resolve(MasterKeyResolver.DEV_KEY_FILE), KEY_B);

        MasterKeyResolution r = MasterKeyResolver.builder()
                .environment(k -> null)
                .devMode(true)
                .developmentKeyFile(tmp)
                .build()
                .resolve();

        assertThat(r.key().id()).isEqualTo(MasterKey.fromBase64(KEY_B).id());
    }
}
