package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.jwt.JsonClaims;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.RemoteJwks;
import dev.gatehouse.core.jwt.TokenVerifier;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.lang.Contract;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
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
 *
 * <p>An app that issues and accepts its own tokens sets {@code gatehouse.resource-server.issuer-uri} to its
 * {@code gatehouse.token.issuer}: tokens are then verified from its own {@link KeyRing}, in-process, with no
 * metadata or JWKS fetched (HS256/HS512 included, whose secrets no JWKS publishes).
 *
 * <p>With {@code gatehouse.resource-server.resource} set, the app is an RFC 9728 protected resource ({@link
 * GatehouseProtectedResource}): it serves its metadata, names it in its challenges, and accepts only tokens whose
 * {@code aud} contains that identifier (RFC 8707 §2).
 *
 * <p>Needs Spring Security's resource server ({@code spring-boot-starter-security-oauth2-resource-server}).
 * Without it this auto-configuration backs off, names the missing dependency in a warning, and no class of
 * that library is touched; the conditions name the classes as strings so nothing here loads them.
 */
@AutoConfiguration(
        after = GatehouseTokenAutoConfiguration.class,
        beforeName =
                "org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration")
@EnableConfigurationProperties(GatehouseProperties.class)
@ConditionalOnExpression(
        "'${gatehouse.resource-server.issuer-uri:}' != '' or '${gatehouse.resource-server.jwk-set-uri:}' != ''")
@Import({
    GatehouseResourceServerAutoConfiguration.ResourceServerConfiguration.class,
    GatehouseResourceServerAutoConfiguration.ProtectedResourceConfiguration.class,
    GatehouseResourceServerAutoConfiguration.ChainsConfiguration.class,
    GatehouseResourceServerAutoConfiguration.MissingLibraryConfiguration.class
})
public final class GatehouseResourceServerAutoConfiguration {

    /** Spring Security's JOSE support: {@code JwtDecoder}. */
    static final String JWT_DECODER = "org.springframework.security.oauth2.jwt.JwtDecoder";

    /** Spring Security's resource server: the converter here and the filter {@code oauth2ResourceServer()} adds. */
    static final String JWT_AUTHENTICATION_CONVERTER =
            "org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter";

    /** What {@code http.oauth2ResourceServer(...)} instantiates first; missing, it fails with NoClassDefFoundError. */
    static final String BEARER_TOKEN_ACCESS_DENIED_HANDLER =
            "org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler";

    /** The value of {@code gatehouse.resource-server.audiences} that knowingly accepts any audience. */
    static final String ANY_AUDIENCE = "*";

    /** Spring Security's configuration DSL, where {@code oauth2ResourceServer(...)} is. */
    static final String HTTP_SECURITY = "org.springframework.security.config.annotation.web.builders.HttpSecurity";

    /** The dependency that brings all three. */
    static final String RESOURCE_SERVER_STARTER =
            "org.springframework.boot:spring-boot-starter-security-oauth2-resource-server";

    /**
     * Backs off with a warning when {@code gatehouse.resource-server.*} is set but the libraries are missing:
     * bearer tokens are then not accepted at all (nothing authenticates them), which fails closed.
     */
    @Configuration(proxyBeanMethods = false)
    @Conditional(ResourceServerLibrariesMissing.class)
    static class MissingLibraryConfiguration {

        private static final Logger log = LoggerFactory.getLogger(GatehouseResourceServerAutoConfiguration.class);

        MissingLibraryConfiguration() {
            log.warn(
                    "gatehouse.resource-server is set but Spring Security's resource server is not on the classpath, "
                            + "so Gatehouse validates no bearer token; add {}",
                    RESOURCE_SERVER_STARTER);
        }
    }

    static final class ResourceServerLibrariesMissing extends NoneNestedConditions {

        ResourceServerLibrariesMissing() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnClass(name = {JWT_DECODER, JWT_AUTHENTICATION_CONVERTER, BEARER_TOKEN_ACCESS_DENIED_HANDLER})
        static final class LibrariesPresent {}
    }

