package dev.gatehouse.server.users;

import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.server.settings.ThrottleProperties;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The users package wires itself: the stores that own the user, role and attempt-counter tables, the sign-in
 * revocations every node checks, and the password step of the browser sign-in. The {@link PasswordHasher} is the
 * starter's ({@code GatehousePasswordAutoConfiguration}, {@code gatehouse.password.*}).
 */
@Configuration(proxyBeanMethods = false)
class UsersConfiguration {

    @Bean
    JdbcUserStore userStore(JdbcTemplate jdbc) {
        return new JdbcUserStore(jdbc);
    }

    /**
     * Counters in the database, so attempt limits hold across nodes; each limiter has a scope of its own. One store,
     * so the password and MFA limiters share its bound on attempts holding a connection.
     */
    @Bean
    JdbcAttemptStore attemptStore(JdbcTemplate jdbc, ThrottleProperties throttle) {
        Integer configured = throttle.maxAttemptConnections();
        return new JdbcAttemptStore(
                jdbc, configured != null ? configured : JdbcAttemptStore.defaultMaxConnections(jdbc.getDataSource()));
    }

    @Bean
    SignInSessions signInSessions(JdbcTemplate jdbc, Clock clock) {
        return new SignInSessions(jdbc, clock);
    }

    @Bean
    PasswordAuthenticationProvider passwordAuthenticationProvider(
            JdbcUserStore users,
            PasswordHasher hasher,
            Clock clock,
            JdbcAttemptStore attempts,
            ThrottleProperties throttle) {
        AttemptLimiter limiter = AttemptLimiter.builder()
                .scope("password")
                .policy(throttle.policy())
                .store(attempts)
                .clock(clock)
                .build();
        return new PasswordAuthenticationProvider(users, hasher, clock, limiter);
    }
}
