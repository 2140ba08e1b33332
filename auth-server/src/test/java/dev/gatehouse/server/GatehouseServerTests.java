package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The request-thread default follows the database: few threads for the embedded one, more for a remote one. The data
 * directory made before the context exists honours the old and the new name in precedence order.
 */
class GatehouseServerTests {

    @Test
    void requestThreadsWhenEmbeddedH2ThenFourPerCoreAtLeastEight() {
        assertThat(GatehouseServer.requestThreads("", 2)).isEqualTo("8");
        assertThat(GatehouseServer.requestThreads("jdbc:h2:file:./data/gatehouse", 2))
                .isEqualTo("8");
        assertThat(GatehouseServer.requestThreads("jdbc:h2:file:./data/gatehouse", 8))
                .isEqualTo("32");
    }

    @Test
    void requestThreadsWhenRemoteDatabaseThenSixteenPerCoreAtLeastThirtyTwo() {
        assertThat(GatehouseServer.requestThreads("jdbc:postgresql://db/gatehouse", 1))
                .isEqualTo("32");
        assertThat(GatehouseServer.requestThreads("jdbc:postgresql://db/gatehouse", 4))
                .isEqualTo("64");
    }

    @Test
    void addRequestThreadsDefaultWhenConfiguredThenTheSettingWinsOtherwiseTheDefault() {
        // Property sources of their own: StandardEnvironment's system-properties map is the JVM's.
        StandardEnvironment configured = new StandardEnvironment();
        configured
                .getPropertySources()
                .addFirst(new MapPropertySource("test", Map.of("server.tomcat.threads.max", "77")));
        GatehouseServer.addRequestThreadsDefault(configured);
        assertThat(configured.getProperty("server.tomcat.threads.max")).isEqualTo("77");

        StandardEnvironment postgres = new StandardEnvironment();
        postgres.getPropertySources()
                .addFirst(new MapPropertySource(
                        "test", Map.of("spring.datasource.url", "jdbc:postgresql://db/gatehouse")));
        GatehouseServer.addRequestThreadsDefault(postgres);
        assertThat(postgres.getProperty("server.tomcat.threads.max"))
                .isEqualTo(GatehouseServer.requestThreads(
                        "jdbc:postgresql://db/gatehouse", Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void dataDirWhenOldNameInAHigherSourceThanTheNewThenTheOldNameWins() {
        // The migrator maps gatehouse.data-dir only once the application is prepared; the directory is made earlier.
        StandardEnvironment environment = new StandardEnvironment();
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource("defaults", Map.of("gatehouse.server.data-dir", "./data")));
        environment
                .getPropertySources()
                .addFirst(new SystemEnvironmentPropertySource(
                        "test-systemEnvironment", Map.of("GATEHOUSE_DATA_DIR", "/var/lib/${name}")));
        environment.getPropertySources().addLast(new MapPropertySource("names", Map.of("name", "gatehouse")));
        assertThat(GatehouseServer.dataDir(environment)).isEqualTo("/var/lib/gatehouse");
    }

    @Test
    void dataDirWhenNewNameOrNeitherSetThenTheNewNameOrTheDefault() {
        StandardEnvironment configured = new StandardEnvironment();
        configured
                .getPropertySources()
                .addFirst(new MapPropertySource("test", Map.of("gatehouse.server.data-dir", "/srv/gatehouse")));
        assertThat(GatehouseServer.dataDir(configured)).isEqualTo("/srv/gatehouse");
        assertThat(GatehouseServer.dataDir(new StandardEnvironment())).isEqualTo("./data");
    }
}
