package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.jwt.AccessTokenRequest;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.TokenIssuer;
import dev.gatehouse.core.jwt.TokenVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class GatehouseTokenAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    GatehouseTokenAutoConfiguration.class, GatehouseHealthAutoConfiguration.class));

    private static String masterKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    @Test
    void contextWhenNoIssuerThenNoTokenBeans() {
        runner.run(context -> assertThat(context).doesNotHaveBean(KeyRing.class).doesNotHaveBean(TokenIssuer.class));
    }

    @Test
    void contextWhenIssuerAndKeyStoreThenIssuesTokensItsVerifierAccepts(@TempDir Path dir) {
        runner.withPropertyValues(
                        "gatehouse.token.issuer=https://login.example.test",
                        "gatehouse.token.algorithm=ES256",
                        "gatehouse.token.key-store=" + dir.resolve("keys.json"),
                        "gatehouse.master-key=" + masterKey())
                .run(context -> {
                    TokenIssuer issuer = context.getBean(TokenIssuer.class);
                    String token = issuer.accessToken(AccessTokenRequest.builder("alice", "web")
                                    .audience("api")
                                    .build())
                            .value();

                    assertThat(context.getBean(TokenVerifier.class)
                                    .verify(token)
                                    .subject())
                            .contains("alice");
                    assertThat(context.getBean(KeyRing.class).activeKey().algorithm())
                            .isEqualTo(JwsAlgorithm.ES256);
                    assertThat(Files.readString(dir.resolve("keys.json")))
                            .contains("ghe1.")
                            .doesNotContain("\"d\":");
                    Health health = context.getBean("gatehouseKeyRingHealthIndicator", HealthIndicator.class)
                            .health();
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails()).containsKey("activeKid").doesNotContainKey("privateKey");
                });
    }

    @Test
    void contextWhenKeyStoreButNoMasterKeyThenStartupFailsSayingHowToFix(@TempDir Path dir) {
        runner.withPropertyValues(
                        "gatehouse.token.issuer=https://login.example.test",
                        "gatehouse.token.key-store=" + dir.resolve("keys.json"))
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("GATEHOUSE_MASTER_KEY")
                        .hasStackTraceContaining("openssl rand -base64 32"));
    }

    @Test
    void contextWhenNoKeyStoreOutsideDevModeThenStartupFails() {
        runner.withPropertyValues("gatehouse.token.issuer=https://login.example.test")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("gatehouse.token.key-store is required outside dev mode"));
    }

    @Test
    void contextWhenDevModeThenInMemoryKeys() {
        runner.withPropertyValues("gatehouse.token.issuer=http://localhost:9000", "gatehouse.dev-mode=true")
                .run(context ->
                        assertThat(context.getBean(KeyRing.class).activeKey()).isNotNull());
    }

    @Test
    void contextWhenHttpIssuerOutsideLocalhostThenStartupFails() {
        runner.withPropertyValues("gatehouse.token.issuer=http://login.example.test", "gatehouse.dev-mode=true")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("http is allowed only for localhost"));
    }

    @Test
    void contextWhenHs256WithShortSecretThenStartupFails() {
        byte[] shortSecret = new byte[16];
        runner.withPropertyValues(
                        "gatehouse.token.issuer=https://login.example.test",
                        "gatehouse.dev-mode=true",
                        "gatehouse.token.algorithm=HS256",
                        "gatehouse.token.hmac-secret=" + Base64.getEncoder().encodeToString(shortSecret))
                .run(context ->
                        assertThat(context).hasFailed().getFailure().hasStackTraceContaining("at least 256 bits"));
    }

    @Test
    void contextWhenApplicationDefinesItsOwnKeyRingThenBacksOff() {
        KeyRing own = KeyRing.builder().algorithm(JwsAlgorithm.EdDSA).build();
        runner.withPropertyValues("gatehouse.token.issuer=https://login.example.test")
                .withBean(KeyRing.class, () -> own)
                .run(context -> {
                    assertThat(context.getBean(KeyRing.class)).isSameAs(own);
                    assertThat(context.getBean(TokenIssuer.class).issuer()).isEqualTo("https://login.example.test");
                });
    }

    @Test
    void contextWhenApplicationDefinesItsOwnKeyRingThenNoFileStoreAndNoSecondRotation() {
        KeyRing own = KeyRing.builder().build();
        runner.withPropertyValues("gatehouse.token.issuer=https://login.example.test")
                .withBean("keyRing", KeyRing.class, () -> own)
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(KeyRing.class)
                        .doesNotHaveBean("gatehouseKeyRing")
                        .doesNotHaveBean(GatehouseTokenAutoConfiguration.KeyRingRotation.class));
    }

    @Test
    void contextWhenApplicationReportsOnItsKeyRingThenNoSecondHealthIndicator() {
        HealthIndicator own = () -> Health.up().build();
        runner.withPropertyValues("gatehouse.token.issuer=https://login.example.test", "gatehouse.dev-mode=true")
                .withBean("keyRingHealthIndicator", HealthIndicator.class, () -> own)
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(HealthIndicator.class)
                        .doesNotHaveBean("gatehouseKeyRingHealthIndicator"));
    }

    @Test
    void contextWhenHs256WithLongSecretThenOperatorSecretSigns() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        runner.withPropertyValues(
                        "gatehouse.token.issuer=https://login.example.test",
                        "gatehouse.dev-mode=true",
                        "gatehouse.token.algorithm=HS256",
                        "gatehouse.token.hmac-secret=" + Base64.getEncoder().encodeToString(secret))
                .run(context -> {
                    String token = context.getBean(TokenIssuer.class)
                            .accessToken(AccessTokenRequest.builder("alice", "web")
                                    .audience("api")
                                    .build())
                            .value();
                    String input = token.substring(0, token.lastIndexOf('.'));
                    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
                    mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
                    String expected = Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(mac.doFinal(input.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                    assertThat(token.substring(token.lastIndexOf('.') + 1)).isEqualTo(expected);
                });
    }

    @Test
    void contextWhenKeyFileHoldsAnotherAlgorithmThenStartupFailsSayingWhichAndHowToFix(@TempDir Path dir) {
        String masterKey = masterKey();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String hmacSecret = Base64.getEncoder().encodeToString(secret);
        Path keys = dir.resolve("keys.json");
        ApplicationContextRunner withKeyFile = runner.withPropertyValues(
                "gatehouse.token.issuer=https://login.example.test",
                "gatehouse.token.key-store=" + keys,
                "gatehouse.master-key=" + masterKey);
        withKeyFile.run(
                context -> assertThat(context.getBean(KeyRing.class).activeKey().algorithm())
                        .isEqualTo(JwsAlgorithm.RS256));

        withKeyFile
                .withPropertyValues("gatehouse.token.algorithm=HS256", "gatehouse.token.hmac-secret=" + hmacSecret)
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(GatehouseConfigurationException.class)
                        .hasMessageContaining(
                                "gatehouse.token.algorithm is HS256 but the key file " + keys + " holds RS256 keys")
                        .hasMessageContaining("set gatehouse.token.algorithm=RS256")
                        .hasMessageContaining("move " + keys + " aside")
                        .hasMessageNotContaining(hmacSecret)
                        .hasMessageNotContaining(masterKey));
        withKeyFile
                .withPropertyValues("gatehouse.token.algorithm=ES256")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("gatehouse.token.algorithm is ES256")
                        .hasStackTraceContaining("holds RS256 keys"));
        withKeyFile
                .withPropertyValues("gatehouse.token.algorithm=RS256")
                .run(context -> assertThat(context).hasNotFailed());
    }
}
