package dev.gatehouse.server.ratelimit;

import dev.gatehouse.server.audit.AuditLog;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.web.cors.CorsConfigurationSource;

/**
 * Rate limits ({@link RateLimitProperties}, {@code gatehouse.server.rate-limit.*}): the bucket store chosen for the
 * database, the limiter, and the servlet filter ordered right after {@code ProtocolRequestGuard}
 * ({@link Ordered#HIGHEST_PRECEDENCE}) and so before Spring Security. Nothing is created when
 * {@code gatehouse.server.rate-limit.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RateLimitProperties.class)
@ConditionalOnBooleanProperty(name = "gatehouse.server.rate-limit.enabled", matchIfMissing = true)
class RateLimitConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RateLimitConfiguration.class);

    /** Right after {@code ProtocolRequestGuard}, before Spring Security's filter chain (order -100). */
    static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 1;

    /**
     * The buckets' clock: a wall clock, since PostgreSQL buckets are shared by nodes. Tests replace it with a
     * {@code @Primary} one they can move forward.
     */
    @Bean
    TimeMeter rateLimitTimeMeter() {
        return TimeMeter.SYSTEM_MILLISECONDS;
    }

    @Bean
    BucketStore rateLimitBucketStore(RateLimitProperties properties, DataSource dataSource, TimeMeter time) {
        boolean postgres = isPostgres(dataSource);
        RateLimitProperties.Store store = properties.store();
        if (store == RateLimitProperties.Store.DATABASE && !postgres) {
            throw new IllegalStateException(
                    "gatehouse.server.rate-limit.store=database needs PostgreSQL (Bucket4j has no"
                            + " H2 backend); use 'auto' or 'local' with the embedded database");
        }
        if (postgres && store != RateLimitProperties.Store.LOCAL) {
            LOG.info("rate limits: buckets in PostgreSQL, shared by all nodes");
            return new PostgresBucketStore(dataSource, time, properties.databaseTimeout(), properties.localMaxKeys());
        }
        LOG.info("rate limits: buckets in memory on this node");
        return new LocalBucketStore(time, properties.localMaxKeys());
    }

    @Bean
    RateLimiter rateLimiter(BucketStore store, RateLimitProperties properties) {
        return new RateLimiter(store, properties);
    }

    @Bean
    FilterRegistrationBean<RateLimitFilter> rateLimitFilter(
            RateLimiter limiter,
            AuditLog audit,
            TimeMeter time,
            RateLimitProperties properties,
            RegisteredClientRepository clients,
            // The protocol endpoints' CORS (the wiring's bean), for refusals sent before Spring Security's CorsFilter.
            @Qualifier("protocolCors") CorsConfigurationSource cors,
            ObjectProvider<MeterRegistry> meters) {
        FilterRegistrationBean<RateLimitFilter> registration = new FilterRegistrationBean<>(new RateLimitFilter(
                limiter,
                audit,
                time,
                properties.localMaxKeys(),
                id -> clients.findByClientId(id) != null,
                cors,
                meters.getIfAvailable(SimpleMeterRegistry::new)));
        registration.setOrder(FILTER_ORDER);
        return registration;
    }

    @Bean
    ExpiredBucketCleaner expiredBucketCleaner(BucketStore store) {
        return new ExpiredBucketCleaner(store);
    }

    private static boolean isPostgres(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which database the rate limits would use", e);
        }
    }

    /** Deletes PostgreSQL bucket rows that have been full for a while (a no-op for in-memory buckets). */
    static final class ExpiredBucketCleaner {

        private static final int BATCH = 1000;
        private static final int MAX_BATCHES = 100;

        private final BucketStore store;

        ExpiredBucketCleaner(BucketStore store) {
            this.store = store;
        }

        @Scheduled(fixedDelayString = "PT1M", initialDelayString = "PT1M")
        void removeExpired() {
            if (!(store instanceof PostgresBucketStore postgres)) {
                return;
            }
            for (int i = 0; i < MAX_BATCHES; i++) {
                if (postgres.removeExpired(BATCH) < BATCH) {
                    return;
                }
            }
        }
    }
}
