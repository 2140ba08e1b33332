package dev.gatehouse.server.settings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Maps a list written element by element under a name renamed by issue #22 to its new name, with a warning naming both
 * (never the values). Spring Boot's properties migrator maps every other old name, but only where a source holds a
 * value at exactly that name: {@code gatehouse.cors-allowed-origins: a,b} is mapped, while a YAML list or
 * {@code gatehouse.cors-allowed-origins[0]=...} holds only indexed names, would be left behind, and the server would
 * silently fall back to the default origin. Each source's entries go into a source of their own just before it, so
 * the order between sources (and a new name set in a higher one) is kept. Runs after the configuration files are
 * loaded; removed with the old names in the next release.
 */
final class RenamedListProperties implements EnvironmentPostProcessor, Ordered {

    /** The renamed list properties: old name to new name. */
    static final Map<String, String> RENAMED =
            Map.of("gatehouse.cors-allowed-origins", "gatehouse.server.cors-allowed-origins");

    private final Log log;

    RenamedListProperties(DeferredLogFactory logs) {
        this.log = logs.getLog(RenamedListProperties.class);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        for (Mapped mapped : map(environment)) {
            environment.getPropertySources().addBefore(mapped.sourceName(), mapped.source());
            log.warn("Property source '" + mapped.sourceName() + "': " + mapped.oldName()
                    + " is deprecated (renamed in 0.x for one property tree); its list was mapped to "
                    + mapped.newName() + ". Rename it: the old name will stop working in the next release.");
        }
    }

    /**
     * The indexed entries under each renamed name, per property source, under their new names.
     *
     * @param environment the environment
     * @return one mapping per source and renamed list that has indexed entries
     */
    static List<Mapped> map(ConfigurableEnvironment environment) {
        List<Mapped> out = new ArrayList<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)
                    || !(source.getUnderlyingSource() instanceof PropertySource<?> underlying)) {
                continue;
            }
            RENAMED.forEach((oldName, newName) -> {
                ConfigurationPropertyName from = ConfigurationPropertyName.of(oldName);
                ConfigurationPropertyName to = ConfigurationPropertyName.of(newName);
                Map<String, Object> values = new LinkedHashMap<>();
                iterable.stream()
                        .filter(name ->
                                from.isAncestorOf(name) && name.toString().startsWith(oldName + "["))
                        .forEach(name -> {
                            ConfigurationProperty property = source.getConfigurationProperty(name);
                            if (property != null) {
                                values.put(
                                        to.append(name.subName(from.getNumberOfElements()))
                                                .toString(),
                                        property.getValue());
                            }
                        });
                if (!values.isEmpty()) {
                    String name = underlying.getName();
                    out.add(new Mapped(
                            name, oldName, newName, new MapPropertySource("gatehouse-renamed-" + name, values)));
                }
            });
        }
        return out;
    }

    /**
     * One source's entries of one renamed list, under the new name.
     *
     * @param sourceName the property source that holds the old entries
     * @param oldName the old name
     * @param newName the new name
     * @param source the entries under the new name, to go just before {@code sourceName}
     */
    record Mapped(String sourceName, String oldName, String newName, MapPropertySource source) {}
}
