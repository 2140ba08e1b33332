package dev.gatehouse.server.keys;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.RotationPolicy;
import dev.gatehouse.core.jwt.TokenVerifier;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.spring.autoconfigure.GatehouseJwtDecoder;
import dev.gatehouse.spring.autoconfigure.GatehouseProperties.Token;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The signing key ring over its JDBC store, and its adapters into Spring Authorization Server: the JWK Set endpoint's
 * source, the JWT encoder its token generator signs with, and the decoder the server's own resource endpoints use
 * (the starter's {@link GatehouseJwtDecoder}).
 * Only this package touches the ring's persistence.
 */
@Configuration(proxyBeanMethods = false)
class KeysConfiguration {

    /**
     * The ring over the database. Algorithm and rotation schedule come from the starter's {@code gatehouse.token.*}
     * ({@code algorithm}, {@code rotate-every}, {@code prepublish}, {@code retire-after}; defaults RS256, 30 days, 1
     * day, 2 days, as before); the starter's own file-backed ring backs off for this one.
     */
    @Bean
    KeyRing keyRing(
            JdbcTemplate jdbc,
            TransactionTemplate tx,
            Envelope envelope,
            Clock clock,
            SecureRandom random,
            dev.gatehouse.spring.autoconfigure.GatehouseProperties starter) {
        Token token = starter.token();
        KeyRing ring = KeyRing.builder()
                .algorithm(signingAlgorithm(token))
                .rotation(new RotationPolicy(token.rotateEvery(), token.prepublish(), token.retireAfter()))
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

    /**
     * The decoder the server's own resource endpoints (UserInfo, the admin API, the actuator) accept its access tokens
     * with: the starter's {@link GatehouseJwtDecoder} over a verifier of the ring's keys that insists on RFC 9068
     * ({@code typ: at+jwt} and its required claims), refuses embedded keys and {@code alg: none}.
     */
    @Bean
    JwtDecoder jwtDecoder(
            KeyRing ring,
            GatehouseProperties properties,
            Clock clock,
            dev.gatehouse.spring.autoconfigure.GatehouseProperties starter) {
        Set<JwsAlgorithm> algorithms = new LinkedHashSet<>(
                List.of(JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256, JwsAlgorithm.EdDSA));
        algorithms.add(signingAlgorithm(starter.token()));
        TokenVerifier.Builder verifier = TokenVerifier.builder()
                .keys(ring)
                .algorithms(algorithms.toArray(JwsAlgorithm[]::new))
                .accessTokens()
                .clock(clock);
        String issuer = properties.configuredIssuer();
        if (issuer != null) {
            verifier.issuer(issuer);
        }
        return GatehouseJwtDecoder.of(verifier.build());
    }

    /**
     * {@code gatehouse.token.algorithm}, asymmetric only: the server publishes its verification keys in the JWKS,
     * and an HMAC secret can never be published.
     */
    static JwsAlgorithm signingAlgorithm(Token token) {
        JwsAlgorithm algorithm = JwsAlgorithm.parse(token.algorithm());
        if (algorithm.symmetric()) {
            throw new IllegalStateException("gatehouse.token.algorithm=" + algorithm.joseName()
                    + " cannot sign the authorization server's tokens: relying parties verify them from the JWKS,"
                    + " which never holds a secret. Use RS256 (the default), PS256, ES256, ES384 or EdDSA.");
        }
        return algorithm;
    }
}
