package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Every page writes untrusted values through Thymeleaf's context-aware escaping ({@code th:text}, {@code th:value},
 * {@code th:href}): no template writes unescaped output, so no controller can hand it HTML to trust. Every page is
 * drawn by the one layout, and its forms follow the page contract (rules of issue #15): a label for every input,
 * {@code maxlength} on every text input, the right {@code autocomplete}, {@code inputmode="numeric"} for codes of an
 * authenticator app, and error summaries announced ({@code role="alert"}).
 */
class TemplatesTests {

    private static final Path TEMPLATES = Path.of("src/main/resources/templates");

    /** Not pages: the layout itself, and the outage page written while the database is down (no layout possible). */
    private static final Set<String> NOT_PAGES = Set.of("layout.html", "outage.html");

    /** A script file from the server: {@code src} and {@code th:src} under /assets/, {@code defer}, an empty body. */
    private static final Pattern SCRIPT_FILE = Pattern.compile(
            "<script src=\"/assets/[a-z-]+\\.js\" th:src=\"@\\{/assets/[a-z-]+\\.js}\" defer></script>");

    private static final Pattern INPUT = Pattern.compile("<input\\b[^>]*>", Pattern.DOTALL);
    private static final Pattern ATTRIBUTE =
            Pattern.compile("([a-zA-Z:-]+)\\s*=\\s*(\"[^\"]*\"|'[^']*')|\\s([a-zA-Z-]+)(?=[\\s>/])", Pattern.DOTALL);
    private static final Set<String> TEXT_TYPES = Set.of("text", "password", "email", "search", "tel", "url");

    @Test
    void templatesWhenScannedThenNoUnescapedOutputNoInlineScriptOrStyle() throws IOException {
        List<Path> pages = templates();
        assertThat(pages).isNotEmpty();
        for (Path page : pages) {
            String html = Files.readString(page, StandardCharsets.UTF_8);
            // Scripts only as files from the server (CSP script-src 'self'): a <script> names its file under
            // /assets/ and has no body.
            String withoutScriptFiles = SCRIPT_FILE.matcher(html).replaceAll("");
            assertThat(withoutScriptFiles)
                    .as(page.toString())
                    .doesNotContain("th:utext")
                    .doesNotContain("[(")
                    .doesNotContain("<script")
                    .doesNotContain("style=")
                    .doesNotContain("<style")
                    .doesNotContainPattern("\\son[a-z]+\\s*=");
        }
    }

    @Test
    void pagesWhenScannedThenEachIsDrawnByTheLayoutWithATitleFromTheBundles() throws IOException {
        List<Path> pages = pages();
        assertThat(pages)
                .extracting(p -> p.getFileName().toString())
                .contains("login.html", "error.html", "logout.html");
        for (Path page : pages) {
            assertThat(Files.readString(page, StandardCharsets.UTF_8))
                    .as(page.toString())
                    .containsPattern("th:replace=\"~\\{layout :: page\\(#\\{[^\"]+}, ~\\{::main}\\)}\"")
                    .contains("<main");
        }
        String layout = Files.readString(TEMPLATES.resolve("layout.html"), StandardCharsets.UTF_8);
        assertThat(layout)
                .contains("th:lang=\"${#locale.toLanguageTag()}\"")
                .contains("/assets/gatehouse.css")
                .contains("<header")
                .contains("<footer")
                .contains("name=\"viewport\"");
    }

    @Test
    void formsWhenScannedThenEveryInputLabelledBoundedAndRightlyAutocompleted() throws IOException {
        List<String> problems = new ArrayList<>();
        int inputs = 0;
        for (Path page : pages()) {
            String html = Files.readString(page, StandardCharsets.UTF_8);
            String name = TEMPLATES.relativize(page).toString();
            Matcher m = INPUT.matcher(html);
            while (m.find()) {
                Map<String, String> a = attributes(m.group());
                String type = a.getOrDefault("type", "text");
                if (Set.of("hidden", "submit", "button").contains(type)) {
                    continue;
                }
                inputs++;
                String where = name + " " + m.group().replaceAll("\\s+", " ");
                @Nullable String id = a.get("id");
                if (id == null && a.get("th:id") == null) {
                    problems.add(where + ": no id");
                } else if (id != null && !html.contains("for=\"" + id + "\"")) {
                    problems.add(where + ": no <label for=\"" + id + "\">");
                } else if (id == null && !html.contains("th:for=\"" + a.get("th:id") + "\"")) {
                    problems.add(where + ": no label th:for the same expression as its th:id");
                }
                if (!TEXT_TYPES.contains(type)) {
                    continue;
                }
                if (!a.containsKey("maxlength")) {
                    problems.add(where + ": no maxlength");
                }
                String field = a.getOrDefault("name", "");
                String autocomplete = a.getOrDefault("autocomplete", "");
                String expected = switch (field) {
                    // "webauthn": the browser's passkey autofill (WebAuthn Level 3 §5.1.4, conditional mediation).
                    case "username" -> "username( webauthn)?";
                    case "code", "user_code" -> "one-time-code";
                    case "email" -> "email";
                    default -> type.equals("password") ? "current-password|new-password" : "";
                };
                if (!expected.isEmpty() && !autocomplete.matches(expected)) {
                    problems.add(where + ": autocomplete should be " + expected);
                }
                if (type.equals("password") && !autocomplete.matches("current-password|new-password")) {
                    problems.add(where + ": a password needs current-password or new-password");
                }
                // Codes of an authenticator app are digits; recovery codes and device codes hold letters.
                boolean appCode = field.equals("code") && !name.contains("recovery");
                if (appCode && !"numeric".equals(a.get("inputmode"))) {
                    problems.add(where + ": a code from the app needs inputmode=\"numeric\"");
                }
            }
        }
        assertThat(inputs).isGreaterThanOrEqualTo(8);
        assertThat(problems).isEmpty();
    }

    @Test
    void pagesWhenTheyShowErrorsThenAsAnAnnouncedSummary() throws IOException {
        Pattern summary = Pattern.compile("<[a-z]+\\b[^>]*class=\"error-summary\"[^>]*>", Pattern.DOTALL);
        int found = 0;
        for (Path page : pages()) {
            Matcher m = summary.matcher(Files.readString(page, StandardCharsets.UTF_8));
            while (m.find()) {
                found++;
                assertThat(m.group()).as(page.toString()).contains("role=\"alert\"");
            }
        }
        assertThat(found).isGreaterThanOrEqualTo(6);
    }

    private static Map<String, String> attributes(String tag) {
        Map<String, String> attributes = new LinkedHashMap<>();
        Matcher m = ATTRIBUTE.matcher(tag.substring("<input".length()));
        while (m.find()) {
            if (m.group(1) != null) {
                attributes.put(m.group(1), m.group(2).substring(1, m.group(2).length() - 1));
            } else {
                attributes.put(m.group(3), "");
            }
        }
        return attributes;
    }

    private static List<Path> templates() throws IOException {
        try (Stream<Path> files = Files.walk(TEMPLATES)) {
            return files.filter(p -> p.toString().endsWith(".html")).sorted().toList();
        }
    }

    /**
     * The templates a browser gets as a page: all but the layout, the outage page, fragment files and the bodies of
     * e-mails ({@code templates/mail/}).
     */
    private static List<Path> pages() throws IOException {
        return templates().stream()
                .filter(p -> !NOT_PAGES.contains(TEMPLATES.relativize(p).toString()))
                .filter(p -> !p.getFileName().toString().contains("fragments"))
                .filter(p -> !TEMPLATES.relativize(p).startsWith("mail"))
                .toList();
    }
}