    /**
     * RFC 9728 when {@code gatehouse.resource-server.resource} is set: the resource, validated at start-up, and a
     * {@code Customizer<HttpSecurity>} that Spring Security applies to every {@code HttpSecurity} it hands out.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {JWT_DECODER, JWT_AUTHENTICATION_CONVERTER, BEARER_TOKEN_ACCESS_DENIED_HANDLER, HTTP_SECURITY})
    @ConditionalOnExpression("'${gatehouse.resource-server.resource:}'.trim() != ''")
    static class ProtectedResourceConfiguration {

        @Bean
        @ConditionalOnMissingBean
        GatehouseProtectedResource gatehouseProtectedResource(GatehouseProperties properties) {
            GatehouseProperties.ResourceServer rs = properties.resourceServer();
            String resource = Objects.requireNonNull(ResourceServerConfiguration.resource(properties));
            List<String> authorizationServers = new ArrayList<>();
            for (String server : nonBlank(rs.authorizationServers())) {
                authorizationServers.add(absoluteUrl("authorization-servers", server, false));
            }
            if (authorizationServers.isEmpty() && !isBlank(rs.issuerUri())) {
                // RFC 8414 §2: an issuer identifier is an https URL; the metadata names it as configured.
                authorizationServers.add(absoluteUrl("issuer-uri", rs.issuerUri(), true));
            }
            for (String scope : nonBlank(rs.scopesSupported())) {
                // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
                if (!scope.matches("[\\x21\\x23-\\x5B\\x5D-\\x7E]+")) {
                    throw new GatehouseConfigurationException(
                            "gatehouse.resource-server.scopes-supported has a value that is not a scope (RFC 6749"
                                    + " §3.3): one scope per entry, printable ASCII without spaces, quotes or"
                                    + " backslashes.",
                            "List the scope names, e.g. documents.read,documents.write.",
                            null);
                }
            }
            String documentation = isBlank(rs.resourceDocumentation())
                    ? null
                    : absoluteUrl("resource-documentation", rs.resourceDocumentation(), false);
            return new GatehouseProtectedResource(
                    resource,
                    authorizationServers,
                    nonBlank(rs.scopesSupported()),
                    isBlank(rs.resourceName()) ? null : rs.resourceName().strip(),
                    documentation);
        }

        @Bean
        @ConditionalOnMissingBean(name = "gatehouseProtectedResourceCustomizer")
        Customizer<HttpSecurity> gatehouseProtectedResourceCustomizer(
                GatehouseProtectedResource resource, ProtectedResourceChains chains) {
            return http -> http.with(new GatehouseProtectedResource.ChainConfigurer(resource, chains));
        }
    }

    /**
     * The chains' metadata filters, narrowed or removed once built ({@link ProtectedResourceChains}), and without
     * {@code gatehouse.resource-server.resource}, challenges without {@code resource_metadata}: no URL built from the
     * request's {@code Host}, no document (RFC 9728 is then off).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {JWT_DECODER, JWT_AUTHENTICATION_CONVERTER, BEARER_TOKEN_ACCESS_DENIED_HANDLER, HTTP_SECURITY})
    static class ChainsConfiguration {

        @Bean
        static ProtectedResourceChains gatehouseProtectedResourceChains(
                ObjectProvider<GatehouseProtectedResource> resource) {
            return new ProtectedResourceChains(resource);
        }

        @Bean
        @ConditionalOnExpression("'${gatehouse.resource-server.resource:}'.trim() == ''")
        @ConditionalOnMissingBean(name = "gatehouseProtectedResourceCustomizer")
        Customizer<HttpSecurity> gatehouseProtectedResourceCustomizer(ProtectedResourceChains chains) {
            return http -> http.with(new GatehouseProtectedResource.ChainConfigurer(null, chains));
        }
    }

    private static List<String> nonBlank(List<String> values) {
        return values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
    }

    @Contract("null -> true")
    private static boolean isBlank(@Nullable String value) {
        return value == null || value.isBlank();
    }

    /**
     * An absolute https URL (http only on a loopback host), as RFC 9728 §2 and §1.2 ask of the resource identifier
     * and the URLs in its metadata.
     *
     * @param property the property's name under {@code gatehouse.resource-server.}
     * @param identifier whether it is the resource identifier, which has no query either (RFC 9728 §1.2)
     */
    static String absoluteUrl(String property, String value, boolean identifier) {
        String name = "gatehouse.resource-server." + property;
        String v = value.strip();
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            throw new GatehouseConfigurationException(
                    name + " is not a URI (" + e.getReason() + ").", "Set an absolute https URL.", null);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        boolean loopback = host != null
                && (host.equalsIgnoreCase("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
        if (!uri.isAbsolute() || host == null || uri.getRawUserInfo() != null) {
            throw new GatehouseConfigurationException(
                    name + " must be an absolute URL with a host and no user info.",
                    "Set e.g. https://api.example.com/documents.",
                    null);
        }
        if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) {
            throw new GatehouseConfigurationException(
                    name + " must use https (http only on localhost, 127.0.0.1 or [::1]); RFC 9728 §2.",
                    "Set an https URL.",
                    null);
        }
        if (uri.getRawFragment() != null || (identifier && uri.getRawQuery() != null)) {
            throw new GatehouseConfigurationException(
                    name + " must have no " + (identifier ? "query or " : "") + "fragment (RFC 9728 §1.2).",
                    "Remove the part after '?' or '#'.",
                    null);
        }
        return v;
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {JWT_DECODER, JWT_AUTHENTICATION_CONVERTER, BEARER_TOKEN_ACCESS_DENIED_HANDLER})
    static class ResourceServerConfiguration {

        private static final Logger log = LoggerFactory.getLogger(GatehouseResourceServerAutoConfiguration.class);

        @Bean
        @ConditionalOnMissingBean
        JwtDecoder gatehouseJwtDecoder(GatehouseProperties properties, ObjectProvider<KeyRing> keyRing) {
            GatehouseProperties.ResourceServer rs = properties.resourceServer();
            refuseOwnSymmetricTokens(properties);
            KeyRing ownKeys = acceptsOwnTokens(properties) ? keyRing.getIfAvailable() : null;
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
            List<String> audiences = audiences(properties);
            if (ownKeys != null) {
                // The app's own issuer: its key ring holds every key that signed, so no metadata, no JWKS, no network.
                if (!isBlank(rs.jwkSetUri())) {
                    log.info("gatehouse.resource-server.issuer-uri is this app's own issuer: tokens are verified from"
                            + " its key ring and gatehouse.resource-server.jwk-set-uri is not used");
                }
                List<JwsAlgorithm> own = algorithms.isEmpty() ? ownAlgorithms(ownKeys) : algorithms;
                return new GatehouseJwtDecoder(() -> verifier(rs, audiences, own, b -> b.keys(ownKeys)));
            }
            return new GatehouseJwtDecoder(
                    () -> verifier(rs, audiences, algorithms, b -> b.remoteJwks(remoteJwks(rs))));
        }

        /**
         * The app's own HS256/HS512 tokens cannot be verified from a JWKS (secrets are never published), so a
         * resource server that would accept them refuses every one of them; refused here, at start-up.
         */
        static void refuseOwnSymmetricTokens(GatehouseProperties properties) {
            String own = properties.token().issuer();
            if (isBlank(own)) {
                return;
            }
            String accepted = properties.resourceServer().issuerUri();
            if (!isBlank(accepted)) {
                // Its own issuer: verified from the key ring, secrets included. Another issuer: the app's own
                // tokens are not meant for this resource server.
                return;
            }
            JwsAlgorithm algorithm = GatehouseTokenAutoConfiguration.TokenConfiguration.algorithm(
                    properties.token().algorithm());
            if (!algorithm.symmetric()) {
                return;
            }
            throw new GatehouseConfigurationException(
                    "gatehouse.token.algorithm=" + algorithm.joseName() + " signs this app's tokens with a secret"
                            + " that no JWKS publishes, so the resource server (gatehouse.resource-server.*) would"
                            + " refuse every one of them (token.algorithm_not_allowed).",
                    "Set gatehouse.resource-server.issuer-uri to gatehouse.token.issuer (" + own + ") so the app"
                            + " verifies its own tokens from its key ring, in-process; or use an asymmetric algorithm,"
                            + " gatehouse.token.algorithm=RS256 (the default), ES256 or EdDSA.",
                    null);
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

        /**
         * The resource identifier, {@code gatehouse.resource-server.resource}, validated; {@code null} when unset.
         */
        static @Nullable String resource(GatehouseProperties properties) {
            String resource = properties.resourceServer().resource();
            return isBlank(resource) ? null : absoluteUrl("resource", resource, true);
        }

        /**
         * Whether the resource server accepts this app's own issuer ({@code gatehouse.resource-server.issuer-uri}
         * equal to {@code gatehouse.token.issuer}), whose tokens are then verified from the key ring in-process.
         */
        static boolean acceptsOwnTokens(GatehouseProperties properties) {
            String own = properties.token().issuer();
            return !isBlank(own) && own.equals(properties.resourceServer().issuerUri());
        }

        /** The default asymmetric algorithms plus the ring's own (an HMAC one is accepted only in-process). */
        private static List<JwsAlgorithm> ownAlgorithms(KeyRing ring) {
            Set<JwsAlgorithm> own = new LinkedHashSet<>(List.of(
                    JwsAlgorithm.RS256,
                    JwsAlgorithm.PS256,
                    JwsAlgorithm.ES256,
                    JwsAlgorithm.ES384,
                    JwsAlgorithm.EdDSA));
            own.add(ring.algorithm());
            ring.keys().forEach(k -> own.add(k.algorithm()));
            return List.copyOf(own);
        }

        private static RemoteJwks remoteJwks(GatehouseProperties.ResourceServer rs) {
            String jwks = rs.jwkSetUri();
            if (jwks == null || jwks.isBlank()) {
                // This configuration is active only with issuer-uri or jwk-set-uri set.
                jwks = discoverJwksUri(Objects.requireNonNull(rs.issuerUri(), "issuerUri must not be null"));
            }
            return RemoteJwks.builder(URI.create(jwks)).build();
        }

        /**
         * The accepted audiences: {@code gatehouse.resource-server.audiences}, else the app's own {@code
         * gatehouse.token.audience}; none at all fails start-up (dev mode warns), since a resource server
         * accepting any audience takes tokens the issuer minted for other APIs (RFC 9068 §4, RFC 8725 §3.9).
         *
         * @return the audiences, empty for any ({@code *})
         */
        static List<String> audiences(GatehouseProperties properties) {
            String resource = resource(properties);
            if (resource != null) {
                // RFC 8707 §2, RFC 9068 §4: a token for this resource names it in aud; one minted for another API
                // (or for the client itself) is refused, whatever else the configuration says.
                List<String> audiences = nonBlank(properties.resourceServer().audiences());
                if (!audiences.isEmpty() && !audiences.equals(List.of(resource))) {
                    throw new GatehouseConfigurationException(
                            "gatehouse.resource-server.audiences is set beside gatehouse.resource-server.resource,"
                                    + " whose identifier is then the one audience accepted (RFC 8707 §2): a token"
                                    + " is accepted only if its aud contains " + resource + ".",
                            "Remove gatehouse.resource-server.audiences, or remove resource to keep accepting the"
                                    + " listed audiences.",
                            null);
                }
                return List.of(resource);
            }
            List<String> configured = properties.resourceServer().audiences().stream()
                    .map(String::strip)
                    .filter(a -> !a.isEmpty())
                    .toList();
            if (configured.contains(ANY_AUDIENCE)) {
                if (configured.size() > 1) {
                    throw new GatehouseConfigurationException(
                            "gatehouse.resource-server.audiences mixes '*' (any audience) with named audiences.",
                            "Keep either the named audiences (recommended) or '*' alone.",
                            null);
                }
                log.warn("gatehouse.resource-server.audiences=*: tokens minted for any audience are accepted, "
                        + "including those the issuer meant for other APIs");
                return List.of();
            }
            if (!configured.isEmpty()) {
                return configured;
            }
            String own = properties.token().audience();
            if (!isBlank(own)) {
                return List.of(own.strip());
            }
            if (properties.devMode()) {
                log.warn("gatehouse.resource-server.audiences is not set: ACCEPTING TOKENS FOR ANY AUDIENCE because "
                        + "gatehouse.dev-mode=true; outside dev mode the application does not start like this");
                return List.of();
            }
            throw new GatehouseConfigurationException(
                    "gatehouse.resource-server.audiences is not set, so this resource server would accept tokens"
                            + " the issuer minted for any other API (the aud claim would go unchecked).",
                    "Set gatehouse.resource-server.audiences to the aud value(s) this API's tokens carry (for a"
                            + " Spring Authorization Server, the client id or the resource indicator), or"
                            + " gatehouse.token.audience when the app issues its own tokens. '*' accepts any"
                            + " audience, knowingly.",
                    null);
        }

        private static TokenVerifier verifier(
                GatehouseProperties.ResourceServer rs,
                List<String> audiences,
                List<JwsAlgorithm> algorithms,
                UnaryOperator<TokenVerifier.Builder> keys) {
            TokenVerifier.Builder builder = keys.apply(TokenVerifier.builder()).clockSkew(rs.clockSkew());
            if (rs.issuerUri() != null && !rs.issuerUri().isBlank()) {
                builder.issuer(rs.issuerUri());
            }
            if (!audiences.isEmpty()) {
                builder.audience(audiences.toArray(String[]::new));
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
