package dev.gatehouse.spring.autoconfigure;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Stops start-up on a {@code gatehouse.*} property the starter does not know, naming the nearest valid one:
 * a misspelling such as {@code gatehouse.resource-server.audience} (for {@code audiences}) would otherwise be
 * ignored and leave a check off. Runs before any bean is created. Environment variables are not checked (a
 * {@code GATEHOUSE_*} variable may serve anything, such as a placeholder).
 *
 * <p>Also stops start-up when {@code gatehouse.resource-server.resource} is set without {@code issuer-uri} or {@code
 * jwk-set-uri}: the starter's resource server would then be off, and with it the audience rule and the metadata the
 * property asks for.
 */
@AutoConfiguration
public final class GatehousePropertyCheckAutoConfiguration {

    @Bean
    static GatehousePropertyNames gatehousePropertyNames() {
        return new GatehousePropertyNames();
    }

    @Bean
    static BeanFactoryPostProcessor gatehouseProtectedResourceCheck(Environment environment) {
        return beanFactory -> {
            if (isSet(environment, "gatehouse.resource-server.resource")
                    && !isSet(environment, "gatehouse.resource-server.issuer-uri")
                    && !isSet(environment, "gatehouse.resource-server.jwk-set-uri")) {
                throw new GatehouseConfigurationException(
                        "gatehouse.resource-server.resource is set but neither gatehouse.resource-server.issuer-uri"
                                + " nor jwk-set-uri is, so Gatehouse validates no token for it: no audience rule"
                                + " (RFC 8707) and no metadata (RFC 9728).",
                        "Set gatehouse.resource-server.issuer-uri to the authorization server that issues this"
                                + " resource's tokens, or remove gatehouse.resource-server.resource.",
                        null);
            }
        };
    }

    private static boolean isSet(Environment environment, String name) {
        String value = environment.getProperty(name);
        return value != null && !value.isBlank();
    }
}
