package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.policy.CachingPolicyEngine;
import dev.gatehouse.core.policy.CombiningAlgorithm;
import dev.gatehouse.core.policy.CompositePolicyEngine;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.PolicyEngine;
import dev.gatehouse.core.policy.abac.AbacEngine;
import dev.gatehouse.core.policy.abac.AbacPolicy;
import dev.gatehouse.core.policy.opa.OpaRestEngine;
import dev.gatehouse.core.policy.opa.OpaWasmEngine;
import dev.gatehouse.core.policy.rbac.RbacEngine;
import dev.gatehouse.core.policy.rbac.RbacModel;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.security.core.Authentication;

/**
 * The policy decision point from {@code gatehouse.policy.*}: RBAC and ABAC files, an OPA server, an OPA Wasm
 * bundle, combined (deny-overrides by default) behind a bounded decision cache; and, with Spring Security,
 * the {@code authz} bean ({@link GatehouseAuthz}) for {@code @PreAuthorize} and HTTP rules. Active when at least
 * one engine is configured. Fails closed at start-up: an engine named without its source, an unreadable or
 * invalid policy file, or a bad OPA URL stop the application.
 */
@AutoConfiguration
@EnableConfigurationProperties(GatehouseProperties.class)
@ConditionalOnExpression("'${gatehouse.policy.engines:}' != '' or '${gatehouse.policy.rbac-file:}' != ''"
        + " or '${gatehouse.policy.abac-files:}' != '' or '${gatehouse.policy.opa-url:}' != ''"
        + " or '${gatehouse.policy.opa-wasm-bundle:}' != ''")
@Import({
    GatehousePolicyAutoConfiguration.EngineConfiguration.class,
    GatehousePolicyAutoConfiguration.AuthzConfiguration.class,
    GatehousePolicyAutoConfiguration.HealthConfiguration.class
})
public final class GatehousePolicyAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    static class EngineConfiguration {

        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean
        PolicyEngine gatehousePolicyEngine(GatehouseProperties properties) {
            GatehouseProperties.Policy p = properties.policy();
            try {
                Set<String> engines = engines(p);
                List<PolicyEngine> built = new ArrayList<>();
                for (String engine : engines) {
                    built.add(
                            switch (engine) {
                                case "rbac" ->
                                    RbacEngine.of(RbacModel.load(
                                            require(p.rbacFile(), "rbac", "gatehouse.policy.rbac-file")));
                                case "abac" -> abac(p.abacFiles());
                                case "opa-rest" ->
                                    opaRest(p, require(p.opaUrl(), "opa-rest", "gatehouse.policy.opa-url"));
                                case "opa-wasm" ->
                                    OpaWasmEngine.builder()
                                            .bundle(require(
                                                    p.opaWasmBundle(), "opa-wasm", "gatehouse.policy.opa-wasm-bundle"))
                                            .entrypoint(p.opaWasmEntrypoint())
                                            .build();
                                default ->
                                    throw new GatehouseConfigurationException(
                                            "gatehouse.policy.engines: unknown engine '" + engine
                                                    + "' (rbac, abac, opa-rest, opa-wasm)");
                            });
                }
                PolicyEngine engine =
                        built.size() == 1 ? built.get(0) : compose(built, CombiningAlgorithm.parse(p.combining()));
                if (p.cacheTtl().isZero()) {
                    return engine;
                }
                return CachingPolicyEngine.builder(engine)
                        .ttl(p.cacheTtl())
                        .maximumSize(p.cacheMaximumSize())
                        .build();
            } catch (GatehouseException | IllegalArgumentException e) {
                throw new GatehouseConfigurationException("gatehouse.policy is invalid: " + e.getMessage(), e);
            }
        }

        @Bean
        @ConditionalOnMissingBean
        PolicyDecisionPoint gatehousePolicyDecisionPoint(PolicyEngine engine) {
            return PolicyDecisionPoint.of(engine);
        }

        static OpaRestEngine opaRest(GatehouseProperties.Policy p, String url) {
            OpaRestEngine.Builder builder = OpaRestEngine.builder()
                    .url(URI.create(url))
                    .document(p.opaDocument())
                    .timeout(p.opaTimeout());
            if (p.opaBearerToken() != null && !p.opaBearerToken().isBlank()) {
                builder.bearerToken(p.opaBearerToken());
            }
            return builder.build();
        }

        private static PolicyEngine compose(List<PolicyEngine> engines, CombiningAlgorithm algorithm) {
            CompositePolicyEngine.Builder builder =
                    CompositePolicyEngine.builder().id("gatehouse").algorithm(algorithm);
            engines.forEach(builder::add);
            return builder.build();
        }

        private static PolicyEngine abac(List<Path> files) {
            if (files.isEmpty()) {
                throw new GatehouseConfigurationException(
                        "gatehouse.policy.engines names abac but gatehouse.policy.abac-files is empty");
            }
            AbacEngine.Builder builder = AbacEngine.builder().id("abac");
            for (Path file : files) {
                builder.policy(AbacPolicy.load(file));
            }
            return builder.build();
        }

        private static <T> T require(@Nullable T value, String engine, String property) {
            if (value == null || (value instanceof String s && s.isBlank())) {
                throw new GatehouseConfigurationException(
                        "gatehouse.policy.engines names " + engine + " but " + property + " is not set");
            }
            return value;
        }

        private static Set<String> engines(GatehouseProperties.Policy p) {
            Set<String> engines = new LinkedHashSet<>();
            if (!p.engines().isEmpty()) {
                p.engines().forEach(e -> engines.add(e.strip().toLowerCase(Locale.ROOT)));
                return engines;
            }
            if (p.rbacFile() != null) {
                engines.add("rbac");
            }
            if (!p.abacFiles().isEmpty()) {
                engines.add("abac");
            }
            if (p.opaUrl() != null && !p.opaUrl().isBlank()) {
                engines.add("opa-rest");
            }
            if (p.opaWasmBundle() != null) {
                engines.add("opa-wasm");
            }
            return engines;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            value = Authentication.class,
            name = "org.springframework.security.web.access.intercept.RequestAuthorizationContext")
    static class AuthzConfiguration {

        @Bean(name = "authz")
        @ConditionalOnMissingBean(GatehouseAuthz.class)
        GatehouseAuthz gatehouseAuthz(
                PolicyDecisionPoint pdp, org.springframework.beans.factory.ObjectProvider<Clock> clock) {
            return new GatehouseAuthz(pdp, clock.getIfAvailable(Clock::systemUTC));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthConfiguration {

        @Bean
        @ConditionalOnBean(PolicyEngine.class)
        @ConditionalOnMissingBean(name = "gatehouseOpaHealthIndicator")
        HealthIndicator gatehouseOpaHealthIndicator(GatehouseProperties properties) {
            String url = properties.policy().opaUrl();
            if (url == null || url.isBlank()) {
                return () ->
                        Health.unknown().withDetail("opa", "not configured").build();
            }
            OpaRestEngine probe = OpaRestEngine.builder()
                    .url(URI.create(url))
                    .document(properties.policy().opaDocument())
                    .timeout(properties.policy().opaTimeout())
                    .bearerToken(
                            properties.policy().opaBearerToken() == null
                                    ? ""
                                    : properties.policy().opaBearerToken())
                    .build();
            return () -> probe.healthy()
                    ? Health.up().withDetail("opa", url).build()
                    : Health.down().withDetail("opa", url).build();
        }
    }
}
