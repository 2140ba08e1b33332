package dev.gatehouse.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The dynamic registration suite on an H2 file database in a fresh data directory. */
class H2DynamicRegistrationTests extends AbstractDynamicRegistrationTests {

    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-dcr-h2-");
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
