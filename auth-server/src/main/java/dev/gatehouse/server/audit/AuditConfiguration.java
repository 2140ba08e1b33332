package dev.gatehouse.server.audit;

import dev.gatehouse.server.secrets.ServerSecrets;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.AuthenticationEventPublisher;
import org.springframework.security.authentication.DefaultAuthenticationEventPublisher;
import org.springframework.security.authentication.event.AuthenticationFailureBadCredentialsEvent;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The audit trail's beans: the hash chain (its HMAC key a server secret), the correlation-id filter, Spring
 * Security's authentication events and the listener that audits them, and retention. The {@link AuditLog} bean
 * itself ({@link JdbcAuditLog}) is defined in {@code ServerConfiguration.auditLog()}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuditProperties.class)
class AuditConfiguration {

    /** Name of the audit chain's HMAC key in {@code gh_server_secret}. */
    static final String AUDIT_CHAIN_HMAC_KEY = "audit-chain-hmac-sha256";

    @Bean
    AuditChain auditChain(JdbcTemplate jdbc, TransactionTemplate tx, ServerSecrets secrets) {
        return new AuditChain(jdbc, tx, secrets.getOrCreate(AUDIT_CHAIN_HMAC_KEY, 32));
    }

    /** First of all filters, so every response (refusals by the protocol guard included) carries the id. */
    @Bean
    FilterRegistrationBean<CorrelationIdFilter> correlationIdFilter() {
        FilterRegistrationBean<CorrelationIdFilter> registration =
                new FilterRegistrationBean<>(new CorrelationIdFilter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /**
     * Spring Boot's publisher would do for the sign-in form, but it publishes nothing for exceptions it has no
     * mapping for, such as Spring Authorization Server's {@code OAuth2AuthenticationException}: a default event makes
     * refused token requests and client authentications visible to the listener.
     */
    @Bean
    AuthenticationEventPublisher auditingAuthenticationEventPublisher(ApplicationEventPublisher events) {
        DefaultAuthenticationEventPublisher publisher = new DefaultAuthenticationEventPublisher(events);
        publisher.setDefaultAuthenticationFailureEvent(AuthenticationFailureBadCredentialsEvent.class);
        return publisher;
    }

    @Bean
    SecurityAuditListener securityAuditListener(AuditLog audit) {
        return new SecurityAuditListener(audit);
    }

    @Bean
    AuditRetention auditRetention(AuditChain chain, AuditLog audit, Clock clock, AuditProperties properties) {
        return new AuditRetention(chain, audit, clock, properties.retention());
    }

    /**
     * Audit events to the {@code gatehouse.audit} log at once and, through a bounded queue and one writer thread, to
     * the hash-chained {@code gh_audit_event} table. Closed (queue drained) when the context closes, before the data
     * source.
     */
    @Bean
    JdbcAuditLog auditLog(AuditChain chain, AuditProperties audit, Clock clock, MeterRegistry registry) {
        return JdbcAuditLog.builder()
                .chain(chain)
                .properties(audit)
                .clock(clock)
                .meterRegistry(registry)
                .build();
    }
}
