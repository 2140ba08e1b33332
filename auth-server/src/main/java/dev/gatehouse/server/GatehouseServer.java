package dev.gatehouse.server;

import dev.gatehouse.server.config.MasterKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;

/**
 * Entry point of the Gatehouse OAuth 2.1 / OpenID Connect authorization server (Spring Authorization Server with
 * auth-core's hasher, key ring and envelope). Configuration: {@code application.yml} and {@code GATEHOUSE_*}
 * environment variables; see {@code auth-server/README.md}.
 */
@SpringBootApplication
public class GatehouseServer {

    /**
     * Starts the server.
     *
     * @param args Spring Boot arguments, e.g. {@code --server.port=9000}
     */
    public static void main(String[] args) {
        application().run(args);
    }

    /**
     * The application, with a listener that creates the data directory owner-only before the embedded database
     * does.
     *
     * @return the Spring application
     */
    public static SpringApplication application() {
        SpringApplication app = new SpringApplication(GatehouseServer.class);
        app.setDefaultProperties(Map.of("server.tomcat.threads.max", requestThreads()));
        app.addListeners((ApplicationEnvironmentPreparedEvent event) -> {
            String dir = event.getEnvironment().getProperty("gatehouse.data-dir", "./data");
            try {
                MasterKeys.createPrivateDirectory(Path.of(dir));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the data directory " + dir, e);
            }
        });
        return app;
    }

    /**
     * The request-thread default, lowest in precedence (any {@code server.tomcat.threads.max} setting wins): four
     * per core, at least 8, instead of Tomcat's 200. Issuing a token is CPU work (signing, hashing, the embedded
     * database); more threads than that only queue on the CPU, locks and caches. Measured on the 2-core load
     * machine: 8 threads served about 20% more tokens per second than 200 with no worse p99
     * (benchmarks/server-load/README-server.md). Raise it when the database is remote and requests wait on it.
     */
    static String requestThreads() {
        return Integer.toString(Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
    }
}
