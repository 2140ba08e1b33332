package dev.gatehouse.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Server nodes (one Spring application context and one random port each) on one {@link PostgresTestDatabase}, as
 * several Gatehouse instances behind a load balancer. Every node gets the same data directory, hence the same dev
 * master key, and the suites' rate limits ({@code suite-rate-limits.properties}). Start the first node alone: it
 * migrates the database and creates the keys (and, with {@code gatehouse.server.demo=true}, the demo data) that the
 * others then find. {@link #close()} stops the nodes started, last first.
 */
public final class TestNodes implements AutoCloseable {

    private final PostgresTestDatabase database;
    private final List<ConfigurableApplicationContext> started = new ArrayList<>();

    private TestNodes(PostgresTestDatabase database) {
        this.database = Objects.requireNonNull(database, "database must not be null");
    }

    /**
     * Nodes on the given database; none runs yet.
     *
     * @param database the database every node uses
     * @return the nodes
     */
    public static TestNodes on(PostgresTestDatabase database) {
        return new TestNodes(database);
    }

    /**
     * Starts one more node.
     *
     * @param properties this node's own properties, each {@code name=value}; they replace the shared ones
     * @return the running node
     */
    public synchronized ConfigurableApplicationContext start(String... properties) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("server.port", "0");
        all.put("spring.datasource.url", database.jdbcUrl());
        all.put("spring.datasource.username", "postgres");
        all.put("spring.datasource.password", "");
        all.put("gatehouse.server.data-dir", database.dataDir().toString()); // one dev master key for every node
        all.put("gatehouse.dev-mode", "true");
        all.put("gatehouse.token.issuer", "");
        all.put("gatehouse.server.purge-interval", "1h");
        all.put("gatehouse.token.rotation-check-interval", "1h");
        suiteRateLimits().forEach((name, value) -> all.put((String) name, (String) value));
        for (String property : properties) {
            int equals = property.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("property must read name=value: " + property);
            }
            all.put(property.substring(0, equals), property.substring(equals + 1));
        }
        // As command-line arguments: they win over application.yml (builder properties would not); one each, since
        // a name given twice would be read as both values joined by a comma.
        ConfigurableApplicationContext node = GatehouseServer.application()
                .run(all.entrySet().stream()
                        .map(e -> "--" + e.getKey() + "=" + e.getValue())
                        .toArray(String[]::new));
        started.add(node);
        return node;
    }

    /**
     * The port a node listens on.
     *
     * @param node a running node
     * @return its port
     */
    public static int port(ConfigurableApplicationContext node) {
        return ((WebServerApplicationContext) node).getWebServer().getPort();
    }

    /**
     * The base URL of a node, {@code http://localhost:port}.
     *
     * @param node a running node
     * @return its base URL
     */
    public static String base(ConfigurableApplicationContext node) {
        return "http://localhost:" + port(node);
    }

    /** Stops every node started, the last one first. */
    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        started.clear();
    }

    private static Properties suiteRateLimits() {
        Properties limits = new Properties();
        try (InputStream in = TestNodes.class.getResourceAsStream("/suite-rate-limits.properties")) {
            limits.load(Objects.requireNonNull(in, "suite-rate-limits.properties must be on the test class path"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return limits;
    }
}
