package dev.gatehouse.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The back-channel logout suite on an H2 file database in a fresh data directory. */
class H2BackchannelLogoutTests extends AbstractBackchannelLogoutTests {

    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-bcl-h2-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
    }
}
