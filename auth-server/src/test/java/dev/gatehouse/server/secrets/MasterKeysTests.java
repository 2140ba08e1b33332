package dev.gatehouse.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.gatehouse.core.crypto.CryptoException;
import dev.gatehouse.core.crypto.MasterKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeysTests {

    @TempDir
    Path tmp;

    @Test
    void resolveWhenEnvironmentSetThenUsedAndNoFileWritten() {
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        MasterKey resolved = MasterKeys.resolve(
                Map.of(MasterKey.ENVIRONMENT_VARIABLE, key)::get, tmp.resolve("data"), true, new SecureRandom());
        assertThat(resolved.id()).isEqualTo(MasterKey.fromBase64(key).id());
        assertThat(tmp.resolve("data").resolve(MasterKeys.DEV_KEY_FILE)).doesNotExist();
    }

    @Test
    void resolveWhenDevModeAndNoKeyThenGeneratedOwnerOnlyAndStable() throws Exception {
        Path data = tmp.resolve("data");
        MasterKey first = MasterKeys.resolve(k -> null, data, true, new SecureRandom());
        Path file = data.resolve(MasterKeys.DEV_KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                .isEqualTo("rwx------");
        assertThat(first.development()).isFalse();
        MasterKey second = MasterKeys.resolve(k -> null, data, true, new SecureRandom());
        assertThat(second.id()).isEqualTo(first.id());
    }

    @Test
    void resolveWhenNotDevModeAndNoKeyThenRefusesToStart() {
        assertThatExceptionOfType(CryptoException.class)
                .isThrownBy(() -> MasterKeys.resolve(k -> null, tmp, false, new SecureRandom()))
                .withMessageContaining(MasterKey.ENVIRONMENT_VARIABLE);
        assertThat(tmp.resolve(MasterKeys.DEV_KEY_FILE)).doesNotExist();
    }

    @Test
    void createPrivateDirectoryWhenExistingDirectoryIsWorldReadableThenTightened(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path dir = tmp.resolve("data");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.setPosixFilePermissions(
                dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

        MasterKeys.createPrivateDirectory(dir);

        org.assertj.core.api.Assertions.assertThat(java.nio.file.Files.getPosixFilePermissions(dir))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }
}
