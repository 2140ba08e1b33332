package dev.gatehouse.server.transport;

import jakarta.servlet.http.HttpSessionListener;
import org.apache.catalina.Manager;
import org.apache.catalina.session.ManagerBase;
import org.apache.catalina.session.StandardManager;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Wires the transport limits: the bounded body read, the session limits (the error page,
 * {@link GatehouseErrorController}, is a scanned controller). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TransportProperties.class)
class TransportConfiguration {

    /** The largest body read into memory: that of the protocol request guard, far above any OAuth request. */
    static final long MAX_BODY_BYTES = 64 * 1024;

    /** First of all filters, so nothing reads a body at Tomcat's pace before it. */
    @Bean
    FilterRegistrationBean<BoundedRequestBodyFilter> boundedRequestBodyFilter(TransportProperties properties) {
        FilterRegistrationBean<BoundedRequestBodyFilter> registration = new FilterRegistrationBean<>(
                new BoundedRequestBodyFilter(MAX_BODY_BYTES, properties.requestBodyTimeout(), System::nanoTime));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    @Bean
    SessionLimits sessionLimits(TransportProperties properties) {
        return new SessionLimits(properties.anonymousSessionTimeout(), properties.maxAnonymousSessions());
    }

    @Bean
    HttpSessionListener anonymousSessionTimeout(SessionLimits limits) {
        return limits.sessionListener();
    }

    /**
     * Tomcat's {@code maxActiveSessions}: past the cap, creating a session fails (Tomcat's
     * {@code TooManyActiveSessionsException}, answered {@code 503} by the error page) instead of evicting anyone's.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> sessionCap(TransportProperties properties) {
        return factory -> factory.addContextCustomizers(context -> {
            Manager manager = context.getManager();
            if (manager == null) {
                manager = new StandardManager();
                context.setManager(manager);
            }
            if (!(manager instanceof ManagerBase base)) {
                throw new IllegalStateException(
                        "cannot cap sessions on " + manager.getClass().getName());
            }
            base.setMaxActiveSessions(properties.maxSessions());
        });
    }

    /** Lets the bounded body read close a connection without Tomcat swallowing the rest of a slow body. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> uploadAbortValve() {
        return factory -> factory.addContextValves(new UploadAbortValve());
    }
}
