package dev.gatehouse.server.mail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.context.MessageSource;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;
import org.thymeleaf.templateresolver.FileTemplateResolver;

/**
 * Builds the e-mail flows' mails from Thymeleaf text templates ({@code templates/mail/NAME.txt}) with texts from the
 * {@code i18n/mail} bundles in the requester's language; the subject is the message {@code mail.NAME.subject}. A
 * configured override directory's templates and texts win, as for the pages.
 * Links passed in are absolute and built from the configured issuer by the caller, never from a request's
 * {@code Host}.
 */
public final class MailComposer {

    private final SpringTemplateEngine engine;
    private final MessageSource messages;
    private final String productName;

    /**
     * Creates the composer.
     *
     * @param messages the application's message source (its {@code i18n/mail} bundle, the override directory's
     *     texts first when one is configured)
     * @param productName the product's name, signing every mail ({@code gatehouse.server.ui.product-name})
     * @param overrides a directory whose {@code templates/mail/NAME.txt} wins over the built-in template
     *     ({@code gatehouse.server.ui.directory}), or {@code null}
     */
    public MailComposer(MessageSource messages, String productName, @Nullable Path overrides) {
        this.messages = Objects.requireNonNull(messages, "messages must not be null");
        this.productName = Objects.requireNonNull(productName, "productName must not be null");
        SpringTemplateEngine templates = new SpringTemplateEngine();
        if (overrides != null) {
            FileTemplateResolver custom = new FileTemplateResolver();
            custom.setPrefix(overrides.resolve("templates").resolve("mail").toString() + "/");
            custom.setSuffix(".txt");
            custom.setTemplateMode(TemplateMode.TEXT);
            custom.setCharacterEncoding(StandardCharsets.UTF_8.name());
            custom.setCheckExistence(true);
            custom.setOrder(1);
            templates.addTemplateResolver(custom);
        }
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver();
        resolver.setPrefix("templates/mail/");
        resolver.setSuffix(".txt");
        resolver.setTemplateMode(TemplateMode.TEXT);
        resolver.setCharacterEncoding(StandardCharsets.UTF_8.name());
        resolver.setCacheable(true);
        resolver.setOrder(2);
        templates.addTemplateResolver(resolver);
        templates.setTemplateEngineMessageSource(messages);
        this.engine = templates;
    }

    /**
     * One mail.
     *
     * @param to the recipient
     * @param template the template's name under {@code templates/mail/}, without {@code .txt}
     * @param locale the requester's language
     * @param variables the template's variables (links, addresses); {@code product} is the product's name
     * @return the mail
     */
    public MailMessage compose(String to, String template, Locale locale, Map<String, Object> variables) {
        Objects.requireNonNull(to, "to must not be null");
        Objects.requireNonNull(template, "template must not be null");
        Objects.requireNonNull(locale, "locale must not be null");
        String subject = messages.getMessage("mail." + template + ".subject", null, locale);
        Map<String, Object> all = new HashMap<>(variables);
        all.put("product", productName);
        String text = engine.process(template, new Context(locale, all));
        return new MailMessage(to, subject, text);
    }
}
