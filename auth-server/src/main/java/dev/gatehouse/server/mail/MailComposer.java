package dev.gatehouse.server.mail;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.springframework.context.MessageSource;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * Builds the e-mail flows' mails from Thymeleaf text templates ({@code templates/mail/NAME.txt}) with texts from the
 * {@code i18n/mail} bundles in the requester's language; the subject is the message {@code mail.NAME.subject}.
 * Links passed in are absolute and built from the configured issuer by the caller, never from a request's
 * {@code Host}.
 */
public final class MailComposer {

    private final SpringTemplateEngine engine;
    private final MessageSource messages;

    /**
     * Creates the composer.
     *
     * @param messages the application's message source (its {@code i18n/mail} bundle)
     */
    public MailComposer(MessageSource messages) {
        this.messages = Objects.requireNonNull(messages, "messages must not be null");
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver();
        resolver.setPrefix("templates/mail/");
        resolver.setSuffix(".txt");
        resolver.setTemplateMode(TemplateMode.TEXT);
        resolver.setCharacterEncoding(StandardCharsets.UTF_8.name());
        resolver.setCacheable(true);
        SpringTemplateEngine templates = new SpringTemplateEngine();
        templates.setTemplateResolver(resolver);
        templates.setTemplateEngineMessageSource(messages);
        this.engine = templates;
    }

    /**
     * One mail.
     *
     * @param to the recipient
     * @param template the template's name under {@code templates/mail/}, without {@code .txt}
     * @param locale the requester's language
     * @param variables the template's variables (links, the product name, addresses)
     * @return the mail
     */
    public MailMessage compose(String to, String template, Locale locale, Map<String, Object> variables) {
        Objects.requireNonNull(to, "to must not be null");
        Objects.requireNonNull(template, "template must not be null");
        Objects.requireNonNull(locale, "locale must not be null");
        String subject = messages.getMessage("mail." + template + ".subject", null, locale);
        String text = engine.process(template, new Context(locale, Map.copyOf(variables)));
        return new MailMessage(to, subject, text);
    }
}
