package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.jwt.FileKeyRepository;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.ManagedKey;
import dev.gatehouse.core.jwt.RotationPolicy;
import dev.gatehouse.core.jwt.TokenIssuer;
import dev.gatehouse.core.jwt.TokenVerifier;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Token issuing when {@code gatehouse.token.issuer} is set: a {@link KeyRing} (persisted in {@code
 * gatehouse.token.key-store}, private keys sealed under the master key, rotated on schedule), a {@link
 * TokenIssuer} and a {@link TokenVerifier} for the issuer's own tokens. An application's own {@code KeyRing} bean
 * replaces the ring and its rotation schedule (the owner rotates it); the issuer and verifier then use it. Refuses
 * to start with an http issuer outside localhost, an HMAC secret shorter than the hash, or no key store and no
 * master key outside dev mode.
 */
@AutoConfiguration
@EnableConfigurationProperties(GatehouseProperties.class)
@ConditionalOnProperty(prefix = "gatehouse.token", name = "issuer")
@Import({
    GatehouseTokenAutoConfiguration.KeyRingConfiguration.class,
    GatehouseTokenAutoConfiguration.TokenConfiguration.class,
    GatehouseTokenAutoConfiguration.MissingLibraryConfiguration.class
})
public final class GatehouseTokenAutoConfiguration {

    /** A Nimbus JOSE+JWT class, named as a string so that nothing here loads it. */
    static final String NIMBUS = "com.nimbusds.jose.JWSAlgorithm";

