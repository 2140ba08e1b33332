package dev.gatehouse.server;

import com.icegreen.greenmail.util.GreenMail;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The e-mail flow suite on an H2 file database in a fresh data directory. */
class H2EmailFlowTests extends AbstractEmailFlowTests {

    static final int HTTP_PORT = freePort();
    static final int SMTP_PORT = freePort();
    static final GreenMail SMTP = startSmtp(SMTP_PORT);
    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-mail-h2-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
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
