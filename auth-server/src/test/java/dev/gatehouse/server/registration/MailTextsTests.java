package dev.gatehouse.server.registration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The e-mail flows' pages and mails: escaped output only in HTML, no inline script or style (as TemplatesTests holds
 * for the pages), unescaped values in text/plain mails, and the {@code i18n/mail} bundle complete and translated in
 * German and French.
 */
class MailTextsTests {

    @ParameterizedTest
    @ValueSource(strings = {"src/main/resources/templates/registration", "src/main/resources/templates/mail"})
    void templatesWhenScannedThenNoUnescapedOutputNoInlineScriptOrStyle(String directory) throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(Path.of(directory))) {
            files = listed.toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            String template = Files.readString(file, StandardCharsets.UTF_8);
            assertThat(template)
                    .as(file.toString())
                    .doesNotContain("th:utext")
                    .doesNotContain("<script")
                    .doesNotContain("style=")
                    .doesNotContain("<style");
            if (file.toString().endsWith(".html")) {
                assertThat(template).as(file.toString()).doesNotContain("[(");
            } else {
                // A text/plain mail is never read as HTML: its values go out as they are ([(...)]), since Thymeleaf's
                // [[...]] would HTML-escape them even in text mode (o'brien@example.com as o&#39;brien@...).
                assertThat(template).as(file.toString()).doesNotContain("[[");
            }
        }
    }

    @Test
    void bundlesWhenLoadedThenEveryKeyInEveryLanguageAndTranslated() throws IOException {
        Properties en = load("i18n/mail.properties");
        assertThat(en).isNotEmpty();
        for (String language : List.of("de", "fr")) {
            Properties other = load("i18n/mail_" + language + ".properties");
            assertThat(other.stringPropertyNames()).as(language).isEqualTo(en.stringPropertyNames());
            long same = en.stringPropertyNames().stream()
                    .filter(k -> en.getProperty(k).equals(other.getProperty(k)))
                    .count();
            // Only the product's name may read the same in every language.
            assertThat(same).as(language + ": texts left in English").isLessThanOrEqualTo(1);
        }
    }

    private static Properties load(String resource) throws IOException {
        Properties p = new Properties();
        try (InputStream in = MailTextsTests.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }
}
