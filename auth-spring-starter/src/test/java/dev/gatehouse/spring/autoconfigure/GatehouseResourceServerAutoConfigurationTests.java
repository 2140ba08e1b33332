package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.jwt.AccessTokenRequest;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.TokenIssuer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;

@ExtendWith(OutputCaptureExtension.class)
class GatehouseResourceServerAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GatehouseResourceServerAutoConfiguration.class));

    /** An app that issues tokens (the starter's issuer) and accepts them (the starter's resource server). */
    private final ApplicationContextRunner issuerAndResourceServer = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    GatehouseTokenAutoConfiguration.class, GatehouseResourceServerAutoConfiguration.class))
            .withPropertyValues(
                    "gatehouse.dev-mode=true",
                    "gatehouse.token.issuer=https://login.example.test",
                    "gatehouse.token.audience=api");

    private static String hmacSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return Base64.getEncoder().encodeToString(secret);
    }

    @Test
    void contextWhenOwnTokensAreHs256AndResourceServerUsesJwksThenStartupFailsSayingWhy() {
        String secret = hmacSecret();
        issuerAndResourceServer
                .withPropertyValues(
                        "gatehouse.token.algorithm=HS256",
                        "gatehouse.token.hmac-secret=" + secret,
                        "gatehouse.resource-server.jwk-set-uri=https://login.example.test/oauth2/jwks")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(GatehouseConfigurationException.class)
                        .hasMessageContaining("gatehouse.token.algorithm=HS256")
                        .hasMessageContaining("no JWKS publishes")
                        .hasMessageContaining("gatehouse.token.algorithm=RS256")
                        .hasMessageNotContaining(secret));
    }

    @Test
    void decodeWhenIssuerIsTheAppsOwnThenVerifiesFromTheKeyRingWithoutNetwork() {
        // login.example.test does not resolve: any metadata or JWKS fetch would fail the decode.
        issuerAndResourceServer
                .withPropertyValues("gatehouse.resource-server.issuer-uri=https://login.example.test")
                .run(context -> {
                    String token = context.getBean(TokenIssuer.class)
                            .accessToken(AccessTokenRequest.builder("alice", "web")
                                    .audience("api")
                                    .claim("roles", List.of("admin"))
                                    .build())
                            .value();

                    Jwt jwt = context.getBean(JwtDecoder.class).decode(token);

                    assertThat(jwt.getSubject()).isEqualTo("alice");
                    assertThat(jwt.getClaimAsStringList("roles")).containsExactly("admin");
                });
    }

    @Test
    void decodeWhenOwnIssuerSignsHs256ThenVerifiesInProcessAndRefusesForeignKeys() {
        issuerAndResourceServer
                .withPropertyValues(
                        "gatehouse.token.algorithm=HS256",
                        "gatehouse.token.hmac-secret=" + hmacSecret(),
                        "gatehouse.resource-server.issuer-uri=https://login.example.test")
                .run(context -> {
                    AccessTokenRequest request = AccessTokenRequest.builder("alice", "web")
                            .audience("api")
                            .build();
                    String own = context.getBean(TokenIssuer.class)
                            .accessToken(request)
                            .value();
                    KeyRing foreignRing =
                            KeyRing.builder().algorithm(JwsAlgorithm.HS256).build();
                    foreignRing.addSecret(Base64.getDecoder().decode(hmacSecret()), JwsAlgorithm.HS256);
                    String foreign = TokenIssuer.builder(foreignRing, "https://login.example.test")
                            .build()
                            .accessToken(request)
                            .value();
                    JwtDecoder decoder = context.getBean(JwtDecoder.class);

                    assertThat(decoder.decode(own).getSubject()).isEqualTo("alice");
                    assertThatThrownBy(() -> decoder.decode(foreign)).isInstanceOf(BadJwtException.class);
                });
    }

    @Test
    void contextWhenNoAudienceAnywhereOutsideDevModeThenStartupFailsSayingHowToFix() {
        runner.withPropertyValues("gatehouse.resource-server.issuer-uri=https://login.example.test")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(GatehouseConfigurationException.class)
                        .hasMessageContaining("gatehouse.resource-server.audiences is not set")
                        .hasMessageContaining("gatehouse.token.audience"));
    }

    @Test
    void contextWhenNoAudienceInDevModeThenStartsWarningLoudly(CapturedOutput output) {
        runner.withPropertyValues(
                        "gatehouse.dev-mode=true", "gatehouse.resource-server.issuer-uri=https://login.example.test")
                .run(context -> {
                    assertThat(context).hasSingleBean(JwtDecoder.class);
                    assertThat(output).contains("ACCEPTING TOKENS FOR ANY AUDIENCE");
                });
    }

    @Test
    void contextWhenAudiencesIsStarThenStartsAndWarns(CapturedOutput output) {
        runner.withPropertyValues(
                        "gatehouse.resource-server.issuer-uri=https://login.example.test",
                        "gatehouse.resource-server.audiences=*")
                .run(context -> {
                    assertThat(context).hasSingleBean(JwtDecoder.class);
                    assertThat(output).contains("gatehouse.resource-server.audiences=*");
                });
        runner.withPropertyValues(
                        "gatehouse.resource-server.issuer-uri=https://login.example.test",
                        "gatehouse.resource-server.audiences=*,api")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("mixes '*'"));
    }

    @Test
    void decodeWhenAudienceUnsetThenTheAppsOwnAudienceIsRequired() {
        issuerAndResourceServer
                .withPropertyValues("gatehouse.resource-server.issuer-uri=https://login.example.test")
                .run(context -> {
                    TokenIssuer tokens = context.getBean(TokenIssuer.class);
                    String forUs = tokens.accessToken(AccessTokenRequest.builder("alice", "web")
                                    .audience("api")
                                    .build())
                            .value();
                    String forAnotherApi = tokens.accessToken(AccessTokenRequest.builder("alice", "web")
                                    .audience("billing")
                                    .build())
                            .value();
                    JwtDecoder decoder = context.getBean(JwtDecoder.class);

                    assertThat(decoder.decode(forUs).getSubject()).isEqualTo("alice");
                    assertThatThrownBy(() -> decoder.decode(forAnotherApi)).isInstanceOf(BadJwtException.class);
                });
    }

    @Test
    void contextWhenOwnTokensAreHs256AndResourceServerTrustsAnotherIssuerThenStarts() {
        issuerAndResourceServer
                .withPropertyValues(
                        "gatehouse.token.algorithm=HS256",
                        "gatehouse.token.hmac-secret=" + hmacSecret(),
                        "gatehouse.resource-server.issuer-uri=https://partner.example.test")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(JwtDecoder.class));
    }

    @Test
    void contextWhenNotConfiguredThenNoDecoder() {
        runner.run(context -> assertThat(context).doesNotHaveBean(JwtDecoder.class));
    }

    @Test
    void contextWhenJwkSetUriThenGatehouseDecoderAndConverter() {
        runner.withPropertyValues(
                        "gatehouse.resource-server.jwk-set-uri=https://login.example.test/oauth2/jwks",
                        "gatehouse.resource-server.audiences=api")
                .run(context -> {
                    assertThat(context.getBean(JwtDecoder.class)).isInstanceOf(GatehouseJwtDecoder.class);
                    assertThat(context).hasSingleBean(JwtAuthenticationConverter.class);
                });
    }

    @Test
    void contextWhenResourceServerLibrariesAbsentThenBacksOff() {
        runner.withPropertyValues("gatehouse.resource-server.jwk-set-uri=https://login.example.test/oauth2/jwks")
                .withClassLoader(new FilteredClassLoader(JwtDecoder.class))
                .run(context -> assertThat(context).doesNotHaveBean("gatehouseJwtDecoder"));
    }

    @Test
    void contextWhenResourceServerLibraryAbsentThenBacksOffAndWarnsNamingTheStarter(CapturedOutput output) {
        runner.withPropertyValues("gatehouse.resource-server.issuer-uri=https://login.example.test")
                .withClassLoader(new FilteredClassLoader("org.springframework.security.oauth2.server.resource"))
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(JwtDecoder.class);
                    assertThat(output)
                            .contains("org.springframework.boot:spring-boot-starter-security-oauth2-resource-server");
                });
    }

    @Test
    void contextWhenResourceServerLibraryPresentThenNoWarning(CapturedOutput output) {
        runner.withPropertyValues(
                        "gatehouse.resource-server.issuer-uri=https://login.example.test",
                        "gatehouse.resource-server.audiences=api")
                .run(context -> {
                    assertThat(context).hasSingleBean(JwtDecoder.class);
                    assertThat(output).doesNotContain("spring-boot-starter-security-oauth2-resource-server");
                });
    }

    @Test
    void contextWhenPlainHttpJwksOnRemoteHostOrBadAlgorithmThenStartupFails() {
        runner.withPropertyValues("gatehouse.resource-server.jwk-set-uri=http://login.example.test/jwks")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("https"));
        runner.withPropertyValues(
                        "gatehouse.resource-server.jwk-set-uri=https://login.example.test/jwks",
                        "gatehouse.resource-server.algorithms=none")
                .run(context ->
                        assertThat(context).hasFailed().getFailure().hasStackTraceContaining("unsupported algorithm"));
    }

    @Test
    void contextWhenResourceInvalidThenStartupFailsNamingThePropertyAndTheFix() {
        for (String bad : List.of(
                "http://api.example.test/documents", // plain http off loopback
                "documents", // relative
                "https://api.example.test/documents?tenant=1", // query (RFC 9728 §1.2)
                "https://api.example.test/documents#top", // fragment
                "https://user@api.example.test/documents", // user info
                "ftp://api.example.test/documents")) {
            runner.withPropertyValues(
                            "gatehouse.resource-server.issuer-uri=https://login.example.test",
                            "gatehouse.resource-server.resource=" + bad)
                    .run(context -> assertThat(context)
                            .as(bad)
                            .hasFailed()
                            .getFailure()
                            .rootCause()
                            .isInstanceOf(GatehouseConfigurationException.class)
                            .hasMessageContaining("gatehouse.resource-server.resource"));
        }
    }

    @Test
    void contextWhenMetadataUrlsNotHttpsThenStartupFailsNamingTheProperty() {
        runner.withPropertyValues(
                        "gatehouse.resource-server.issuer-uri=https://login.example.test",
                        "gatehouse.resource-server.resource=https://api.example.test",
                        "gatehouse.resource-server.authorization-servers=http://login.example.test")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(GatehouseConfigurationException.class)
                        .hasMessageContaining("gatehouse.resource-server.authorization-servers"));
        // The default authorization server, the issuer, is held to the same rule (RFC 8414 §2).
        runner.withPropertyValues(
                        "gatehouse.resource-server.issuer-uri=http://login.example.test",
                        "gatehouse.resource-server.jwk-set-uri=https://login.example.test/jwks",
                        "gatehouse.resource-server.audiences=https://api.example.test",
                        "gatehouse.resource-server.resource=https://api.example.test")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(GatehouseConfigurationException.class)
                        .hasMessageContaining("gatehouse.resource-server.issuer-uri"));
        runner.withPropertyValues(
                        "gatehouse.resource-server.issuer-uri=https://login.example.test",
                        "gatehouse.resource-server.resource=https://api.example.test",
                        "gatehouse.resource-server.resource-documentation=javascript:alert(1)")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(GatehouseConfigurationException.class)
                        .hasMessageContaining("gatehouse.resource-server.resource-documentation"));
        runner.withPropertyValues(
                        "gatehouse.resource-server.issuer-uri=https://login.example.test",
                        "gatehouse.resource-server.resource=https://api.example.test",
                        "gatehouse.resource-server.scopes-supported=documents read")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(GatehouseConfigurationException.class)
                        .hasMessageContaining("gatehouse.resource-server.scopes-supported"));
    }

    @Test
    void contextWhenResourceAndOtherAudiencesThenStartupFailsSayingWhich() {
        runner.withPropertyValues(
                        "gatehouse.resource-server.issuer-uri=https://login.example.test",
                        "gatehouse.resource-server.resource=https://api.example.test",
                        "gatehouse.resource-server.audiences=web-client")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(GatehouseConfigurationException.class)
                        .hasMessageContaining("gatehouse.resource-server.audiences")
                        .hasMessageContaining("RFC 8707"));
        runner.withPropertyValues(
                        "gatehouse.resource-server.issuer-uri=https://login.example.test",
                        "gatehouse.resource-server.resource=https://api.example.test",
                        "gatehouse.resource-server.audiences=https://api.example.test")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GatehouseProtectedResource.class));
    }

    @Test
    void decodeWhenResourceSetThenOnlyTokensWhoseAudienceContainsItAreAccepted() {
        issuerAndResourceServer
                .withPropertyValues(
                        "gatehouse.resource-server.issuer-uri=https://login.example.test",
                        "gatehouse.resource-server.resource=https://api.example.test/documents")
                .run(context -> {
                    TokenIssuer tokens = context.getBean(TokenIssuer.class);
                    JwtDecoder decoder = context.getBean(JwtDecoder.class);
                    String forResource = tokens.accessToken(AccessTokenRequest.builder("alice", "web")
                                    .audience("https://api.example.test/documents", "https://other.example.test")
                                    .build())
                            .value();
                    assertThat(decoder.decode(forResource).getSubject()).isEqualTo("alice");
                    // gatehouse.token.audience (api) was the default before; the resource identifier replaces it.
                    for (String other : List.of("api", "https://api.example.test", "https://api.example.test/doc")) {
                        String token = tokens.accessToken(AccessTokenRequest.builder("alice", "web")
                                        .audience(other)
                                        .build())
                                .value();
                        assertThatThrownBy(() -> decoder.decode(token))
                                .as(other)
                                .isInstanceOf(BadJwtException.class);
                    }
                });
    }

    @Test
    void contextWhenResourceUnsetThenNoProtectedResourceAndAudiencesAsBefore() {
        runner.withPropertyValues(
                        "gatehouse.resource-server.issuer-uri=https://login.example.test",
                        "gatehouse.resource-server.audiences=api")
                .run(context -> assertThat(context)
                        .hasSingleBean(JwtDecoder.class)
                        .doesNotHaveBean(GatehouseProtectedResource.class)
                        // Still there: challenges without resource_metadata and no metadata document (no Host URL).
                        .hasBean("gatehouseProtectedResourceCustomizer")
                        .hasSingleBean(ProtectedResourceChains.class));
    }

    @Test
    void protectedResourceWhenResourceAtRootOrOnLoopbackThenMetadataUrlOfRfc9728Section31() {
        runner.withPropertyValues(
                        "gatehouse.resource-server.issuer-uri=https://login.example.test",
                        "gatehouse.resource-server.resource=https://api.example.test/")
                .run(context -> {
                    GatehouseProtectedResource resource = context.getBean(GatehouseProtectedResource.class);
                    assertThat(resource.metadataUrl())
                            .isEqualTo("https://api.example.test/.well-known/oauth-protected-resource");
                });
        runner.withPropertyValues(
                        "gatehouse.resource-server.jwk-set-uri=http://127.0.0.1:9000/oauth2/jwks",
                        "gatehouse.resource-server.resource=http://localhost:8082/api/v1")
                .run(context -> {
                    GatehouseProtectedResource resource = context.getBean(GatehouseProtectedResource.class);
                    assertThat(resource.resource()).isEqualTo("http://localhost:8082/api/v1");
                    assertThat(resource.metadataUrl())
                            .isEqualTo("http://localhost:8082/.well-known/oauth-protected-resource/api/v1");
                });
    }

    @Test
    void authoritiesWhenClaimsPresentThenScopesRolesAndPermissionsMapped() {
        Jwt jwt = Jwt.withTokenValue("t")
                .header("alg", "RS256")
                .claims(c -> c.putAll(Map.of(
                        "sub",
                        "alice",
                        "scope",
                        "read write",
                        "roles",
                        List.of("admin"),
                        "permissions",
                        List.of("document:read"))))
                .build();

        assertThat(GatehouseResourceServerAutoConfiguration.ResourceServerConfiguration.authorities(jwt))
                .extracting(GrantedAuthority::getAuthority)
                .containsExactlyInAnyOrder("SCOPE_read", "SCOPE_write", "ROLE_admin", "document:read");
    }
}
