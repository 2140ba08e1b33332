package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The request-thread default follows the database: few threads for the embedded one, more for a remote one. */
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
}
