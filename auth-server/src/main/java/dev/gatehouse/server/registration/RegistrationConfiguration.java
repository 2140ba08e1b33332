package dev.gatehouse.server.registration;

import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.PasswordPolicy;
import dev.gatehouse.core.throttle.AttemptLimiter;
import dev.gatehouse.core.throttle.ThrottlePolicy;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.logout.BackchannelLogout;
import dev.gatehouse.server.mail.MailComposer;
import dev.gatehouse.server.mail.MailSender;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.settings.MailFlowProperties;
import dev.gatehouse.server.users.JdbcAttemptStore;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.server.users.PasswordAuthenticationProvider;
import dev.gatehouse.server.users.SignInSessions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The registration package wires itself: the e-mail links' store and purge, the flows, and their limits. Links in
 * mails are built from {@code gatehouse.token.issuer}: a server with a flow switched on and no configured issuer
 * does not start, since the only other source of a host would be the request's {@code Host} header.
 */
@Configuration(proxyBeanMethods = false)
class RegistrationConfiguration {

    @Bean
    EmailTokens emailTokens(JdbcTemplate jdbc, Clock clock) {
        return new EmailTokens(jdbc, clock, new SecureRandom());
    }

    @Bean
    ResetLinks resetLinks(EmailTokens tokens) {
        return new ResetLinks(tokens);
    }

    @Bean
    EmailTokenPurge emailTokenPurge(EmailTokens tokens, JdbcUserStore users, Clock clock) {
        return new EmailTokenPurge(tokens, users, clock);
    }

    @Bean
    SelfService selfService(
            JdbcUserStore users,
            EmailTokens tokens,
            PasswordHasher hasher,
            ObjectProvider<PasswordPolicy> policy,
            SignInSessions signIns,
            MailSender sender,
            MailComposer composer,
            AuditLog audit,
            JdbcAttemptStore attempts,
            PasswordAuthenticationProvider passwords,
            PlatformTransactionManager transactions,
            MailFlowProperties mail,
            GatehouseProperties properties,
            Clock clock,
            BackchannelLogout backchannel) {
        String issuer = properties.configuredIssuer();
        boolean anyOn = mail.registrationEnabled() || mail.passwordResetEnabled() || mail.emailChangeEnabled();
        if (issuer == null && anyOn) {
            throw new IllegalStateException("gatehouse.server.mail.* turns on an e-mail flow, whose links need"
                    + " gatehouse.token.issuer: set it to the server's public URL");
        }
        return new SelfService(
                users,
                tokens,
                hasher,
                policy.getIfAvailable(PasswordPolicy::defaults),
                signIns,
                sender,
                composer,
                audit,
                limiter(mail, attempts, clock),
                passwords,
                new TransactionTemplate(transactions),
                mail,
                issuer == null ? "" : issuer,
                backchannel);
    }

    /**
     * Every mail-sending request counts against its recipient (address or account) and its client address, as
     * auth-core counts failed sign-ins (a delay starts after the free failures): {@code mails-per-recipient} go out freely, then each further one waits,
     * from a minute doubling up to an hour; a client address is delayed after {@code mails-per-client-address}.
     */
    static AttemptLimiter limiter(MailFlowProperties mail, JdbcAttemptStore attempts, Clock clock) {
        ThrottlePolicy policy = ThrottlePolicy.builder()
                .freeAttempts(mail.mailsPerRecipient() - 1)
                .baseDelay(Duration.ofMinutes(1))
                .maxDelay(Duration.ofHours(1))
                .pairLockoutThreshold(mail.mailsPerRecipient() * 3)
                .lockoutDuration(Duration.ofHours(1))
                .addressFreeAttempts(mail.mailsPerClientAddress() - 1)
                .addressLockoutThreshold(mail.mailsPerClientAddress() * 5)
                .forgetAfter(Duration.ofHours(1))
                .build();
        return AttemptLimiter.builder()
                .scope("mail")
                .policy(policy)
                .store(attempts)
                .clock(clock)
                .build();
    }
}
