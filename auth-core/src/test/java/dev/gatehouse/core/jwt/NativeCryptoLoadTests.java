package dev.gatehouse.core.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@link NativeCrypto}'s loader never throws: disabled, missing or wrong classes all mean "use the JDK". */
class NativeCryptoLoadTests {

    @Test
    void loadWhenDisabledThenJdkEvenWithTheJarPresent() {
        assertThat(NativeCrypto.load("false", NativeCrypto.ACCP_CLASS)).isEmpty();
        assertThat(NativeCrypto.load("FALSE", NativeCrypto.ACCP_CLASS)).isEmpty();
    }

    @Test
    void loadWhenClassMissingOrNotAProviderThenJdk() {
        assertThat(NativeCrypto.load(null, "com.example.NoSuchProvider")).isEmpty();
        // Has no INSTANCE field: a reflective failure, reported as "use the JDK", never thrown.
        assertThat(NativeCrypto.load(null, "java.lang.String")).isEmpty();
    }

    @Test
    void loadWhenAccpPresentOnLinuxX64ThenItsProvider() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        boolean linuxX64 =
                System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
                        && (arch.equals("amd64") || arch.equals("x86_64"));
        assertThat(NativeCrypto.load(null, NativeCrypto.ACCP_CLASS).map(p -> p.getName()))
                .isEqualTo(
                        linuxX64 ? java.util.Optional.of("AmazonCorrettoCryptoProvider") : java.util.Optional.empty());
        assertThat(NativeCrypto.load("true", NativeCrypto.ACCP_CLASS).isPresent())
                .isEqualTo(linuxX64);
    }

    @Test
    void nativeKeyWhenRsaOrEcThenSameInterfacesAndOtherwiseTheKeyItself() throws Exception {
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        java.security.KeyPair pair = rsa.generateKeyPair();
        java.security.interfaces.RSAPrivateCrtKey key = (java.security.interfaces.RSAPrivateCrtKey) pair.getPrivate();

        java.security.interfaces.RSAPrivateCrtKey converted = NativeCrypto.nativeKey(key);

        assertThat(converted.getModulus()).isEqualTo(key.getModulus());
        assertThat(converted.getPrivateExponent()).isEqualTo(key.getPrivateExponent());
        assertThat(converted != key).isEqualTo(NativeCrypto.provider().isPresent());
        java.security.interfaces.RSAPublicKey publicKey =
                NativeCrypto.nativeKey((java.security.interfaces.RSAPublicKey) pair.getPublic());
        assertThat(publicKey.getModulus()).isEqualTo(key.getModulus());
        // No native form (a secret key): handed back as it is, never an exception.
        javax.crypto.spec.SecretKeySpec secret = new javax.crypto.spec.SecretKeySpec(new byte[32], "AES");
        assertThat(NativeCrypto.nativeKey(secret)).isSameAs(secret);
    }
}
