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
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
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
     * Added to the key poll interval for the propagation bound {@code B}: a poll's own read, a reload that opens the
     * new keys, a scheduling delay, and the clock skew between the node that stamped a key's creation and the node that
     * activates it (NTP keeps that to milliseconds).
     */
    static final Duration PROPAGATION_MARGIN = Duration.ofSeconds(10);

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
            GatehouseProperties properties,
            dev.gatehouse.spring.autoconfigure.GatehouseProperties starter) {
        Token token = starter.token();
        Duration delay = publicationDelay(properties.token());
        requireRetiredKeysOutliveTheirTokens(token, properties.token(), delay);
        KeyRing ring = KeyRing.builder()
                .algorithm(signingAlgorithm(token))
                .rotation(new RotationPolicy(token.rotateEvery(), token.prepublish(), token.retireAfter()))
                .publicationDelay(delay)
                .repository(new JdbcKeyRepository(jdbc, tx))
                .envelope(envelope)
                .clock(clock)
                .secureRandom(random)
                .build();
        ring.activeKey(); // creates the first ACTIVE and NEXT keys on first start
        return ring;
    }

    /** Every node notices another's rotation within about one poll interval (the bound B). */
    @Bean
    KeyRingPoller keyRingPoller(KeyRing ring, GatehouseProperties properties) {
        return new KeyRingPoller(ring, properties.token().keyPollInterval());
    }

    /** {@code Cache-Control: public, max-age=M} on the JWK Set endpoint, before Spring Security's own headers. */
    @Bean
    FilterRegistrationBean<JwksCacheControlFilter> jwksCacheControlFilter(
            AuthorizationServerSettings settings, GatehouseProperties properties) {
        FilterRegistrationBean<JwksCacheControlFilter> registration =
                new FilterRegistrationBean<>(new JwksCacheControlFilter(
                        settings.getJwkSetEndpoint(), properties.token().jwksMaxAge()));
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 1);
        return registration;
    }

    /**
     * How long a key must have been published before it signs: {@code M} ({@code jwks-max-age}, the longest any copy
     * of the JWKS may be cached) plus {@code B} (the key poll interval plus {@link #PROPAGATION_MARGIN}, the longest a
     * node takes to publish a key another node created). 5 minutes 11 seconds by default, far below the day a NEXT
     * key is prepublished before a scheduled rotation; it is what a forced rotation waits for at most.
     */
    static Duration publicationDelay(GatehouseProperties.Token token) {
        return token.jwksMaxAge().plus(token.keyPollInterval()).plus(PROPAGATION_MARGIN);
    }

    /**
     * A key that stops signing must stay published as long as the tokens it signed live, counted from when the last
     * node to notice the rotation stopped signing with it, and while cached JWKS copies age: {@code retire-after} at
     * least the access-token lifetime plus the publication delay. Checked at start-up rather than discovered as
     * failing tokens.
     */
    static void requireRetiredKeysOutliveTheirTokens(
            Token token, GatehouseProperties.Token server, Duration publicationDelay) {
        Duration needed = server.accessTokenLifetime().plus(publicationDelay);
        if (token.retireAfter().compareTo(needed) < 0) {
            throw new IllegalStateException("gatehouse.token.retire-after=" + token.retireAfter()
                    + " is shorter than gatehouse.token.access-token-lifetime plus the key publication delay ("
                    + needed + "): tokens signed just before a rotation would stop verifying before they expire."
                    + " Raise retire-after (default 2 days) or lower jwks-max-age.");
        }
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
     * ({@code typ: at+jwt} and its required claims), refuses embedded keys and {@code alg: none}, and accepts only
     * tokens meant for this server ({@link OwnAudienceJwtDecoder}: issued without resource indicators, or for the
     * issuer).
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
        // RFC 8707 §2, RFC 9068 §4: only tokens meant for this server, not those minted for other resources.
        return new OwnAudienceJwtDecoder(GatehouseJwtDecoder.of(verifier.build()));
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
