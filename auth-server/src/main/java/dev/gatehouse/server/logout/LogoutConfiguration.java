package dev.gatehouse.server.logout;

import dev.gatehouse.server.audit.AuditLog;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The logout package wires itself: the sid, the relying-party sessions, the outbox and its worker. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(BackchannelLogoutProperties.class)
class LogoutConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LogoutConfiguration.class);

    /**
     * Spring Authorization Server's own session tracking, switched off: without a registry bean it keeps an in-memory
     * one per node (never emptied: Spring Session JDBC publishes no session events) and puts a hash of the servlet
     * session id in ID tokens, which changes at each factor and is unknown to the other nodes. Gatehouse's {@link
     * SessionIds sid} replaces it.
     */
    @Bean
    SessionRegistry sessionRegistry() {
        return new NoSessionRegistry();
    }

    @Bean
    BackchannelLogout backchannelLogout(
            JdbcTemplate jdbc,
            RegisteredClientRepository clients,
            Clock clock,
            AuditLog audit,
            PlatformTransactionManager transactions) {
        return new BackchannelLogout(jdbc, clients, clock, audit, transactions);
    }

    @Bean(destroyMethod = "close")
    LogoutDeliveries logoutDeliveries(
            JdbcTemplate jdbc,
            TransactionTemplate tx,
            RegisteredClientRepository clients,
            JwtEncoder encoder,
            AuditLog audit,
            Clock clock,
            BackchannelLogoutProperties properties) {
        return new LogoutDeliveries(jdbc, tx, clients, new LogoutTokens(encoder, clock), audit, clock, properties);
    }

    @Bean
    DeliveryJob logoutDeliveryJob(LogoutDeliveries deliveries, BackchannelLogoutProperties properties) {
        return new DeliveryJob(deliveries, properties.poll());
    }

    /**
     * The schedule: every node polls the outbox on a thread of its own, never on Spring's shared scheduler (whose one
     * thread also runs the anonymous-session cap and key rotation: a slow relying party must not delay them, review
     * finding 5); the purge runs with the other expired state.
     */
    static final class DeliveryJob implements SmartLifecycle {

        private final LogoutDeliveries deliveries;
        private final Duration poll;
        private @Nullable ScheduledExecutorService worker;

        DeliveryJob(LogoutDeliveries deliveries, Duration poll) {
            this.deliveries = deliveries;
            this.poll = poll;
        }

        @Override
        public synchronized void start() {
            if (worker != null) {
                return;
            }
            ScheduledExecutorService w = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gatehouse-backchannel-poll");
                t.setDaemon(true);
                return t;
            });
            w.scheduleWithFixedDelay(this::poll, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
            worker = w;
        }

        @Override
        public synchronized void stop() {
            if (worker != null) {
                worker.shutdownNow();
                worker = null;
            }
        }

        @Override
        public synchronized boolean isRunning() {
            return worker != null;
        }

        void poll() {
            try {
                deliveries.runOnce();
            } catch (RuntimeException e) {
                // A scheduled task that throws is never run again: log and poll on.
                log.warn("back-channel logout poll failed: {}", e.getClass().getSimpleName());
            }
        }

        @Scheduled(
                fixedDelayString = "${gatehouse.server.purge-interval:15m}",
                initialDelayString = "${gatehouse.server.purge-interval:15m}")
        void purge() {
            deliveries.purge();
        }
    }

    /** A {@link SessionRegistry} that knows no session. */
    static final class NoSessionRegistry implements SessionRegistry {

        @Override
        public List<Object> getAllPrincipals() {
            return List.of();
        }

        @Override
        public List<SessionInformation> getAllSessions(Object principal, boolean includeExpiredSessions) {
            return List.of();
        }

        @Override
        public @Nullable SessionInformation getSessionInformation(String sessionId) {
            return null;
        }

        @Override
        public void refreshLastRequest(String sessionId) {}

        @Override
        public void registerNewSession(String sessionId, Object principal) {}

        @Override
        public void removeSessionInformation(String sessionId) {}
    }
}
