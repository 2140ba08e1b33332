package dev.gatehouse.server.keys;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.TokenVerifier;
import dev.gatehouse.server.settings.GatehouseProperties;
import java.security.SecureRandom;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The signing key ring over its JDBC store, and its adapters into Spring Authorization Server: the JWK Set endpoint's
 * source, the JWT encoder its token generator signs with, and the decoder the server's own resource endpoints use.
 * Only this package touches the ring's persistence.
 */
@Configuration(proxyBeanMethods = false)
class KeysConfiguration {

    @Bean
    KeyRing keyRing(JdbcTemplate jdbc, TransactionTemplate tx, Envelope envelope, Clock clock, SecureRandom random) {
        KeyRing ring = KeyRing.builder()
                .repository(new JdbcKeyRepository(jdbc, tx))
                .envelope(envelope)
                .clock(clock)
                .secureRandom(random)
                .build();
        ring.activeKey(); // creates the first ACTIVE and NEXT keys on first start
        return ring;
    }

    @Bean
    JWKSource<SecurityContext> jwkSource(KeyRing ring) {
        return new KeyRingJwkSource(ring);
    }

    @Bean
    JwtEncoder jwtEncoder(KeyRing ring, GatehouseProperties properties) {
        return new KeyRingJwtEncoder(ring, properties.configuredIssuer());
    }

    @Bean
    JwtDecoder jwtDecoder(KeyRing ring, GatehouseProperties properties, Clock clock) {
        TokenVerifier.Builder verifier = TokenVerifier.builder()
                .keys(ring)
                .algorithms(JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256, JwsAlgorithm.EdDSA)
                .accessTokens()
                .clock(clock);
        String issuer = properties.configuredIssuer();
        if (issuer != null) {
            verifier.issuer(issuer);
        }
        return new KeyRingJwtDecoder(verifier.build());
    }
}
