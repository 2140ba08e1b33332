package dev.gatehouse.core.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The native provider path of {@link ManagedKey} (ACCP is on the test class path): it must produce what the JDK
 * produces and accept only what the JDK accepts. RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) is deterministic, so the native
 * RS256 signature must be byte-identical to the JDK's over the same input; ECDSA is randomised, so its signatures
 * are checked by the JDK's verifier instead.
 */
class NativeCryptoTests {

    private static boolean linuxX64() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
                && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    @Test
    void providerWhenAccpOnTheClassPathOfALinuxX64MachineThenUsed() {
        // The build machine is linux x86-64; elsewhere the JDK path is the expected (and tested) outcome.
        assertThat(NativeCrypto.provider().isPresent()).isEqualTo(linuxX64());
    }

    @Test
    void rs256WhenSignedNativelyThenByteIdenticalToTheJdk() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        KeyRing ring = KeyRing.builder().algorithm(JwsAlgorithm.RS256).build();
        ManagedKey key = ring.importKeyPair(pair, JwsAlgorithm.RS256);

        for (int i = 0; i < 20; i++) {
            JWSObject jws = new JWSObject(
                    new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.kid()).build(),
                    new Payload("{\"n\":" + i + ",\"sub\":\"alice\"}"));
            jws.sign(key.signer());

            Signature jdk = Signature.getInstance("SHA256withRSA", "SunRsaSign");
            jdk.initSign(pair.getPrivate());
            jdk.update(jws.getSigningInput());
            assertThat(jws.getSignature().decode()).isEqualTo(jdk.sign());
            assertThat(jws.verify(new RSASSAVerifier((RSAPublicKey) pair.getPublic())))
                    .isTrue();
        }
    }

    @Test
    void es256WhenSignedNativelyThenTheJdkVerifierAccepts() throws Exception {
        KeyRing ring = KeyRing.builder().algorithm(JwsAlgorithm.ES256).build();
        ManagedKey key = ring.activeKey();
        ECPublicKey publicKey = ((ECKey) key.publicJwk()).toECPublicKey();
        ECDSAVerifier jdkVerifier = new ECDSAVerifier(publicKey);
        jdkVerifier.getJCAContext().setProvider(java.security.Security.getProvider("SunEC"));

        for (int i = 0; i < 20; i++) {
            JWSObject jws = new JWSObject(
                    new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.kid()).build(),
                    new Payload("{\"n\":" + i + "}"));
            jws.sign(key.signer());
            assertThat(jws.verify(jdkVerifier)).isTrue();
        }
    }

    @Test
    void verifierWhenNativeThenRejectsAFlippedBitAndAcceptsTheOriginal() throws Exception {
        KeyRing ring = KeyRing.builder().algorithm(JwsAlgorithm.RS256).build();
        ManagedKey key = ring.activeKey();
        JWSObject jws = new JWSObject(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.kid()).build(), new Payload("{\"sub\":\"bob\"}"));
        jws.sign(key.signer());
        String[] parts = jws.serialize().split("\\.");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        signature[signature.length / 2] ^= 0x01;
        String tampered = parts[0] + "." + parts[1] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);

        RSAKey publicJwk = (RSAKey) key.publicJwk();
        assertThat(JWSObject.parse(jws.serialize()).verify(ManagedKey.verifierFor(publicJwk, JwsAlgorithm.RS256)))
                .isTrue();
        assertThat(JWSObject.parse(tampered).verify(ManagedKey.verifierFor(publicJwk, JwsAlgorithm.RS256)))
                .isFalse();
        assertThat(new String(jws.getPayload().toBytes(), StandardCharsets.UTF_8))
                .contains("bob");
    }
}
