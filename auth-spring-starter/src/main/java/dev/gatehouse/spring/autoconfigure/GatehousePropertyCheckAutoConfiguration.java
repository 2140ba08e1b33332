package dev.gatehouse.spring.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Stops start-up on a {@code gatehouse.*} property the starter does not know, naming the nearest valid one:
 * a misspelling such as {@code gatehouse.resource-server.audience} (for {@code audiences}) would otherwise be
 * ignored and leave a check off. Runs before any bean is created. Environment variables are not checked (a
 * {@code GATEHOUSE_*} variable may serve anything, such as a placeholder).
 */
@AutoConfiguration
public final class GatehousePropertyCheckAutoConfiguration {

    @Bean
    static GatehousePropertyNames gatehousePropertyNames() {
        return new GatehousePropertyNames();
    }
}
