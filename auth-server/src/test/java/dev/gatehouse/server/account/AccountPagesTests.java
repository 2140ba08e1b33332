package dev.gatehouse.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The account pages keep the page contract: each is the layout with its own {@code <main>}, writes nothing unescaped,
 * has no inline style or script, and every text it or the controllers name is in the {@code account} bundle in
 * English, German and French (the same keys in each, and not left in English).
 */
class AccountPagesTests {

    private static final Path TEMPLATES = Path.of("src/main/resources/templates/account");
    private static final Path JAVA = Path.of("src/main/java/dev/gatehouse/server/account");
    private static final Pattern KEY = Pattern.compile("\"(account\\.[a-z_.A-Z]+)\"|#\\{(account\\.[a-zA-Z_.]+)");

    @Test
    void templatesWhenScannedThenLayoutPagesWithoutUnescapedOutputInlineStyleOrScript() throws IOException {
        List<Path> pages = files(TEMPLATES, ".html");
        assertThat(pages).hasSizeGreaterThan(5);
        for (Path page : pages) {
            String html = Files.readString(page, StandardCharsets.UTF_8);
            assertThat(html)
                    .as(page.toString())
                    .doesNotContain("th:utext")
                    .doesNotContain("[(")
                    // A script only as a file of the server's (the passkey ceremony), never inline.
                    .doesNotContainPattern("<script(?![^>]*\\ssrc=\"/assets/[a-z-]+\\.js\")")
                    .doesNotContainPattern("<script[^>]*>[^<]")
                    .doesNotContain("style=");
            if (!page.endsWith("fragments.html")) {
                assertThat(html).as(page.toString()).contains("~{layout :: page(#{account.");
            }
        }
    }

    @Test
    void bundlesWhenReadThenEveryKeyUsedExistsInEveryLanguageAndIsTranslated() throws IOException {
        Set<String> used = new TreeSet<>();
        for (Path file : Stream.concat(files(TEMPLATES, ".html").stream(), files(JAVA, ".java").stream())
                .toList()) {
            Matcher m = KEY.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (m.find()) {
                String key = m.group(1) != null ? m.group(1) : m.group(2);
                if (!key.endsWith(".")) {
                    used.add(key);
                }
            }
        }
        Properties en = bundle("account.properties");
        Properties de = bundle("account_de.properties");
        Properties fr = bundle("account_fr.properties");
        // Keys built in Java from a policy code: one per code.
        for (String code : List.of(
                "too_short", "too_long", "invalid_characters", "common", "context_specific", "too_predictable")) {
            used.add("account.password.policy." + code);
        }
        assertThat(en.stringPropertyNames()).containsAll(used);
        assertThat(de.stringPropertyNames()).isEqualTo(en.stringPropertyNames());
        assertThat(fr.stringPropertyNames()).isEqualTo(en.stringPropertyNames());
        long sameInGerman = en.stringPropertyNames().stream()
                .filter(k -> en.getProperty(k).equals(de.getProperty(k)))
                .count();
        long sameInFrench = en.stringPropertyNames().stream()
                .filter(k -> en.getProperty(k).equals(fr.getProperty(k)))
                .count();
        // A few words are the same in both languages (Sessions, Applications, Action, Application); sentences never
        // are.
        assertThat(sameInGerman).isLessThan(4);
        assertThat(sameInFrench).isLessThan(8);
    }

    private static Properties bundle(String name) throws IOException {
        Properties p = new Properties();
        try (InputStream in = AccountPagesTests.class.getResourceAsStream("/i18n/" + name)) {
            assertThat(in).as(name).isNotNull();
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }
}
