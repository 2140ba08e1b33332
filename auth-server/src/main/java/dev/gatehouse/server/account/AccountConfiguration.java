package dev.gatehouse.server.account;

import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.logout.BackchannelLogout;
import dev.gatehouse.server.mail.MailComposer;
import dev.gatehouse.server.mail.MailSender;
import dev.gatehouse.server.mfa.FactorFreshness;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.passkeys.PasskeyOfferChoices;
import dev.gatehouse.server.passkeys.PasskeyProperties;
import dev.gatehouse.server.passkeys.Passkeys;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.settings.MailFlowProperties;
import dev.gatehouse.server.users.JdbcUserStore;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.web.webauthn.registration.PublicKeyCredentialCreationOptionsRepository;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The account package wires itself: the factor guard in front of every {@code /account} page, the freshness check,
 * the session list over Spring Session's shared store, and the device note taken at sign-in. The controllers are
 * scanned.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AccountProperties.class)
class AccountConfiguration {

    @Bean
    Factors accountFactors(MfaPolicy policy, Clock clock, AccountProperties properties) {
        return new Factors(policy, clock, properties.reauthenticationMaxAge());
    }

    /**
     * The same freshness check for the sign-in's enrolment pages ({@code signin.MfaController}): enrolling from an
     * already signed-in session needs factors as young as the account's own second-factor actions.
     */
    @Bean
    FactorFreshness factorFreshness(Factors accountFactors) {
        return accountFactors.freshness();
    }

    @Bean
    AccountAudit accountAudit(AuditLog audit) {
        return new AccountAudit(audit);
    }

    @Bean
    UserSessions userSessions(
            FindByIndexNameSessionRepository<? extends Session> repository, BackchannelLogout backchannel) {
        return new UserSessions(repository, backchannel);
    }

    @Bean
    SignInDevice signInDevice() {
        return new SignInDevice();
    }

    /**
     * The guard of Spring Security's passkey registration endpoints, for the login chain ({@code
     * .addFilterAfter(passkeyRegistrationGuard, ExceptionTranslationFilter.class)}); not a servlet filter of its own.
     */
    @Bean
    PasskeyRegistrationGuard passkeyRegistrationGuard(
            MfaPolicy policy,
            Factors accountFactors,
            Passkeys passkeys,
            AccountAudit audit,
            ObjectProvider<PublicKeyCredentialCreationOptionsRepository> creationOptions,
            PasskeyNotices notices) {
        return new PasskeyRegistrationGuard(
                policy, accountFactors, passkeys, audit, creationOptions.getIfAvailable(), notices);
    }

    /** Notices by mail of passkeys added and removed, while an e-mail flow (and so mail) is on. */
    @Bean
    PasskeyNotices passkeyNotices(
            MailFlowProperties mail,
            JdbcUserStore users,
            MailSender sender,
            MailComposer composer,
            AuditLog audit,
            GatehouseProperties properties) {
        boolean mailOn = mail.registrationEnabled() || mail.passwordResetEnabled() || mail.emailChangeEnabled();
        return new PasskeyNotices(mailOn, users, sender, composer, audit, properties.configuredIssuer());
    }

    /**
     * The offer to add a passkey after a password sign-in, for the protocol chain's wiring ({@code
     * gatehouse.server.passkeys.offer-after-sign-in}, off by default: it adds a page between the sign-in and the
     * client).
     */
    @Bean
    PasskeyOffer passkeyOffer(
            PasskeyProperties properties,
            MfaPolicy policy,
            Factors accountFactors,
            Passkeys passkeys,
            PasskeyOfferChoices choices) {
        return new PasskeyOffer(properties.offerAfterSignIn(), policy, accountFactors, passkeys, choices);
    }

    @Bean
    FilterRegistrationBean<PasskeyRegistrationGuard> passkeyRegistrationGuardRegistration(
            PasskeyRegistrationGuard guard) {
        FilterRegistrationBean<PasskeyRegistrationGuard> registration = new FilterRegistrationBean<>(guard);
        registration.setEnabled(false);
        return registration;
    }

    @Bean
    WebMvcConfigurer accountFactorGuard(MfaPolicy policy, Factors factors, MailFlowProperties mail) {
        FactorGuard guard = new FactorGuard(policy);
        FreshSignInGuard freshForEmail = new FreshSignInGuard(factors, TwoStepController.EMAIL);
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(guard).addPathPatterns("/account", "/account/**");
                // The change of address (registration's controller) moves the reset channel and a sign-in name: a
                // fresh sign-in first, like the account's own changes. Registered after the factor guard, so it runs
                // second.
                if (mail.emailChangeEnabled()) {
                    registry.addInterceptor(freshForEmail).addPathPatterns(TwoStepController.EMAIL);
                }
            }
        };
    }
}
