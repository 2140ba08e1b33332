package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.jwt.JsonClaims;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.RemoteJwks;
import dev.gatehouse.core.jwt.TokenVerifier;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;

/**
 * Resource-server token validation when {@code gatehouse.resource-server.issuer-uri} or {@code jwk-set-uri} is
 * set: a {@link JwtDecoder} backed by Gatehouse's verifier (RFC 9068 {@code at+jwt} required by default,
 * issuer and audiences checked, keys from the issuer's JWKS with rate-limited refresh) and a {@link
 * JwtAuthenticationConverter} mapping {@code scope} to {@code SCOPE_x}, {@code roles} to {@code ROLE_x} and
 * {@code permissions} to themselves. Runs before Spring Boot's own resource-server auto-configuration, which
 * then backs off.
 */
@AutoConfiguration(
        beforeName =
                "org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration")
@EnableConfigurationProperties(GatehouseProperties.class)
@ConditionalOnClass({JwtDecoder.class, JwtAuthenticationConverter.class})
@ConditionalOnExpression(
        "'${gatehouse.resource-server.issuer-uri:}' != '' or '${gatehouse.resource-server.jwk-set-uri:}' != ''")
@Import(GatehouseResourceServerAutoConfiguration.ResourceServerConfiguration.class)
public final class GatehouseResourceServerAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    static class ResourceServerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        JwtDecoder gatehouseJwtDecoder(GatehouseProperties properties) {
            GatehouseProperties.ResourceServer rs = properties.resourceServer();
            List<JwsAlgorithm> algorithms = new ArrayList<>();
            try {
                for (String a : rs.algorithms()) {
                    algorithms.add(JwsAlgorithm.parse(a));
                }
                // Validate eagerly what can be validated without the network.
                if (rs.jwkSetUri() != null && !rs.jwkSetUri().isBlank()) {
                    RemoteJwks.builder(URI.create(rs.jwkSetUri()));
                }
                TokenVerifier.builder().clockSkew(rs.clockSkew());
            } catch (GatehouseException | IllegalArgumentException e) {
                throw new GatehouseConfigurationException("gatehouse.resource-server is invalid: " + e.getMessage(), e);
            }
            return new GatehouseJwtDecoder(() -> verifier(rs, algorithms));
        }

        @Bean
        @ConditionalOnMissingBean
        JwtAuthenticationConverter gatehouseJwtAuthenticationConverter() {
            JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
            converter.setJwtGrantedAuthoritiesConverter(ResourceServerConfiguration::authorities);
            return converter;
        }

        static Collection<GrantedAuthority> authorities(Jwt jwt) {
            List<GrantedAuthority> out = new ArrayList<>();
            Object scope = jwt.getClaims().get("scope");
            if (scope instanceof String s && !s.isBlank()) {
                for (String value : s.trim().split("\\s+")) {
                    out.add(new SimpleGrantedAuthority("SCOPE_" + value));
                }
            }
            if (jwt.getClaims().get("roles") instanceof Collection<?> roles) {
                roles.forEach(r -> out.add(new SimpleGrantedAuthority("ROLE_" + r)));
            }
            if (jwt.getClaims().get("permissions") instanceof Collection<?> permissions) {
                permissions.forEach(p -> out.add(new SimpleGrantedAuthority(String.valueOf(p))));
            }
            return out;
        }

        private static TokenVerifier verifier(GatehouseProperties.ResourceServer rs, List<JwsAlgorithm> algorithms) {
            String jwks = rs.jwkSetUri();
            if (jwks == null || jwks.isBlank()) {
                jwks = discoverJwksUri(rs.issuerUri());
            }
            TokenVerifier.Builder builder = TokenVerifier.builder()
                    .remoteJwks(RemoteJwks.builder(URI.create(jwks)).build())
                    .clockSkew(rs.clockSkew());
            if (rs.issuerUri() != null && !rs.issuerUri().isBlank()) {
                builder.issuer(rs.issuerUri());
            }
            if (!rs.audiences().isEmpty()) {
                builder.audience(rs.audiences().toArray(String[]::new));
            }
            if (!algorithms.isEmpty()) {
                builder.algorithms(algorithms.toArray(JwsAlgorithm[]::new));
            }
            if (rs.requireAccessTokenType()) {
                builder.type("at+jwt");
            }
            return builder.build();
        }

        /** OpenID Connect Discovery 1.0 §4: {@code jwks_uri} from {@code <issuer>/.well-known/openid-configuration}. */
        private static String discoverJwksUri(String issuer) {
            URI metadata = URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
            RemoteJwks.builder(metadata); // same https-only rule as the JWKS itself
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(metadata)
                                .timeout(Duration.ofSeconds(5))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200 || response.body().length() > 256 * 1024) {
                    throw new IllegalStateException("issuer metadata answered HTTP " + response.statusCode());
                }
                Map<String, Object> json = JsonClaims.parse(response.body());
                if (!issuer.equals(json.get("issuer")) || !(json.get("jwks_uri") instanceof String uri)) {
                    // OIDC Discovery §4.3: the issuer in the metadata must equal the configured one.
                    throw new IllegalStateException(
                            "issuer metadata does not match gatehouse.resource-server.issuer-uri");
                }
                return uri;
            } catch (IOException e) {
                throw new IllegalStateException("cannot fetch issuer metadata from " + metadata, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while fetching issuer metadata", e);
            }
        }
    }
}
