package dev.gatehouse.server;

import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The account self-service suite on an H2 file database in a fresh data directory. */
class H2AccountTests extends AbstractAccountTests {

    static final Path DATA = DemoData.newDataDir("gatehouse-account-h2-");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
    }
}
