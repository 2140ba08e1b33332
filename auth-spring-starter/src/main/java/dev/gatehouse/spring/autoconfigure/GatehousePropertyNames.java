package dev.gatehouse.spring.autoconfigure;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
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
 * Checks every {@code gatehouse.*} property name against those {@link GatehouseProperties} binds (read from
 * its records, so the list cannot drift) before any bean is created, and refuses unknown ones with the nearest
 * valid name by edit distance. Values are never read, so no secret can reach the message.
 */
final class GatehousePropertyNames implements BeanFactoryPostProcessor, EnvironmentAware, Ordered {

    static final String PREFIX = "gatehouse";

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);

    /** The valid names, in their canonical dashed form, e.g. {@code gatehouse.token.key-store}. */
    static final List<String> VALID = names(PREFIX, GatehouseProperties.class, new ArrayList<>());

    private @Nullable Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        if (environment != null) {
            check(environment, boundElsewhere(beanFactory));
        }
    }

    /**
     * TEMPORARY (issue #22, until the check reads all configuration metadata on the classpath): the names that
     * other {@code @ConfigurationProperties} records in this application bind under {@code gatehouse.*}, such as
     * the authorization server's {@code gatehouse.issuer} or {@code gatehouse.audit.*}: records registered as beans,
     * and records in the application's own packages (whose configuration may be switched off, as with {@code
     * gatehouse.rate-limit.enabled=false}). Each record component is accepted with everything below it; {@link
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
     * Refuses unknown {@code gatehouse.*} names in {@code environment}, except in environment variables.
     *
     * @param environment the environment
     * @throws GatehouseConfigurationException naming each unknown property, its source and the nearest valid one
     */
    static void check(Environment environment) {
        check(environment, Set.of());
    }

    /**
     * Refuses unknown {@code gatehouse.*} names in {@code environment}, except in environment variables and
     * except {@code alsoBound} and the names below them.
     *
     * @param environment the environment
     * @param alsoBound names bound by other configuration properties (see {@link #boundElsewhere})
     * @throws GatehouseConfigurationException naming each unknown property, its source and the nearest valid one
     */
    static void check(Environment environment, Set<ConfigurationPropertyName> alsoBound) {
        Set<ConfigurationPropertyName> valid = new LinkedHashSet<>();
        VALID.forEach(name -> valid.add(ConfigurationPropertyName.of(name)));
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
                if (!valid.contains(unindexed)
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
                .append(nearest(name))
                .append('?'));
        throw new GatehouseConfigurationException(
                description.toString(),
                "Correct the name(s); the valid properties are listed in the auth-spring-starter README and in its"
                        + " configuration metadata (your IDE completes them).",
                null);
    }

    /**
     * The valid name closest to {@code name} by Levenshtein distance.
     *
     * @param name a property name in dashed form
     * @return the nearest valid name
     */
    static String nearest(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        String best = VALID.get(0);
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : VALID) {
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
}
