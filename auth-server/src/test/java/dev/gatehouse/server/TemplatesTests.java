package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every page writes untrusted values through Thymeleaf's context-aware escaping ({@code th:text}, {@code th:value},
 * {@code th:href}): no template writes unescaped output, so no controller can hand it HTML to trust.
 */
class TemplatesTests {

    private static final Path TEMPLATES = Path.of("src/main/resources/templates");

    @Test
    void templatesWhenScannedThenNoUnescapedOutputNoInlineScriptOrStyle() throws IOException {
        List<Path> pages;
        try (Stream<Path> files = Files.list(TEMPLATES)) {
            pages = files.filter(p -> p.toString().endsWith(".html")).toList();
        }
        assertThat(pages).isNotEmpty();
        for (Path page : pages) {
            String html = Files.readString(page, StandardCharsets.UTF_8);
            assertThat(html)
                    .as(page.toString())
                    .doesNotContain("th:utext")
                    .doesNotContain("[(")
                    .doesNotContain("<script")
                    .doesNotContain("style=");
        }
    }
}
