package dev.gatehouse.server.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class RenamedListPropertiesTests {

    @Test
    void mapWhenOldListWrittenByIndexThenEntriesUnderNewNameJustBeforeTheirSource() {
        StandardEnvironment environment = new StandardEnvironment();
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        "application.yml",
                        Map.of(
                                "gatehouse.cors-allowed-origins[0]", "https://a.example",
                                "gatehouse.cors-allowed-origins[1]", "https://b.example")));

        List<RenamedListProperties.Mapped> mapped = RenamedListProperties.map(environment);

        assertThat(mapped).singleElement().satisfies(m -> {
            assertThat(m.sourceName()).isEqualTo("application.yml");
            assertThat(m.oldName()).isEqualTo("gatehouse.cors-allowed-origins");
            assertThat(m.newName()).isEqualTo("gatehouse.server.cors-allowed-origins");
        });
        environment
                .getPropertySources()
                .addBefore("application.yml", mapped.get(0).source());
        assertThat(Binder.get(environment)
                        .bind("gatehouse.server.cors-allowed-origins", Bindable.listOf(String.class))
                        .get())
                .containsExactly("https://a.example", "https://b.example");
    }

    @Test
    void mapWhenOldListIsOneValueOrNewNameUsedThenNothingToMap() {
        // One value at the exact old name is the properties migrator's to map; the new name needs nothing.
        StandardEnvironment environment = new StandardEnvironment();
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        "test",
                        Map.of(
                                "gatehouse.cors-allowed-origins", "https://a.example,https://b.example",
                                "gatehouse.server.cors-allowed-origins[0]", "https://c.example")));
        assertThat(RenamedListProperties.map(environment)).isEmpty();
    }
}
