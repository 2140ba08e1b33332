package dev.gatehouse.server;

import dev.gatehouse.server.secrets.MasterKeys;
import dev.gatehouse.spring.autoconfigure.GatehouseResourceServerAutoConfiguration;
import dev.gatehouse.spring.autoconfigure.GatehouseTokenAutoConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Entry point of the Gatehouse OAuth 2.1 / OpenID Connect authorization server (Spring Authorization Server with
 * auth-core's hasher, key ring and envelope). Configuration: {@code application.yml} and {@code GATEHOUSE_*}
 * environment variables; see {@code auth-server/README.md}.
 */
// The server issues its tokens itself (keys.KeyRingJwtEncoder on its own KeyRing); the starter's token
// auto-configuration, which gatehouse.token.issuer would turn on now that the server shares that name, stays off.
// So does the starter's resource server: the server checks its own tokens (keys.KeysConfiguration) and writes each
// chain's challenges itself (UserInfo, admin API, actuator); gatehouse.resource-server.* would otherwise replace
// them and remove UserInfo's RFC 9728 document in every chain with oauth2ResourceServer(...).
@SpringBootApplication(
        exclude = {GatehouseTokenAutoConfiguration.class, GatehouseResourceServerAutoConfiguration.class})
public class GatehouseServer {

    /** {@code gatehouse.server.data-dir}, then its name before issue #22. */
    private static final List<ConfigurationPropertyName> DATA_DIR_NAMES = List.of(
            ConfigurationPropertyName.of("gatehouse.server.data-dir"),
            ConfigurationPropertyName.of("gatehouse.data-dir"));

    /**
     * Starts the server.
     *
     * @param args Spring Boot arguments, e.g. {@code --server.port=9000}
     */
    public static void main(String[] args) {
        application().run(args);
    }

    /**
     * The application, with a listener that creates the data directory owner-only before the embedded database
     * does.
     *
     * @return the Spring application
     */
    public static SpringApplication application() {
        SpringApplication app = new SpringApplication(GatehouseServer.class);
        app.addListeners((ApplicationEnvironmentPreparedEvent event) -> {
            addRequestThreadsDefault(event.getEnvironment());
            String dir = dataDir(event.getEnvironment());
            try {
                MasterKeys.createPrivateDirectory(Path.of(dir));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the data directory " + dir, e);
            }
        });
        return app;
    }

    /**
     * The data directory, read before the context exists. Spring Boot's properties migrator maps the deprecated
     * {@code gatehouse.data-dir} to {@code gatehouse.server.data-dir} only later (when the application is prepared),
     * so both names are looked up here, source by source in precedence order: the first source that sets either
     * wins, as it will when the properties are bound.
     *
     * @param environment the application's environment, before the context is created
     * @return the configured data directory, {@code ./data} when neither name is set
     */
    static String dataDir(ConfigurableEnvironment environment) {
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            for (ConfigurationPropertyName name : DATA_DIR_NAMES) {
                ConfigurationProperty property = source.getConfigurationProperty(name);
                if (property != null && property.getValue() != null) {
                    return environment.resolveRequiredPlaceholders(String.valueOf(property.getValue()));
                }
            }
        }
        return "./data";
    }

    /**
     * Adds the request-thread default as the lowest-precedence property source: any {@code server.tomcat.threads.max}
     * setting wins.
     *
     * @param environment the application's environment, before the context is created
     */
    static void addRequestThreadsDefault(ConfigurableEnvironment environment) {
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        "gatehouse-request-threads",
                        Map.of(
                                "server.tomcat.threads.max",
                                requestThreads(
                                        environment.getProperty("spring.datasource.url", ""),
                                        Runtime.getRuntime().availableProcessors()))));
    }

    /**
     * The request-thread default, instead of Tomcat's 200. Issuing a token is CPU work (signing, hashing) plus the
     * database: with the embedded H2 database that is all CPU, and more threads than four per core only queue on the
     * CPU, locks and caches; with a database over the network requests also wait on it, so more threads keep the CPU
     * busy. Measured on the 2-core load machine (benchmarks/server-load/README-server.md): on H2, 8 threads served
     * about 20% more tokens per second than 200 at no worse p99; on PostgreSQL, 32 served 22% more than 8.
     *
     * @param datasourceUrl the configured JDBC URL (empty for the default, H2)
     * @param cores available processors
     * @return the thread count: 4 per core (at least 8) on H2, 16 per core (at least 32) otherwise
     */
    static String requestThreads(String datasourceUrl, int cores) {
        boolean embedded = datasourceUrl.isBlank() || datasourceUrl.startsWith("jdbc:h2:");
        return Integer.toString(embedded ? Math.max(8, 4 * cores) : Math.max(32, 16 * cores));
    }
}
