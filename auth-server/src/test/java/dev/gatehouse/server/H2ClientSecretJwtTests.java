package dev.gatehouse.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The client_secret_jwt suite on an H2 file database in a fresh data directory. */
class H2ClientSecretJwtTests extends AbstractClientSecretJwtTests {

    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-csjwt-h2-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
    }

    @Override
    Path dataDir() {
        return DATA;
    }
}
