package dev.gatehouse.core.jwt;

import static dev.gatehouse.core.jwt.JwtTestSupport.ISSUER;
import static dev.gatehouse.core.jwt.JwtTestSupport.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.gatehouse.core.jwt.JwtTestSupport.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TokenEncryptionTests {

    private final MutableClock clock = new MutableClock(T0);
    private final KeyRing ring = JwtTestSupport.ring(JwsAlgorithm.ES256, clock);
    private final TokenIssuer issuer =
            TokenIssuer.builder(ring, ISSUER).clock(clock).build();

    private static JWK recipient(JweAlgorithm algorithm) throws Exception {
        return algorithm == JweAlgorithm.RSA_OAEP_256
                ? new RSAKeyGenerator(2048).keyID("rcpt").generate()
                : new ECKeyGenerator(Curve.P_256).keyID("rcpt").generate();
    }

    @ParameterizedTest
    @EnumSource(JweAlgorithm.class)
    void encryptWhenRecipientDecryptsThenInnerTokenVerifiesAndClaimsAreHidden(JweAlgorithm algorithm) throws Exception {
        JWK key = recipient(algorithm);
        String signed = issuer.accessToken(AccessTokenRequest.builder("alice", "web")
                        .audience("api")
                        .claim("ssn", "078-05-1120")
                        .build())
                .value();

        String jwe = TokenEncryption.forRecipient(key.toPublicJWK().toJSONString(), algorithm)
                .encrypt(signed);
        TokenVerifier verifier = TokenVerifier.builder()
                .keys(ring)
                .accessTokens()
                .decryption(TokenEncryption.decrypter(key.toJSONString()))
                .clock(clock)
                .build();

        assertThat(jwe.split("\\.")).hasSize(5);
        assertThat(new String(java.util.Base64.getUrlDecoder().decode(jwe.split("\\.")[0])))
                .contains("\"cty\":\"JWT\"");
        assertThat(verifier.verify(jwe).claim("ssn")).contains("078-05-1120");
        // A plain signed token is refused where encryption is required.
        assertThatThrownBy(() -> verifier.verify(signed))
                .isInstanceOfSatisfying(
                        TokenException.class, e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.MALFORMED));
    }

    @Test
    void decryptWhenWrongKeyOrAlteredThenRefused() throws Exception {
        JWK key = recipient(JweAlgorithm.RSA_OAEP_256);
        JWK other = recipient(JweAlgorithm.RSA_OAEP_256);
        String jwe = TokenEncryption.forRecipient(key.toPublicJWK().toJSONString(), JweAlgorithm.RSA_OAEP_256)
                .encrypt(issuer.jwt(JwtTestSupport.map("sub", "a"), java.time.Duration.ofMinutes(1))
                        .value());
        String[] p = jwe.split("\\.");
        String altered = p[0] + "." + p[1] + "." + p[2] + "." + (p[3].charAt(0) == 'A' ? "B" : "A") + p[3].substring(1)
                + "." + p[4];

        assertThatThrownBy(() -> TokenEncryption.decrypter(other.toJSONString()).decrypt(jwe))
                .isInstanceOfSatisfying(
                        TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.BAD_SIGNATURE));
        assertThatThrownBy(() -> TokenEncryption.decrypter(key.toJSONString()).decrypt(altered))
                .isInstanceOf(TokenException.class);
        assertThatThrownBy(() -> TokenEncryption.decrypter(key.toPublicJWK().toJSONString()))
                .isInstanceOf(TokenException.class);
        assertThatThrownBy(() -> TokenEncryption.forRecipient(key.toPublicJWK().toJSONString(), JweAlgorithm.ECDH_ES))
                .isInstanceOf(TokenException.class);
    }

    @Test
    void decryptWhenEcdhTokenGivenToRsaDecrypterThenAlgorithmNotAllowed() throws Exception {
        JWK ec = recipient(JweAlgorithm.ECDH_ES);
        JWK rsa = recipient(JweAlgorithm.RSA_OAEP_256);
        String jwe = TokenEncryption.forRecipient(ec.toPublicJWK().toJSONString(), JweAlgorithm.ECDH_ES)
                .encrypt(issuer.jwt(JwtTestSupport.map("sub", "a"), java.time.Duration.ofMinutes(1))
                        .value());

        assertThatThrownBy(() -> TokenEncryption.decrypter(rsa.toJSONString()).decrypt(jwe))
                .isInstanceOfSatisfying(
                        TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.ALGORITHM_NOT_ALLOWED));
    }
}
