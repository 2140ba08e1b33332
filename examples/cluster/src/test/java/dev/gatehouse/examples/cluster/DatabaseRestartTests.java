package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The harness can take the shared PostgreSQL away and bring it back on the same data directory and port (what the
 * outage tests build on): while it is stopped nothing listens on its port; once it is back the nodes serve again by
 * themselves, with the same data (the demo client still authenticates), without a restart.
 */
@ExtendWith(SharedCluster.class)
@Order(90)
class DatabaseRestartTests {

    private static final Duration BOUND = Duration.ofSeconds(60);

    private static Cluster cluster;
    private static SharedCluster.Demo demo;

    @BeforeAll
    static void cluster(Cluster shared, SharedCluster.Demo credentials) {
        cluster = shared;
        demo = credentials;
    }

    @Test
    void databaseWhenStoppedAndStartedAgainThenNodesRecoverWithSameData() throws Exception {
        cluster.stopDatabase();
        try {
            assertThat(cluster.databaseRunning()).isFalse();
            // Really gone: nothing accepts connections on its port. (How fast the nodes answer meanwhile is the
            // outage test's subject, not the harness's.)
            assertThatExceptionOfType(SQLException.class)
                    .isThrownBy(() -> DriverManager.getConnection(cluster.jdbcUrl(), "postgres", "")
                            .close());
        } finally {
            cluster.startDatabase();
        }
        assertThat(cluster.databaseRunning()).isTrue();
        Http nginx = new Http(cluster.issuer());
        assertThat(Await.until(
                        BOUND,
                        () -> Flows.clientCredentials(
                                                nginx, SharedCluster.Demo.SERVICE, demo.serviceSecret(), "api.read")
                                        .statusCode()
                                == 200))
                .as("a token through nginx once the database is back")
                .isTrue();
        for (Cluster.Node node : cluster.nodes()) {
            assertThat(Await.until(BOUND, () -> status(new Http(node.url()), "/actuator/health") == 200))
                    .as("%s healthy again", node.name())
                    .isTrue();
        }
    }

    private static int status(Http http, String path) {
        try {
            HttpResponse<String> r = http.get(path);
            return r.statusCode();
        } catch (UncheckedIOException e) {
            return -1;
        }
    }
}
