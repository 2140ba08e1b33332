package dev.gatehouse.server.pages;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The stylesheet's colours meet WCAG 2.2 AA in the light and the dark scheme: text 4.5:1 on every background it is
 * drawn on (SC 1.4.3), input borders and the focus ring 3:1 (SC 1.4.11, 2.4.13); and the rules the page contract
 * relies on are there (focus ring of 3 px, dark scheme, no remote resources).
 */
class StylesheetTests {

    private static final Path CSS = Path.of("src/main/resources/static/assets/gatehouse.css");
    private static final Pattern VARIABLE = Pattern.compile("--([a-z-]+):\\s*(#[0-9a-fA-F]{6})\\s*;");

    /** Foreground, background, least contrast. */
    private static final List<Object[]> PAIRS = List.of(
            new Object[] {"text", "surface", 4.5},
            new Object[] {"text", "bg", 4.5},
            new Object[] {"muted", "surface", 4.5},
            new Object[] {"muted", "bg", 4.5},
            new Object[] {"link", "surface", 4.5},
            new Object[] {"link", "bg", 4.5},
            new Object[] {"on-brand", "brand", 4.5},
            new Object[] {"on-danger", "danger", 4.5},
            new Object[] {"danger", "surface", 4.5},
            new Object[] {"danger", "danger-bg", 4.5},
            new Object[] {"text", "danger-bg", 4.5},
            new Object[] {"text", "success-bg", 4.5},
            new Object[] {"success", "surface", 4.5},
            new Object[] {"text", "warning-bg", 4.5},
            new Object[] {"text", "info-bg", 4.5},
            new Object[] {"link", "info-bg", 4.5},
            new Object[] {"text", "code-bg", 4.5},
            new Object[] {"border", "surface", 3.0},
            new Object[] {"focus", "surface", 3.0},
            new Object[] {"focus", "bg", 3.0});

    @Test
    void colorsWhenLightAndDarkSchemeThenEveryPairMeetsWcagAa() throws IOException {
        String css = Files.readString(CSS, StandardCharsets.UTF_8);
        int dark = css.indexOf("@media (prefers-color-scheme: dark)");
        assertThat(dark).isPositive();
        Map<String, String> light = variables(css.substring(0, dark));
        Map<String, String> darkScheme = new HashMap<>(light);
        darkScheme.putAll(variables(css.substring(dark, css.indexOf("}\n}", dark))));
        for (Map<String, String> scheme : List.of(light, darkScheme)) {
            String name = scheme == light ? "light" : "dark";
            for (Object[] pair : PAIRS) {
                String fg = scheme.get((String) pair[0]);
                String bg = scheme.get((String) pair[1]);
                assertThat(fg).as("%s --%s", name, pair[0]).isNotNull();
                assertThat(bg).as("%s --%s", name, pair[1]).isNotNull();
                assertThat(GatehouseUi.contrast(fg, bg))
                        .as("%s: --%s %s on --%s %s", name, pair[0], fg, pair[1], bg)
                        .isGreaterThanOrEqualTo((Double) pair[2]);
            }
        }
    }

    @Test
    void stylesheetWhenReadThenFocusRingDarkSchemeAndNothingRemote() throws IOException {
        String css = Files.readString(CSS, StandardCharsets.UTF_8);
        assertThat(css)
                .contains(":focus-visible { outline: 3px solid var(--focus)")
                .contains("@media (prefers-color-scheme: dark)")
                .contains("color-scheme: light dark")
                .doesNotContain("@import")
                .doesNotContain("url(")
                .doesNotContain("expression(");
    }

    private static Map<String, String> variables(String css) {
        Map<String, String> found = new HashMap<>();
        Matcher m = VARIABLE.matcher(css);
        while (m.find()) {
            found.put(m.group(1), m.group(2).toLowerCase(java.util.Locale.ROOT));
        }
        return found;
    }
}
