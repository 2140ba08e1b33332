/**
 * Sending mail: a small sender SPI ({@link dev.gatehouse.server.mail.MailSender}) with SMTP through Spring Boot's
 * {@code JavaMailSender}, or, in development, an owner-only outbox directory; and localised plain-text mails from
 * Thymeleaf templates under {@code templates/mail/} with texts from the {@code i18n/mail} bundles. Never writes a
 * mail's body (which may hold a single-use link) to the log.
 */
@NullMarked
package dev.gatehouse.server.mail;

import org.jspecify.annotations.NullMarked;
