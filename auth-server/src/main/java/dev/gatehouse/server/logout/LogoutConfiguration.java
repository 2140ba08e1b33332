package dev.gatehouse.server.logout;

import dev.gatehouse.server.audit.AuditLog;
import java.time.Clock;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
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
    DeliveryJob logoutDeliveryJob(LogoutDeliveries deliveries) {
        return new DeliveryJob(deliveries);
    }

    /** The schedule: every node polls the outbox; the purge runs with the other expired state. */
    static final class DeliveryJob {

        private final LogoutDeliveries deliveries;

        DeliveryJob(LogoutDeliveries deliveries) {
            this.deliveries = deliveries;
        }

        @Scheduled(
                fixedDelayString = "${gatehouse.server.backchannel-logout.poll:2s}",
                initialDelayString = "${gatehouse.server.backchannel-logout.poll:2s}")
        void poll() {
            deliveries.runOnce();
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
