package dev.gatehouse.server.admin;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.gatehouse.core.policy.opa.OpaRestEngine;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.dynamicclients.DynamicRegistrationProperties;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.users.JdbcUserStore;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin API's wiring: its own stateless filter chain for {@code /admin/**} (an OAuth 2.0 resource server over the
 * server's own {@link JwtDecoder}, RFC 6750 Bearer only, no session, no CSRF since no cookie ever authenticates), the
 * policy, the audit interceptor, the strict JSON reader for request bodies and the OpenAPI description.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({AdminProperties.class, AdminOpaProperties.class})
class AdminConfiguration implements WebMvcConfigurer {

    /** Where the OpenAPI document is served (public: it holds no secrets); set in application.yml for springdoc. */
    static final String OPENAPI_PATH = "/admin/openapi.json";

    /** Name of the security scheme in the OpenAPI document. */
    static final String BEARER_SCHEME = "bearer";

    private final AuditLog audit;
    private final JsonMapper json;

    AdminConfiguration(AuditLog audit, JsonMapper json) {
        this.audit = audit;
        this.json = json;
    }

    @Bean
    AdminPolicy adminPolicy(io.micrometer.core.instrument.MeterRegistry meters, ObjectProvider<OpaRestEngine> opa) {
        return new AdminPolicy(meters, opa.getIfAvailable());
    }

    /** OPA beside the built-in roles, only when {@code gatehouse.server.admin.opa.url} is set. */
    @Bean
    @ConditionalOnProperty(name = "gatehouse.server.admin.opa.url")
    OpaRestEngine adminOpaEngine(AdminOpaProperties opa) {
        OpaRestEngine.Builder builder = OpaRestEngine.builder()
                .id("opa")
                .url(Objects.requireNonNull(opa.url(), "gatehouse.server.admin.opa.url"))
                .document(opa.document())
                .timeout(opa.timeout());
        if (opa.bearerToken() != null && !opa.bearerToken().isBlank()) {
            builder.bearerToken(opa.bearerToken());
        }
        return builder.build();
    }

    /**
     * The {@code opa} health component: OPA's own {@code /health}, within the engine's deadline, asked at most once
     * per {@code gatehouse.server.admin.opa.health-cache} (the overall status is public, so probes must not turn into a
     * stream of OPA calls).
     */
    @Bean
    @ConditionalOnBean(OpaRestEngine.class)
    HealthIndicator opaHealthIndicator(OpaRestEngine opa, AdminOpaProperties properties) {
        LoadingCache<Boolean, Boolean> probe =
                Caffeine.newBuilder().expireAfterWrite(properties.healthCache()).build(key -> opa.healthy());
        return () -> Boolean.TRUE.equals(probe.get(Boolean.TRUE))
                ? Health.up().build()
                : Health.down().build();
    }

    /**
     * Before the protocol chain (order 1) and the login chain (order 2); it only matches {@code /admin/**}, which
     * neither of them serves.
     */
    @Bean
    @Order(0)
    SecurityFilterChain adminChain(
            HttpSecurity http,
            JwtDecoder jwtDecoder,
            OAuth2AuthorizationService authorizations,
            JdbcUserStore users,
            AdminPolicy policy,
            AdminProperties properties,
            DynamicRegistrationProperties registration)
            throws Exception {
        refusePrivilegedRegistrationScopes(properties, registration);
        AdminSecurityResponses responses = new AdminSecurityResponses(audit, properties.scope());
        AdminTokenConverter converter = new AdminTokenConverter(authorizations, users, properties.scope());
        http.securityMatcher("/admin/**")
                .authorizeHttpRequests(authorize -> authorize
                        .requestMatchers(HttpMethod.GET, OPENAPI_PATH)
                        .permitAll()
                        .anyRequest()
                        .access(new AdminAuthorizationManager(policy)))
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .jwt(jwt -> jwt.decoder(jwtDecoder).jwtAuthenticationConverter(converter))
                        .authenticationEntryPoint(responses)
                        .accessDeniedHandler(responses))
                .exceptionHandling(exceptions ->
                        exceptions.authenticationEntryPoint(responses).accessDeniedHandler(responses))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                // Bearer tokens only: no cookie authenticates here, so there is nothing for CSRF to ride on.
                .csrf(csrf -> csrf.disable())
                .headers(headers -> headers.contentSecurityPolicy(
                        csp -> csp.policyDirectives("default-src 'none'; frame-ancestors 'none'")));
        return http.build();
    }

    /**
     * Fails closed at start-up when dynamic registration (RFC 7591) could hand out a scope that conveys admin powers:
     * the admin scope gives a client-credentials token {@code admin-client} ({@link AdminTokenConverter}), so a client
     * anyone may register must never be able to ask for it.
     *
     * @param admin the admin API's settings
     * @param registration the registration policy
     * @throws IllegalStateException if {@code gatehouse.server.registration.scopes} names a privileged scope
     */
    static void refusePrivilegedRegistrationScopes(AdminProperties admin, DynamicRegistrationProperties registration) {
        if (registration.scopes().contains(admin.scope())) {
            throw new IllegalStateException("gatehouse.server.registration.scopes must not contain '" + admin.scope()
                    + "' (gatehouse.server.admin.scope): a dynamically registered client would get admin powers");
        }
    }

    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
        builder.addCustomConverter(new StrictAdminJsonConverter(json));
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new AdminAuditInterceptor(audit)).addPathPatterns("/admin/**");
    }

    /**
     * The OpenAPI description. Its {@code servers} entry is the configured issuer ({@code gatehouse.token.issuer}); without
     * one, springdoc derives it from each request, as the issuer itself is then.
     */
    @Bean
    OpenAPI adminOpenApi(GatehouseProperties properties) {
        OpenAPI api = new OpenAPI();
        String issuer = properties.configuredIssuer();
        if (issuer != null) {
            api.addServersItem(new Server().url(issuer).description("This authorization server (its issuer)"));
        }
        return api.info(new Info()
                        .title("Gatehouse admin API")
                        .version("v1")
                        .description("Users, roles, sessions, clients and signing keys of the Gatehouse authorization"
                                + " server. Every call needs an access token of this server (Bearer, RFC 6750) with"
                                + " scope 'admin', of a user with role admin or of a client granted that scope."
                                + " Errors are RFC 9457 problem details."))
                .components(new Components()
                        .addSecuritySchemes(
                                BEARER_SCHEME,
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .bearerFormat("JWT")
                                        .description("An RFC 9068 access token of this server with scope 'admin'.")))
                .addSecurityItem(new SecurityRequirement().addList(BEARER_SCHEME));
    }
}
