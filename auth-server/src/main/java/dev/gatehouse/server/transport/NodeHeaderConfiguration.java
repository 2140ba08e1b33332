package dev.gatehouse.server.transport;

import dev.gatehouse.server.settings.GatehouseProperties;
import jakarta.servlet.DispatcherType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** The optional {@link NodeHeaderFilter}, registered only when {@code gatehouse.server.node-header=true}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("gatehouse.server.node-header")
class NodeHeaderConfiguration {

    /** First of all filters (with the other first ones), so every response of the node carries the header. */
    @Bean
    FilterRegistrationBean<NodeHeaderFilter> nodeHeaderFilter(GatehouseProperties properties) {
        String configured = properties.server().nodeName();
        String name = configured == null || configured.isBlank() ? hostName() : configured.strip();
        FilterRegistrationBean<NodeHeaderFilter> registration =
                new FilterRegistrationBean<>(new NodeHeaderFilter(name));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ERROR, DispatcherType.ASYNC);
        return registration;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "unknown" : env;
        }
    }
}
