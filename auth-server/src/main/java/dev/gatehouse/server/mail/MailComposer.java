package dev.gatehouse.server.mail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
    private final SpringTemplateEngine htmlEngine;
    private final MessageSource messages;
    private final String productName;
    private final @Nullable Path overrides;

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
        this.overrides = overrides;
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
        this.htmlEngine = htmlEngine(messages, overrides);
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
        // The HTML alternative, when the template has one (templates/mail/NAME.html): Thymeleaf's HTML mode escapes
        // every value, as on the pages.
        String html = hasHtml(template) ? htmlEngine.process("mail/" + template, new Context(locale, all)) : null;
        return new MailMessage(to, subject, text, html);
    }

    private boolean hasHtml(String template) {
        String file = template + ".html";
        return (overrides != null
                        && Files.isRegularFile(
                                overrides.resolve("templates").resolve("mail").resolve(file)))
                || MailComposer.class.getClassLoader().getResource("templates/mail/" + file) != null;
    }

    /** HTML mails: {@code templates/mail/NAME.html} on the layout {@code templates/mail/fragments.html}. */
    private static SpringTemplateEngine htmlEngine(MessageSource messages, @Nullable Path overrides) {
        SpringTemplateEngine html = new SpringTemplateEngine();
        if (overrides != null) {
            FileTemplateResolver custom = new FileTemplateResolver();
            custom.setPrefix(overrides.resolve("templates").toString() + "/");
            custom.setSuffix(".html");
            custom.setTemplateMode(TemplateMode.HTML);
            custom.setCharacterEncoding(StandardCharsets.UTF_8.name());
            custom.setCheckExistence(true);
            custom.setResolvablePatterns(java.util.Set.of("mail/*"));
            custom.setOrder(1);
            html.addTemplateResolver(custom);
        }
        ClassLoaderTemplateResolver builtIn = new ClassLoaderTemplateResolver();
        builtIn.setPrefix("templates/");
        builtIn.setSuffix(".html");
        builtIn.setTemplateMode(TemplateMode.HTML);
        builtIn.setCharacterEncoding(StandardCharsets.UTF_8.name());
        builtIn.setCheckExistence(true);
        builtIn.setResolvablePatterns(java.util.Set.of("mail/*"));
        builtIn.setCacheable(true);
        builtIn.setOrder(2);
        html.addTemplateResolver(builtIn);
        html.setTemplateEngineMessageSource(messages);
        return html;
    }
}
