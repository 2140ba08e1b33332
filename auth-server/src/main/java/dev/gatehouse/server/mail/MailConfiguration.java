package dev.gatehouse.server.mail;

import dev.gatehouse.server.pages.GatehouseUi;
import dev.gatehouse.server.pages.UiProperties;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.settings.MailFlowProperties;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.MessageSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * The mail package wires itself: the sender ({@code gatehouse.server.mail.delivery}: SMTP, or the outbox under the
 * data directory in development mode) and the composer of localised mails.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MailFlowProperties.class)
class MailConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MailConfiguration.class);

    @Bean
    MailSender gatehouseMailSender(
            MailFlowProperties mail, GatehouseProperties properties, ObjectProvider<JavaMailSender> smtp, Clock clock) {
        if (outbox(mail.delivery(), properties.devMode())) {
            OutboxMailSender outbox =
                    new OutboxMailSender(properties.server().dataDir().resolve("outbox"), mail.from(), clock);
            log.warn(
                    "mail is written to {} instead of being sent (gatehouse.server.mail.delivery={}, dev-mode={})",
                    outbox.directory(),
                    mail.delivery().name().toLowerCase(java.util.Locale.ROOT),
                    properties.devMode());
            return outbox;
        }
        JavaMailSender sender = smtp.getIfAvailable();
        if (sender == null
                && (mail.registrationEnabled() || mail.passwordResetEnabled() || mail.emailChangeEnabled())) {
            log.warn("an e-mail flow is on but no SMTP server is configured (spring.mail.host): its mails will fail");
        }
        return new SmtpMailSender(sender, mail.from());
    }

    @Bean
    MailComposer mailComposer(MessageSource messages, GatehouseUi ui, UiProperties uiProperties) {
        return new MailComposer(messages, ui.getProductName(), uiProperties.directory());
    }

    /** Whether mail goes to the outbox: asked for, or {@code auto} in development mode. */
    static boolean outbox(MailFlowProperties.Delivery delivery, boolean devMode) {
        return switch (delivery) {
            case OUTBOX -> true;
            case SMTP -> false;
            case AUTO -> devMode;
        };
    }
}
