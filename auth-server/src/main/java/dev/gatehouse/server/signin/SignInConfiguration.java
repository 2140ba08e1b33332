package dev.gatehouse.server.signin;

import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.server.settings.ThrottleProperties;
import dev.gatehouse.server.users.JdbcAttemptStore;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The signin package's own beans: the attempt limiter of the second-factor step. The filters of the browser sign-in
 * (step-up, re-authentication, consent and device guards) are placed in the security filter chains by {@code
 * config.SecurityConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
class SignInConfiguration {

    /** Used by {@link MfaController} (by this name) for TOTP and recovery-code attempts. */
    @Bean(MfaController.LIMITER_BEAN)
    AttemptLimiter mfaAttemptLimiter(Clock clock, JdbcAttemptStore attempts, ThrottleProperties throttle) {
        // Counters in the database, so the limits hold across nodes; a scope of their own, apart from passwords.
        return AttemptLimiter.builder()
                .scope("mfa")
                .policy(throttle.policy())
                .store(attempts)
                .clock(clock)
                .build();
    }
}
