package dev.gatehouse.spring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.json.JsonParseException;
import org.springframework.boot.json.JsonParser;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

/**
 * Checks every {@code gatehouse.*} property name before any bean is created, and refuses unknown ones with the nearest
 * valid name by edit distance. Valid are the names {@link GatehouseProperties} binds (read from its records, so the
 * list cannot drift) and every {@code gatehouse.*} name described by configuration metadata on the class path (each
 * {@code META-INF/spring-configuration-metadata.json} and {@code META-INF/additional-spring-configuration-metadata.json}),
 * deprecated ones included: so an application with properties of its own in the one tree, such as auth-server's
 * {@code gatehouse.server.*}, passes, and so do the names it renamed while they still work. Names of other
 * {@code gatehouse.*} records in the application pass too (for an application that generates no metadata). Suggestions name only
 * current (not deprecated) properties. Values are never read, so no secret can reach the message.
 */
final class GatehousePropertyNames
        implements BeanFactoryPostProcessor, EnvironmentAware, BeanClassLoaderAware, Ordered {

    static final String PREFIX = "gatehouse";

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);

    /** The starter's own names, in their canonical dashed form, e.g. {@code gatehouse.token.key-store}. */
    static final List<String> VALID = names(PREFIX, GatehouseProperties.class, new ArrayList<>());

    /** Where Spring Boot's annotation processor, and authors by hand, describe configuration properties. */
    static final List<String> METADATA = List.of(
            "META-INF/spring-configuration-metadata.json", "META-INF/additional-spring-configuration-metadata.json");

    private @Nullable Environment environment;

    private ClassLoader classLoader = GatehousePropertyNames.class.getClassLoader();

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setBeanClassLoader(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        if (environment != null) {
            check(environment, classLoader, boundElsewhere(beanFactory));
        }
    }

    /**
     * Besides configuration metadata (which an application without the configuration processor lacks): the names
     * that other {@code @ConfigurationProperties} records in this application bind under {@code gatehouse.*}, such
     * as the authorization server's {@code gatehouse.server.*}: records registered as beans,
     * and records in the application's own packages (whose configuration may be switched off, as with {@code
     * gatehouse.server.rate-limit.enabled=false}). Each record component is accepted with everything below it; {@link
     * GatehouseProperties} itself stays checked name by name.
     */
    static Set<ConfigurationPropertyName> boundElsewhere(ConfigurableListableBeanFactory beanFactory) {
        Set<String> classNames = new LinkedHashSet<>();
        for (String beanName : beanFactory.getBeanDefinitionNames()) {
            String className = beanFactory.getBeanDefinition(beanName).getBeanClassName();
            if (className != null) {
                classNames.add(className);
            }
        }
        if (AutoConfigurationPackages.has(beanFactory)) {
            ClassPathScanningCandidateComponentProvider scanner =
                    new ClassPathScanningCandidateComponentProvider(false);
            scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
            for (String basePackage : AutoConfigurationPackages.get(beanFactory)) {
                for (BeanDefinition candidate : scanner.findCandidateComponents(basePackage)) {
                    if (candidate.getBeanClassName() != null) {
                        classNames.add(candidate.getBeanClassName());
                    }
                }
            }
        }
        Set<ConfigurationPropertyName> bound = new LinkedHashSet<>();
        for (String className : classNames) {
            if (!ClassUtils.isPresent(className, beanFactory.getBeanClassLoader())) {
                continue;
            }
            Class<?> type = ClassUtils.resolveClassName(className, beanFactory.getBeanClassLoader());
            ConfigurationProperties annotation = AnnotationUtils.findAnnotation(type, ConfigurationProperties.class);
            if (annotation == null || !type.isRecord() || type == GatehouseProperties.class) {
                continue;
            }
            String prefix = annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
            ConfigurationPropertyName name = ConfigurationPropertyName.of(prefix);
            if (!name.equals(ROOT) && !ROOT.isAncestorOf(name)) {
                continue;
            }
            for (RecordComponent component : type.getRecordComponents()) {
                bound.add(ConfigurationPropertyName.of(prefix + "." + dashed(component.getName())));
            }
        }
        return bound;
    }

    /**
     * Refuses unknown {@code gatehouse.*} names in {@code environment}, except in environment variables and except
     * {@code alsoBound} and the names below them.
     *
     * @param environment the environment
     * @param classLoader where to look for configuration metadata
     * @param alsoBound names bound by other configuration properties records (see {@link #boundElsewhere})
     * @throws GatehouseConfigurationException naming each unknown property, its source and the nearest valid one
     */
    static void check(Environment environment, ClassLoader classLoader, Set<ConfigurationPropertyName> alsoBound) {
        KnownNames known = KnownNames.load(classLoader);
        Map<String, String> unknown = new LinkedHashMap<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            Object underlying = source.getUnderlyingSource();
            if (underlying instanceof SystemEnvironmentPropertySource
                    || !(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            String origin = underlying instanceof PropertySource<?> ps ? ps.getName() : String.valueOf(underlying);
            iterable.stream().filter(ROOT::isAncestorOf).forEach(name -> {
                ConfigurationPropertyName unindexed = withoutIndexes(name);
                if (!known.accepts(unindexed)
                        && alsoBound.stream().noneMatch(b -> b.equals(name) || b.isAncestorOf(name))) {
                    unknown.putIfAbsent(unindexed.toString(), origin);
                }
            });
        }
        if (unknown.isEmpty()) {
            return;
        }
        StringBuilder description = new StringBuilder("Unknown Gatehouse propert")
                .append(unknown.size() == 1 ? "y" : "ies")
                .append(", which would be ignored:");
        unknown.forEach((name, origin) -> description
                .append("\n  ")
                .append(name)
                .append(" (from ")
                .append(origin)
                .append("): did you mean ")
                .append(nearest(name, known.current()))
                .append('?'));
        throw new GatehouseConfigurationException(
                description.toString(),
                "Correct the name(s); the valid properties are listed in the auth-spring-starter and auth-server READMEs"
                        + " and in the configuration metadata on the class path (your IDE completes them).",
                null);
    }

    /**
     * The valid name closest to {@code name} by Levenshtein distance.
     *
     * @param name a property name in dashed form
     * @param candidates the valid names, not empty
     * @return the nearest valid name
     */
    static String nearest(String name, List<String> candidates) {
        String lower = name.toLowerCase(Locale.ROOT);
        String best = candidates.get(0);
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(lower, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein edit distance: insertions, deletions and substitutions, each costing one. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static ConfigurationPropertyName withoutIndexes(ConfigurationPropertyName name) {
        ConfigurationPropertyName n = name;
        while (n.getNumberOfElements() > 1 && n.isLastElementIndexed()) {
            n = n.getParent();
        }
        return n;
    }

    /** The leaf names of a properties record, recursing into nested records. */
    private static List<String> names(String prefix, Class<?> type, List<String> out) {
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + dashed(component.getName());
            Class<?> componentType = component.getType();
            if (componentType.isRecord() && componentType.getEnclosingClass() == GatehouseProperties.class) {
                names(name, componentType, out);
            } else {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }

    private static String dashed(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('-').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The names a {@code gatehouse.*} property may have: the starter's own and those in configuration metadata.
     *
     * @param exact names valid as they are (current and deprecated)
     * @param maps names of map properties, under which any key is valid
     * @param current the starter's own names and the current (not deprecated) names in metadata, for suggestions
     */
    record KnownNames(
            Set<ConfigurationPropertyName> exact, List<ConfigurationPropertyName> maps, List<String> current) {

        KnownNames {
            exact = Set.copyOf(exact);
            maps = List.copyOf(maps);
            current = List.copyOf(current);
        }

        /**
         * Reads every metadata file {@code classLoader} sees. A file that cannot be read or parsed adds no names, so its
         * properties are reported as unknown rather than passed unchecked.
         *
         * @param classLoader where to look
         * @return the known names
         */
        static KnownNames load(ClassLoader classLoader) {
            Set<ConfigurationPropertyName> exact = new LinkedHashSet<>();
            List<ConfigurationPropertyName> maps = new ArrayList<>();
            Set<String> current = new LinkedHashSet<>(VALID);
            VALID.forEach(name -> exact.add(ConfigurationPropertyName.of(name)));
            JsonParser json = JsonParserFactory.getJsonParser();
            for (String location : METADATA) {
                for (URL url : resources(classLoader, location)) {
                    for (Map<?, ?> property : properties(json, url)) {
                        if (!(property.get("name") instanceof String name)
                                || !ConfigurationPropertyName.isValid(name)
                                || !ROOT.isAncestorOf(ConfigurationPropertyName.of(name))) {
                            continue;
                        }
                        ConfigurationPropertyName parsed = ConfigurationPropertyName.of(name);
                        exact.add(parsed);
                        if (property.get("type") instanceof String type && type.startsWith("java.util.Map")) {
                            maps.add(parsed);
                        }
                        if (!property.containsKey("deprecation") && !Boolean.TRUE.equals(property.get("deprecated"))) {
                            current.add(parsed.toString());
                        }
                    }
                }
            }
            return new KnownNames(exact, maps, new ArrayList<>(current));
        }

        /**
         * Whether {@code name} (without trailing indexes) is a known property or a key of a known map property.
         *
         * @param name the property name
         * @return {@code true} when known
         */
        boolean accepts(ConfigurationPropertyName name) {
            return exact.contains(name) || maps.stream().anyMatch(map -> map.isAncestorOf(name));
        }

        private static List<URL> resources(ClassLoader classLoader, String location) {
            try {
                return Collections.list(classLoader.getResources(location));
            } catch (IOException e) {
                return List.of();
            }
        }

        private static List<Map<?, ?>> properties(JsonParser json, URL url) {
            try (InputStream in = url.openStream()) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (!text.contains("\"gatehouse.")) {
                    // Most metadata on the class path (Spring Boot's own is large) has no gatehouse.* name: skip
                    // parsing.
                    return List.of();
                }
                Object properties = json.parseMap(text).get("properties");
                if (!(properties instanceof List<?> list)) {
                    return List.of();
                }
                List<Map<?, ?>> out = new ArrayList<>();
                for (Object item : list) {
                    if (item instanceof Map<?, ?> map) {
                        out.add(map);
                    }
                }
                return out;
            } catch (IOException | JsonParseException e) {
                return List.of();
            }
        }
    }
}
