package dev.gatehouse.server.pages;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.MessageSource;
import org.springframework.mock.env.MockEnvironment;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * {@code gatehouse.server.ui.directory}: its templates win over the built-in ones file by file, its message bundles key
 * by key and language by language, and whatever it does not hold comes from the built-in set.
 */
class UiOverrideDirectoryTests {

    static final java.util.List<String> LANGUAGES = java.util.List.of("en", "de", "fr");

    @TempDir
    Path dir;

    private PagesConfiguration pages;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(dir.resolve("templates"));
        Files.createDirectories(dir.resolve("i18n"));
        Files.writeString(dir.resolve("i18n/pages.properties"), "login.heading=Welcome back\n");
        Files.writeString(
                dir.resolve("i18n/pages_fr.properties"), "login.heading=Bon retour\n", StandardCharsets.UTF_8);
        pages = new PagesConfiguration(new UiProperties("Acme", null, null, null, dir, LANGUAGES));
    }

    @Test
    void messageSourceWhenKeyOverriddenThenOverrideInItsLanguagesAndBuiltInElsewhere() {
        MessageSource messages = pages.messageSource(
                new MockEnvironment().withProperty("spring.messages.basename", "i18n/pages,i18n/account,i18n/mail"));
        assertThat(messages.getMessage("login.heading", null, Locale.ENGLISH)).isEqualTo("Welcome back");
        assertThat(messages.getMessage("login.heading", null, Locale.FRENCH)).isEqualTo("Bon retour");
        // Overridden in English only: German keeps its own built-in text, not the English override.
        assertThat(messages.getMessage("login.heading", null, Locale.GERMAN)).isEqualTo("Anmelden");
        // Not overridden at all: the built-in text.
        assertThat(messages.getMessage("login.username", null, Locale.GERMAN)).isEqualTo("Benutzername");
        assertThat(messages.getMessage("login.lead", new Object[] {"Acme"}, Locale.ENGLISH))
                .isEqualTo("Sign in with your Acme account.");
    }

    @Test
    void messageSourceWhenNoDirectoryThenBuiltInBundlesAndNeverTheMachinesLocale() {
        Locale machine = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            MessageSource messages = new PagesConfiguration(
                            new UiProperties("Gatehouse", null, null, null, null, LANGUAGES))
                    .messageSource(new MockEnvironment());
            assertThat(messages.getMessage("login.heading", null, Locale.ENGLISH))
                    .isEqualTo("Sign in");
            assertThat(messages.getMessage("login.heading", null, Locale.JAPANESE))
                    .isEqualTo("Sign in");
        } finally {
            Locale.setDefault(machine);
        }
    }

    @Test
    void templateResolverWhenDirectoryHoldsTheTemplateThenItWinsElseBuiltIn() throws IOException {
        SpringTemplateEngine engine = new SpringTemplateEngine();
        ClassLoaderTemplateResolver builtIn = new ClassLoaderTemplateResolver();
        builtIn.setPrefix("templates/");
        builtIn.setSuffix(".html");
        engine.addTemplateResolver(builtIn);
        engine.addTemplateResolver(pages.overrideTemplateResolver());
        Context context = new Context(Locale.ENGLISH);
        context.setVariable("status", 503);
        context.setVariable("title", "Service Unavailable");
        context.setVariable("message", "busy");

        assertThat(engine.process("outage", context)).contains("503 Service Unavailable");
        Files.writeString(
                dir.resolve("templates/outage.html"),
                "<!DOCTYPE html><html><body><p th:text=\"${message} + ' (Acme)'\">x</p></body></html>");
        engine.clearTemplateCache();
        assertThat(engine.process("outage", context)).contains("busy (Acme)").doesNotContain("503");
    }

    @Test
    void basenamesWhenDirectoryThenItsFilesFirstThenTheClasspath() {
        assertThat(PagesConfiguration.basenames(dir, List.of("i18n/pages", "classpath:i18n/mail")))
                .containsExactly(
                        "file:" + dir.resolve("i18n/pages"),
                        "classpath:i18n/pages",
                        "file:" + dir.resolve("i18n/mail"),
                        "classpath:i18n/mail");
        assertThat(PagesConfiguration.basenames(null, List.of("i18n/pages"))).containsExactly("classpath:i18n/pages");
    }
}
