package dev.gatehouse.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The rate-limit suite on the embedded default (H2 file database): buckets in memory. */
class H2RateLimitTests extends AbstractRateLimitTests {

    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-rl-h2-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
    }

    @Autowired
    BucketStore store;

    @Override
    Path dataDir() {
        return DATA;
    }

    @Test
    void storeWhenH2ThenInMemory() {
        assertThat(store).isInstanceOf(LocalBucketStore.class);
    }
}