    /** gatehouse.token.issuer is set without Nimbus (auth-core declares it optional): refuse to start, say why. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(NIMBUS)
    static class MissingLibraryConfiguration {

        MissingLibraryConfiguration() {
            throw new GatehouseConfigurationException(
                    "gatehouse.token.issuer is set but Nimbus JOSE+JWT is not on the classpath.",
                    "Add the dependency com.nimbusds:nimbus-jose-jwt (and com.google.crypto.tink:tink for EdDSA keys);"
                            + " the Gatehouse starter declares them optional.",
                    null);
        }
    }

    /**
     * The file-backed key ring and its rotation schedule, only when the application has no {@link KeyRing} of its
     * own: an application's own ring (such as the authorization server's JDBC one) is rotated by its owner, never
     * twice.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = NIMBUS)
    @ConditionalOnMissingBean(KeyRing.class)
    static class KeyRingConfiguration {

        private static final Logger log = LoggerFactory.getLogger(GatehouseTokenAutoConfiguration.class);

        @Bean
        KeyRing gatehouseKeyRing(GatehouseProperties properties, Environment environment) {
            GatehouseProperties.Token t = properties.token();
            JwsAlgorithm algorithm = TokenConfiguration.algorithm(t.algorithm());
            try {
                KeyRing.Builder builder = KeyRing.builder()
                        .algorithm(algorithm)
                        .rotation(new RotationPolicy(t.rotateEvery(), t.prepublish(), t.retireAfter()));
                if (t.keyStore() != null) {
                    Envelope envelope = MasterKeys.envelope(properties, environment, "gatehouse.token.key-store");
                    builder.repository(new FileKeyRepository(t.keyStore())).envelope(envelope);
                } else if (!properties.devMode()) {
                    throw new GatehouseConfigurationException(
                            "gatehouse.token.key-store is required outside dev mode: in-memory signing keys are lost on "
                                    + "restart and differ between nodes.",
                            "Set it to a file path (private keys are sealed under GATEHOUSE_MASTER_KEY); for local"
                                    + " development only, set gatehouse.dev-mode=true.",
                            null);
                } else {
                    log.warn("gatehouse.dev-mode=true: signing keys live in memory and are lost on restart");
                }
                KeyRing ring = builder.build();
                if (t.keyStore() != null && ring.hasActiveKey()) {
                    TokenConfiguration.requireStoredAlgorithm(
                            ring, algorithm, t.keyStore().toString());
                }
                if (algorithm.symmetric()) {
                    if (t.hmacSecret() == null || t.hmacSecret().isBlank()) {
                        throw new GatehouseConfigurationException(
                                "gatehouse.token.algorithm=" + algorithm.joseName()
                                        + " needs gatehouse.token.hmac-secret, the secret tokens are signed with.",
                                GatehouseSecrets.GENERATE,
                                null);
                    }
                    if (!ring.hasActiveKey()) {
                        ring.addSecret(
                                GatehouseSecrets.base64(t.hmacSecret(), "gatehouse.token.hmac-secret"), algorithm);
                    }
                }
                ring.activeKey();
                return ring;
            } catch (GatehouseException | IllegalArgumentException e) {
                throw new GatehouseConfigurationException("gatehouse.token is invalid: " + e.getMessage(), e);
            }
        }

        @Bean
        KeyRingRotation gatehouseKeyRingRotation(KeyRing gatehouseKeyRing, GatehouseProperties properties) {
            return new KeyRingRotation(
                    gatehouseKeyRing, properties.token().rotationCheckInterval().toMillis());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = NIMBUS)
    static class TokenConfiguration {

        @Bean
        @ConditionalOnMissingBean
        TokenIssuer gatehouseTokenIssuer(KeyRing ring, GatehouseProperties properties) {
            GatehouseProperties.Token t = properties.token();
            try {
                // @ConditionalOnProperty: this configuration is active only with the issuer set.
                return TokenIssuer.builder(ring, Objects.requireNonNull(t.issuer(), "issuer must not be null"))
                        .accessTokenLifetime(t.accessTokenLifetime())
                        .idTokenLifetime(t.idTokenLifetime())
                        .build();
            } catch (GatehouseException e) {
                throw new GatehouseConfigurationException(
                        "gatehouse.token.issuer is invalid: " + e.getMessage()
                                + " (http is allowed only for localhost)",
                        e);
            }
        }

        @Bean
        @ConditionalOnMissingBean
        TokenVerifier gatehouseTokenVerifier(KeyRing ring, GatehouseProperties properties) {
            JwsAlgorithm algorithm = algorithm(properties.token().algorithm());
            return TokenVerifier.builder()
                    .keys(ring)
                    .issuer(Objects.requireNonNull(properties.token().issuer(), "issuer must not be null"))
                    .algorithms(algorithm)
                    .build();
        }

        /**
         * Refuses a key file whose active key has another algorithm than {@code gatehouse.token.algorithm}: the
         * ring applies the setting to new keys only, so the old algorithm would keep signing unannounced.
         */
        static void requireStoredAlgorithm(KeyRing ring, JwsAlgorithm configured, String keyStore) {
            ManagedKey active = ring.activeKey();
            JwsAlgorithm stored = active.algorithm();
            if (stored == configured) {
                return;
            }
            throw new GatehouseConfigurationException(
                    "gatehouse.token.algorithm is " + configured.joseName() + " but the key file " + keyStore
                            + " holds " + stored.joseName() + " keys (active kid " + active.kid() + "), which would"
                            + " keep signing: the algorithm of existing keys is never changed silently.",
                    "To keep the existing keys, set gatehouse.token.algorithm=" + stored.joseName() + ". To switch to "
                            + configured.joseName() + ", stop every node, move " + keyStore + " aside and start"
                            + " again: new " + configured.joseName() + " keys are created, and tokens signed by the"
                            + " old keys stop verifying (access tokens expire within"
                            + " gatehouse.token.access-token-lifetime).",
                    null);
        }

        static JwsAlgorithm algorithm(String name) {
            try {
                return JwsAlgorithm.parse(name);
            } catch (GatehouseException e) {
                throw new GatehouseConfigurationException("gatehouse.token.algorithm: " + e.getMessage(), e);
            }
        }
    }

    /** Checks the rotation schedule periodically; safe on every node (rotation is compare-and-set). */
    static final class KeyRingRotation implements InitializingBean, DisposableBean {

        private static final Logger log = LoggerFactory.getLogger(KeyRingRotation.class);

        private final KeyRing ring;
        private final long intervalMillis;
        private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-key-rotation");
            t.setDaemon(true);
            return t;
        });

        KeyRingRotation(KeyRing ring, long intervalMillis) {
            this.ring = ring;
            this.intervalMillis = intervalMillis;
        }

        @Override
        public void afterPropertiesSet() {
            scheduler.scheduleWithFixedDelay(this::rotate, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        }

        void rotate() {
            try {
                if (ring.rotateIfDue()) {
                    log.info(
                            "Gatehouse key ring rotated; active key {}",
                            ring.activeKey().kid());
                }
            } catch (RuntimeException e) {
                log.error(
                        "Gatehouse key rotation failed ({}); will retry",
                        e.getClass().getSimpleName());
            }
        }

        @Override
        public void destroy() {
            scheduler.shutdownNow();
        }
    }
}
