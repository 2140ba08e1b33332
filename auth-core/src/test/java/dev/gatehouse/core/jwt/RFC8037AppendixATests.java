package dev.gatehouse.core.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.jwk.JWK;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** RFC 8037 Appendix A: Ed25519 key (A.1/A.2), its RFC 7638 thumbprint (A.3) and the signature (A.4). */
class RFC8037AppendixATests {

    private static final String PRIVATE_JWK = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
            + "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","
            + "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
    private static final String A4_JWS = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
            + "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

    @Test
    void a3WhenThumbprintComputedThenMatchesRfc() throws Exception {
        assertThat(JWK.parse(PRIVATE_JWK).computeThumbprint().toString())
                .isEqualTo("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }

    @Test
    void a4WhenSignedWithOurSignerThenIdenticalToRfc() throws Exception {
        JWK key = JWK.parse(PRIVATE_JWK);
        ManagedKey managed = new ManagedKey("a", JwsAlgorithm.EdDSA, KeyState.ACTIVE, Instant.EPOCH, null, null, key);
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.EdDSA), new Payload("Example of Ed25519 signing"));

        jws.sign(managed.signer());

        assertThat(jws.serialize()).isEqualTo(A4_JWS);
    }

    @Test
    void a4WhenVerifiedWithPublicKeyThenValidAndTamperingDetected() throws Exception {
        JWK publicKey = JWK.parse(PRIVATE_JWK).toPublicJWK();

        assertThat(RFC7515AppendixATests.verify(RFC7515AppendixATests.parse(A4_JWS), publicKey, JwsAlgorithm.EdDSA))
                .isTrue();
        String tampered = A4_JWS.replace("RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc", "RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmX");
        assertThat(RFC7515AppendixATests.verify(RFC7515AppendixATests.parse(tampered), publicKey, JwsAlgorithm.EdDSA))
                .isFalse();
    }
}
