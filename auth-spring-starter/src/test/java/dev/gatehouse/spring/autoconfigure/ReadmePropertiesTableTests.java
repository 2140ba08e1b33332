package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's properties table against the configuration metadata the build generates from
 * {@link GatehouseProperties}: one unbroken Markdown table (a blank line inside it used to render the policy rows as
 * raw pipes) naming exactly the properties that exist, so the table cannot drift from the code.
 */
class ReadmePropertiesTableTests {

    private static final String HEADER = "| property | default | meaning |";

    private static final Pattern NAMES = Pattern.compile("`([a-z0-9.-]+)`");

    @Test
    void readmeWhenComparedWithMetadataThenOneTableNamingEveryPropertyAndNoOther() throws Exception {
        List<String> readme = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        int header = readme.indexOf(HEADER);
        assertThat(header).as("README.md has the properties table").isNotNegative();

        List<String> rows = new ArrayList<>();
        int line = header + 2; // after the |---| line
        while (line < readme.size() && readme.get(line).startsWith("|")) {
            rows.add(readme.get(line++));
        }
        // Rows after a gap would render as text: nothing below the table may look like one of its rows.
        assertThat(readme.subList(line, readme.size())).noneMatch(l -> l.startsWith("| `gatehouse."));

        Set<String> documented = new TreeSet<>();
        for (String row : rows) {
            String firstCell = row.split("\\|")[1];
            Matcher names = NAMES.matcher(firstCell);
            String prefix = null;
            while (names.find()) {
                String name = names.group(1);
                if (prefix == null) {
                    prefix = name.substring(0, name.lastIndexOf('.') + 1);
                    documented.add(name);
                } else {
                    documented.add(name.startsWith("gatehouse.") ? name : prefix + name);
                }
            }
        }

        assertThat(documented).isEqualTo(metadataProperties());
    }

    private static Set<String> metadataProperties() throws Exception {
        Set<String> names = new TreeSet<>();
        Enumeration<URL> files = ReadmePropertiesTableTests.class
                .getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json");
        ObjectMapper json = new ObjectMapper();
        while (files.hasMoreElements()) {
            try (InputStream in = files.nextElement().openStream()) {
                for (JsonNode property : json.readTree(in).path("properties")) {
                    String name = property.path("name").asText();
                    if (name.startsWith("gatehouse.")) {
                        names.add(name);
                    }
                }
            }
        }
        assertThat(names)
                .as("the build generated metadata for GatehouseProperties")
                .isNotEmpty();
        return names;
    }
}
