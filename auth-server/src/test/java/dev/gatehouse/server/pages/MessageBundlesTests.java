package dev.gatehouse.server.pages;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The message bundles ({@code i18n/pages}, {@code i18n/account}, {@code i18n/mail}): every key in every language,
 * real translations, UTF-8, no markup; and every {@code #{key}} a template names exists.
 */
class MessageBundlesTests {

    static final Path I18N = Path.of("src/main/resources/i18n");
    static final Path TEMPLATES = Path.of("src/main/resources/templates");
    static final List<String> BUNDLES = List.of("pages", "account", "mail");
    static final List<String> LANGUAGES = List.of("de", "fr");

    /** A message key written literally in a template: {@code #{login.title}} or {@code #{home.heading(${x})}}. */
    private static final Pattern KEY = Pattern.compile("#\\{([A-Za-z0-9_.-]+)[}(]");

    @ParameterizedTest
    @ValueSource(strings = {"pages", "account", "mail"})
    void bundleWhenLoadedInEveryLanguageThenSameKeysNoBlankNoMarkup(String bundle) throws IOException {
        Properties english = load(I18N.resolve(bundle + ".properties"));
        for (String language : LANGUAGES) {
            Properties translated = load(I18N.resolve(bundle + "_" + language + ".properties"));
            assertThat(new TreeSet<>(translated.stringPropertyNames()))
                    .as("keys of %s_%s.properties", bundle, language)
                    .isEqualTo(new TreeSet<>(english.stringPropertyNames()));
            int same = 0;
            for (String key : english.stringPropertyNames()) {
                String text = translated.getProperty(key);
                assertThat(text).as("%s_%s: %s", bundle, language, key).isNotBlank();
                if (text.equals(english.getProperty(key))) {
                    same++;
                }
            }
            // Some texts are the same in both languages ("Code", "Application", "{0}"), most are not.
            assertThat(same)
                    .as("%s_%s.properties: texts identical to English (an untranslated copy?)", bundle, language)
                    .isLessThanOrEqualTo(english.size() / 5);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pages", "account", "mail"})
    void bundleWhenReadThenStrictUtf8AndArgumentsSafeForMessageFormat(String bundle) throws IOException {
        for (String suffix : List.of("", "_de", "_fr")) {
            Path file = I18N.resolve(bundle + suffix + ".properties");
            Properties messages = load(file);
            for (String key : messages.stringPropertyNames()) {
                String text = messages.getProperty(key);
                assertThat(text).as("%s: %s", file, key).doesNotContain("<", ">");
                if (text.matches("(?s).*\\{\\d+}.*")) {
                    // With arguments the text goes through MessageFormat, where a lone ' starts a quoted part.
                    assertThat(text.replace("''", ""))
                            .as("%s: %s has arguments and a lone apostrophe (write '' or ’)", file, key)
                            .doesNotContain("'");
                }
            }
        }
    }

    @Test
    void templatesWhenScannedThenEveryMessageKeyExists() throws IOException {
        Set<String> keys = new TreeSet<>();
        for (String bundle : BUNDLES) {
            keys.addAll(load(I18N.resolve(bundle + ".properties")).stringPropertyNames());
        }
        List<String> missing = new ArrayList<>();
        int found = 0;
        for (Path template : templates()) {
            // Thymeleaf's comments (<!--/* ... */-->) are not rendered: their examples are not keys.
            String html = Files.readString(template, StandardCharsets.UTF_8).replaceAll("(?s)<!--/\\*.*?\\*/-->", "");
            Matcher m = KEY.matcher(html);
            while (m.find()) {
                found++;
                if (!keys.contains(m.group(1))) {
                    missing.add(TEMPLATES.relativize(template) + ": " + m.group(1));
                }
            }
        }
        assertThat(found).isGreaterThan(50);
        assertThat(missing)
                .as("message keys used in templates but in no bundle")
                .isEmpty();
    }

    @Test
    void consentWhenWellKnownScopeThenDescribedAndUnknownHasGenericText() throws IOException {
        Properties pages = load(I18N.resolve("pages.properties"));
        for (String scope :
                List.of("profile", "email", "address", "phone", "offline_access", "api.read", "api.write")) {
            assertThat(pages.getProperty("consent.scope." + scope)).as(scope).isNotBlank();
        }
        assertThat(pages.getProperty("consent.scope.unknown")).isNotBlank();
    }

    static List<Path> templates() throws IOException {
        try (Stream<Path> files = Files.walk(TEMPLATES)) {
            return files.filter(p -> p.toString().endsWith(".html")).sorted().toList();
        }
    }

    /** A bundle read as Spring reads it (UTF-8), after checking it is valid UTF-8 throughout. */
    static Properties load(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError(file + " is not UTF-8", e);
        }
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return properties;
    }
}
